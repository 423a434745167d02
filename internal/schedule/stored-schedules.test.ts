import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryStore } from '../backup/memory-store.test-helpers.ts';
import { buildBackupSpec } from '../backup/spec.ts';
import { newSchedule } from './schedule-object.ts';
import { ScheduleExistsError, ScheduleNotFoundError, StoredSchedules } from './stored-schedules.ts';

const now = new Date('2026-05-17T10:00:00Z');
const schedule = (name: string) => newSchedule({ name, namespace: 'velero', cron: '@daily', template: buildBackupSpec({ storageLocation: 'default' }), now });

test('kept as one JSON object each under plugins/kubectl-velero/schedules/, listed by name', async () => {
  const store = new MemoryStore();
  const schedules = new StoredSchedules(store);
  await schedules.create(schedule('weekly'));
  await schedules.create(schedule('daily'));
  assert.equal([...store.objects.keys()].sort(), ['plugins/kubectl-velero/schedules/daily.json', 'plugins/kubectl-velero/schedules/weekly.json']);
  const stored = JSON.parse(store.objects.get('plugins/kubectl-velero/schedules/daily.json')!.toString());
  assert.is(stored.kind, 'Schedule');
  assert.is(stored.spec.schedule, '@daily');
  // a lock file is not a schedule
  store.objects.set('plugins/kubectl-velero/schedule-locks/daily/x.json', Buffer.from('{}'));
  assert.equal(await schedules.names(), ['daily', 'weekly']);
  assert.equal((await schedules.list()).map((s) => s.metadata.name), ['daily', 'weekly']);
});

test('a name that exists is refused, and the stored one is left as it was', async () => {
  const store = new MemoryStore();
  const schedules = new StoredSchedules(store);
  await schedules.create(schedule('daily'));
  const before = store.objects.get('plugins/kubectl-velero/schedules/daily.json');
  try {
    await schedules.create({ ...schedule('daily'), spec: { ...schedule('daily').spec, schedule: '@hourly' } });
    assert.unreachable();
  } catch (error) {
    assert.instance(error, ScheduleExistsError);
    assert.match((error as Error).message, /^schedule "daily" already exists in memory:\/\/test/);
  }
  assert.is(store.objects.get('plugins/kubectl-velero/schedules/daily.json'), before);
});

test('update re-reads and changes only what it is told; a deleted schedule is not brought back', async () => {
  const store = new MemoryStore();
  const schedules = new StoredSchedules(store);
  await schedules.create(schedule('daily'));
  await schedules.update('daily', (s) => ({ ...s, spec: { ...s.spec, paused: true } }));
  await schedules.update('daily', (s) => ({ ...s, status: { ...s.status, lastBackup: '2026-05-17T10:00:00Z' } }));
  const s = await schedules.get('daily');
  assert.is(s.spec.paused, true);
  assert.is(s.status.lastBackup, '2026-05-17T10:00:00Z');
  store.objects.set('plugins/kubectl-velero/schedule-locks/daily/x.json', Buffer.from('{}'));
  await schedules.delete('daily');
  assert.equal([...store.objects.keys()], []);
  assert.is(await schedules.update('daily', (x) => x), undefined);
  assert.equal([...store.objects.keys()], []);
  await schedules.delete('daily').then(() => assert.unreachable(), (e) => assert.instance(e, ScheduleNotFoundError));
});

test.run();
