// Due-ness on a fake clock: the schedule's status and an explicit "now".
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildBackupSpec } from '../backup/spec.ts';
import { parseCron } from './cron.ts';
import { dueTime, isDue } from './due.ts';
import { newSchedule, type Schedule } from './schedule-object.ts';

const template = buildBackupSpec({ storageLocation: 'default' });
const created = new Date('2026-05-01T10:00:00Z');
const daily = (status: Schedule['status'] = {}) => {
  const s = newSchedule({ name: 'daily', namespace: 'velero', cron: '0 2 * * *', template, now: created });
  return { ...s, status: { ...s.status, ...status } };
};
const cron = parseCron('0 2 * * *');

test('a schedule that never ran is due at once', () => {
  assert.ok(isDue(daily(), cron, created));
  assert.is(dueTime(daily(), cron)?.toISOString(), '2026-05-01T10:00:00.000Z');
});

test('skipImmediately: not due until the slot after the skip', () => {
  const s = newSchedule({ name: 'daily', namespace: 'velero', cron: '0 2 * * *', template, skipImmediately: true, now: created });
  assert.not.ok(isDue(s, cron, created));
  assert.is(dueTime(s, cron)?.toISOString(), '2026-05-02T02:00:00.000Z');
  assert.ok(isDue(s, cron, new Date('2026-05-02T02:00:00Z')));
});

test('after a backup: due at the next slot, not before', () => {
  const s = daily({ lastBackup: '2026-05-01T10:00:00Z' });
  assert.not.ok(isDue(s, cron, new Date('2026-05-02T01:59:59Z')));
  assert.ok(isDue(s, cron, new Date('2026-05-02T02:00:00Z')));
});

test('a machine off for five days: one catch-up backup, then the next slot', () => {
  // the clock: each "run" takes a backup when due and records it as lastBackup = now
  let s = daily({ lastBackup: '2026-05-01T02:00:00Z' });
  let taken = 0;
  const runAt = (iso: string) => {
    const now = new Date(iso);
    if (!isDue(s, cron, now)) return;
    taken++;
    s = { ...s, status: { ...s.status, lastBackup: now.toISOString().replace(/\.\d+Z$/, 'Z') } };
  };
  runAt('2026-05-06T09:00:00Z'); // back after five missed slots
  runAt('2026-05-06T09:00:05Z');
  runAt('2026-05-06T23:00:00Z');
  assert.is(taken, 1);
  runAt('2026-05-07T02:00:00Z');
  assert.is(taken, 2);
});

test('lastSkipped after lastBackup moves the base (unpause --skip-immediately)', () => {
  const s = daily({ lastBackup: '2026-04-01T02:00:00Z', lastSkipped: '2026-05-10T12:00:00Z' });
  assert.is(dueTime(s, cron)?.toISOString(), '2026-05-11T02:00:00.000Z');
});

test.run();
