// A pass of `schedule run` over a store in memory, on a fake clock, with a fake backup taker.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { completeBackup, newBackup, type Backup } from '../backup/backup-object.ts';
import { MemoryStore } from '../backup/memory-store.test-helpers.ts';
import { buildBackupSpec } from '../backup/spec.ts';
import { runDueSchedules, type ScheduleEvent } from './run-schedules.ts';
import { newSchedule } from './schedule-object.ts';
import type { ScheduledBackup } from './scheduled-backup.ts';
import { StoredSchedules } from './stored-schedules.ts';

const fast = { sleep: () => new Promise<void>((r) => setTimeout(r, 1)) };

function setup(start = '2026-05-17T10:00:00Z') {
  const store = new MemoryStore();
  const schedules = new StoredSchedules(store);
  let clock = Date.parse(start);
  const taken: ScheduledBackup[] = [];
  const events: ScheduleEvent[] = [];
  let phase: 'Completed' | 'Failed' = 'Completed';
  let throwing: Error | undefined;
  const takeBackup = async (request: ScheduledBackup): Promise<Backup> => {
    if (throwing) throw throwing;
    taken.push(request);
    const b = newBackup({ name: request.name, namespace: 'velero', spec: buildBackupSpec(request.options), labels: request.labels, ttlMs: 1000, now: request.at });
    return completeBackup(b, { phase, warnings: 0, errors: 0, itemsBackedUp: 1, totalItems: 1 });
  };
  const pass = (names?: string[]) => runDueSchedules({ schedules, store, storageLocation: 'default', names, now: () => new Date(clock), takeBackup, report: (e) => events.push(e), lock: fast });
  return {
    store,
    schedules,
    taken,
    events,
    pass,
    create: (name: string, cron: string, extra: { paused?: boolean; skipImmediately?: boolean } = {}) =>
      schedules.create(newSchedule({ name, namespace: 'velero', cron, template: buildBackupSpec({ storageLocation: 'default', includeNamespaces: ['shop'] }), now: new Date(clock), ...extra })),
    advance: (ms: number) => (clock += ms),
    set: (iso: string) => (clock = Date.parse(iso)),
    failWith: (p: 'Completed' | 'Failed') => (phase = p),
    throwOnTake: (e: Error | undefined) => (throwing = e),
  };
}

test('a new schedule takes its first backup at once, named and labelled; a second pass takes none', async () => {
  const t = setup();
  await t.create('daily', '0 2 * * *');
  const first = await t.pass();
  assert.equal(t.taken.map((b) => b.name), ['daily-20260517100000']);
  assert.equal(t.taken[0]!.labels, { 'velero.io/schedule-name': 'daily' });
  assert.equal(t.taken[0]!.options.includeNamespaces, ['shop']);
  assert.is(first.taken.length, 1);
  assert.is(first.nextDue?.toISOString(), '2026-05-18T02:00:00.000Z');
  assert.is((await t.schedules.get('daily')).status.lastBackup, '2026-05-17T10:00:00Z');
  assert.equal([...t.store.objects.keys()].filter((k) => k.includes('schedule-locks')), [], 'the lock is released');
  t.advance(5000);
  const second = await t.pass();
  assert.is(second.taken.length, 0);
  assert.equal(t.events.at(-1), { kind: 'not-due', schedule: 'daily', next: new Date('2026-05-18T02:00:00Z') });
});

test('skipImmediately: nothing until the first slot, then one', async () => {
  const t = setup();
  await t.create('daily', '0 2 * * *', { skipImmediately: true });
  await t.pass();
  assert.is(t.taken.length, 0);
  t.set('2026-05-18T02:00:00Z');
  await t.pass();
  assert.equal(t.taken.map((b) => b.name), ['daily-20260518020000']);
});

test('the machine was off for days: exactly one catch-up backup', async () => {
  const t = setup();
  await t.create('daily', '0 2 * * *');
  await t.pass();
  t.set('2026-05-23T09:30:00Z');
  await t.pass();
  await t.pass();
  t.advance(3_600_000);
  await t.pass();
  assert.equal(t.taken.map((b) => b.name), ['daily-20260517100000', 'daily-20260523093000']);
  t.set('2026-05-24T02:00:01Z');
  await t.pass();
  assert.is(t.taken.length, 3);
});

test('a paused schedule is skipped; unpaused, it catches up once', async () => {
  const t = setup();
  await t.create('daily', '@daily', { paused: true });
  await t.pass();
  assert.is(t.taken.length, 0);
  assert.equal(t.events, [{ kind: 'paused', schedule: 'daily' }]);
  await t.schedules.update('daily', (s) => ({ ...s, spec: { ...s.spec, paused: false } }));
  await t.pass();
  assert.is(t.taken.length, 1);
});

test('an expression made invalid by hand: FailedValidation recorded, nothing taken', async () => {
  const t = setup();
  await t.create('daily', '@daily');
  await t.schedules.update('daily', (s) => ({ ...s, spec: { ...s.spec, schedule: '0 2 * *' } }));
  const outcome = await t.pass();
  assert.is(t.taken.length, 0);
  assert.is(outcome.failures, 1);
  assert.is(t.events[0]!.kind, 'invalid');
  const stored = await t.schedules.get('daily');
  assert.is(stored.status.phase, 'FailedValidation');
  assert.match(stored.status.validationErrors![0]!, /expected 5 fields/);
});

test('a backup that cannot start leaves the schedule due; a Failed one is recorded and counted', async () => {
  const t = setup();
  await t.create('daily', '@daily');
  t.throwOnTake(new Error('the cluster is unreachable'));
  const failed = await t.pass();
  assert.is(failed.failures, 1);
  assert.is(t.events[0]!.kind, 'failed');
  assert.is((await t.schedules.get('daily')).status.lastBackup, undefined);
  assert.is(t.store.objects.size, 1, 'no lock left behind');
  t.throwOnTake(undefined);
  t.failWith('Failed');
  const second = await t.pass();
  assert.is(second.failures, 1);
  assert.is(second.taken[0]!.status.phase, 'Failed');
  assert.is((await t.schedules.get('daily')).status.lastBackup, '2026-05-17T10:00:00Z');
});

test('named schedules only; a name that does not exist is a failure', async () => {
  const t = setup();
  await t.create('daily', '@daily');
  await t.create('hourly', '@hourly');
  const outcome = await t.pass(['hourly', 'nope']);
  assert.equal(t.taken.map((b) => b.schedule), ['hourly']);
  assert.is(outcome.failures, 1);
  assert.equal(t.events.at(-1), { kind: 'not-found', schedule: 'nope' });
});

test('a schedule another run holds is left to it', async () => {
  const t = setup();
  await t.create('daily', '@daily');
  t.store.objects.set('plugins/kubectl-velero/schedule-locks/daily/other.json', Buffer.from(JSON.stringify({ schedule: 'daily', holder: 'ci/77', heartbeat: new Date().toISOString(), renewSeconds: 30 })));
  await t.pass();
  assert.is(t.taken.length, 0);
  assert.equal(t.events, [{ kind: 'busy', schedule: 'daily', holder: 'ci/77' }]);
});

test('two passes at once over the same store take one backup', async () => {
  for (let round = 0; round < 10; round++) {
    const t = setup();
    await t.create('daily', '@daily');
    await Promise.all([t.pass(), t.pass()]);
    assert.is(t.taken.length, 1, `round ${round}`);
  }
});

test('a schedule deleted while its backup runs is not brought back', async () => {
  const t = setup();
  await t.create('daily', '@daily');
  t.throwOnTake(undefined);
  const take = runDueSchedules({
    schedules: t.schedules, store: t.store, storageLocation: 'default', now: () => new Date('2026-05-17T10:00:00Z'), lock: fast, report: () => undefined,
    takeBackup: async (r) => {
      await t.schedules.delete('daily');
      return completeBackup(newBackup({ name: r.name, namespace: 'velero', spec: {}, ttlMs: 1 }), { phase: 'Completed', warnings: 0, errors: 0, itemsBackedUp: 0, totalItems: 0 });
    },
  });
  await take;
  assert.equal(await t.schedules.names(), []);
});

test('@every 5s: due again five seconds after the last backup', async () => {
  const t = setup('2026-05-17T10:00:00.400Z');
  await t.create('fast', '@every 5s');
  const first = await t.pass();
  assert.is(first.nextDue?.toISOString(), '2026-05-17T10:00:05.000Z');
  t.advance(4000);
  assert.is((await t.pass()).taken.length, 0);
  t.advance(1000);
  assert.is((await t.pass()).taken.length, 1);
});

test.run();
