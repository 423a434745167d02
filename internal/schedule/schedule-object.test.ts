import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildBackupSpec } from '../backup/spec.ts';
import { checkScheduleName, newSchedule, reconcileSchedule, timestampedName } from './schedule-object.ts';

const now = new Date('2026-05-17T10:20:30.456Z');
const template = buildBackupSpec({ storageLocation: 'default', includeNamespaces: ['shop'], ttl: '168h' });

test('backups are named <schedule>-<yyyyMMddHHmmss> in UTC, as Velero names them', () => {
  assert.is(timestampedName('daily', now), 'daily-20260517102030');
  assert.is(timestampedName('a.b-c', new Date('2026-01-02T03:04:05.999Z')), 'a.b-c-20260102030405');
});

test('a new schedule: Velero\'s shape, Enabled, the template as given', () => {
  const s = newSchedule({ name: 'daily', namespace: 'velero', cron: '0 2 * * *', template, labels: { team: 'shop' }, now });
  assert.is(s.apiVersion, 'velero.io/v1');
  assert.is(s.kind, 'Schedule');
  assert.equal(s.metadata.labels, { team: 'shop' });
  assert.is(s.metadata.creationTimestamp, '2026-05-17T10:20:30Z');
  assert.type(s.metadata.uid, 'string');
  assert.equal(s.spec, { template, schedule: '0 2 * * *', useOwnerReferencesInBackup: false });
  assert.equal(s.status, { phase: 'Enabled' });
});

test('skipImmediately is taken as Velero\'s controller takes it: lastSkipped now, flag reset', () => {
  const s = newSchedule({ name: 'daily', namespace: 'velero', cron: '0 2 * * *', template, skipImmediately: true, paused: true, useOwnerReferencesInBackup: true, now });
  assert.is(s.spec.skipImmediately, false);
  assert.is(s.spec.paused, true);
  assert.is(s.spec.useOwnerReferencesInBackup, true);
  assert.equal(s.status, { phase: 'Enabled', lastSkipped: '2026-05-17T10:20:30Z' });
});

test('reconcile: an invalid expression is FailedValidation with the reason; nothing to do is the same object', () => {
  const s = newSchedule({ name: 'daily', namespace: 'velero', cron: '0 2 * * *', template, now });
  assert.is(reconcileSchedule(s, now), s);
  const broken = reconcileSchedule({ ...s, spec: { ...s.spec, schedule: '0 25 * * *' } }, now);
  assert.is(broken.status.phase, 'FailedValidation');
  assert.equal(broken.status.validationErrors, ['invalid schedule "0 25 * * *": hour 25 is out of range 0-23']);
  const fixed = reconcileSchedule({ ...broken, spec: { ...broken.spec, schedule: '@daily' } }, now);
  assert.equal(fixed.status, { phase: 'Enabled' });
});

test('schedule names: Kubernetes names short enough to be a label value', () => {
  assert.is(checkScheduleName('daily-shop.v2'), 'daily-shop.v2');
  assert.throws(() => checkScheduleName('Daily'), /invalid schedule name "Daily": use lower-case letters/);
  assert.throws(() => checkScheduleName('-x'), /invalid schedule name/);
  assert.throws(() => checkScheduleName('x'.repeat(64)), /at most 63 characters/);
});

test.run();
