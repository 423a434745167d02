// The schedule commands in-process over a local-directory location (no cluster): what they print,
// what they store, and that bad input is one line with nothing created.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { withLocalLocation } from '../../cli.test-helpers.ts';
import { shortHumanDuration, timeFromNow } from './format-schedule.ts';

const { dir: tempDir, velero } = withLocalLocation(test, 'kv-schedule-cmd-');

const schedulesDir = () => join(tempDir(), 'store', 'plugins', 'kubectl-velero', 'schedules');
const stored = (name: string) => JSON.parse(readFileSync(join(schedulesDir(), `${name}.json`), 'utf8'));
const storedNames = () => {
  try {
    return readdirSync(schedulesDir()).sort();
  } catch {
    return [];
  }
};

test('--install of what a CronJob cannot run, or that cannot reach the location: one line, nothing created', async () => {
  const before = storedNames();
  const every = await velero(['schedule', 'create', 'sixhourly', '--schedule', '@every 6h', '--install']);
  assert.is(every.code, 1);
  assert.match(every.stderr, /^error: a CronJob cannot run "@every 6h" \(@every counts from the last run, cron from the clock\): .*\n$/);
  const local = await velero(['schedule', 'create', 'nightly', '--schedule', '@daily', '--install']);
  assert.is(local.code, 1);
  assert.match(local.stderr, /^error: backup storage location "here" is a directory on this machine: a CronJob in the cluster cannot reach it; .*\n$/);
  assert.equal(storedNames(), before);
  const missing = await velero(['schedule', 'install', 'nosuch']);
  assert.is(missing.code, 1);
  assert.match(missing.stderr, /^error: schedule "nosuch" not found in .*\n$/);
});

test('create stores a Velero Schedule with the backup flags as its template', async () => {
  const r = await velero(['schedule', 'create', 'daily', '--schedule', '0 2 * * *', '--ttl', '168h', '--include-namespaces', 'shop,web', '--labels', 'team=shop', '-l', 'app=web', '--use-owner-references-in-backup']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Schedule "daily" created successfully\.\n/);
  const s = stored('daily');
  assert.is(s.kind, 'Schedule');
  assert.is(s.metadata.namespace, 'velero');
  assert.equal(s.metadata.labels, { team: 'shop' });
  assert.is(s.spec.schedule, '0 2 * * *');
  assert.is(s.spec.useOwnerReferencesInBackup, true);
  assert.is(s.spec.paused, undefined);
  assert.equal(s.spec.template.includedNamespaces, ['shop', 'web']);
  assert.is(s.spec.template.ttl, '168h0m0s');
  assert.is(s.spec.template.storageLocation, 'here');
  assert.equal(s.spec.template.labelSelector, { matchLabels: { app: 'web' } });
  assert.equal(s.spec.template.metadata, { labels: { team: 'shop' } });
  assert.equal(s.status, { phase: 'Enabled' });
});

test('a bad cron, an unknown flag, a bad template, an existing name: one error line, nothing created', async () => {
  const cases: [string[], RegExp][] = [
    [['schedule', 'create', 'daily', '--schedule', '0 25 * * *'], /^error: invalid schedule "0 25 \* \* \*": hour 25 is out of range 0-23\n$/],
    [['schedule', 'create', 'daily', '--schedule', '@daily', '--no-such-flag'], /^error: Unsupported option name \("--no-such-flag"\): see kubectl velero schedule create --help\n$/],
    [['schedule', 'create', 'daily'], /^error: --schedule is required/],
    [['schedule', 'create', 'Daily', '--schedule', '@daily'], /^error: invalid schedule name "Daily"/],
    [['schedule', 'create', 'daily', '--schedule', '@daily', '--ttl', 'forever'], /^error: invalid duration "forever"/],
    [['schedule', 'create', 'daily', '--schedule', '@daily', '--include-resources', 'pods', '--include-cluster-scoped-resources', 'nodes'], /^error: the backup template is invalid: .*cannot be used together/],
  ];
  for (const [args, expected] of cases) {
    const r = await velero(args);
    assert.is(r.code, 1, args.join(' '));
    assert.is(r.stdout, '', args.join(' '));
    assert.match(r.stderr, expected);
    assert.is(r.stderr.split('\n').length, 2, `one line: ${r.stderr}`);
    assert.equal(storedNames(), [], args.join(' '));
  }
  assert.is((await velero(['schedule', 'create', 'daily', '--schedule', '@daily'])).code, 0);
  const before = readFileSync(join(schedulesDir(), 'daily.json'), 'utf8');
  const again = await velero(['schedule', 'create', 'daily', '--schedule', '@hourly']);
  assert.is(again.code, 1);
  assert.match(again.stderr, /^error: schedule "daily" already exists in file:\/\/.*: choose another name or delete it first\n$/);
  assert.is(readFileSync(join(schedulesDir(), 'daily.json'), 'utf8'), before);
});

test('create -o yaml prints the Schedule without creating it, as Velero does', async () => {
  const r = await velero(['schedule', 'create', 'daily', '--schedule', '@daily', '-o', 'yaml']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^apiVersion: velero.io\/v1\nkind: Schedule\n/);
  assert.equal(storedNames(), []);
});

test('get: Velero\'s columns; one schedule -o json is the object, several a ScheduleList', async () => {
  await velero(['schedule', 'create', 'daily', '--schedule', '0 2 * * *', '--ttl', '168h', '-l', 'app=web']);
  await velero(['schedule', 'create', 'often', '--schedule', '@every 5s', '--paused', '--labels', 'team=ops']);
  const table = await velero(['schedule', 'get']);
  assert.is(table.code, 0, table.stderr);
  const [head, daily, often] = table.stdout.trimEnd().split('\n');
  assert.equal(head!.split(/\s{2,}/), ['NAME', 'STATUS', 'CREATED', 'SCHEDULE', 'BACKUP TTL', 'LAST BACKUP', 'SELECTOR', 'PAUSED']);
  assert.match(daily!, /^daily\s+Enabled\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC\s+0 2 \* \* \*\s+168h0m0s\s+n\/a\s+app=web\s+false$/);
  assert.match(often!, /^often\s+Enabled\s+.*@every 5s\s+720h0m0s\s+n\/a\s+<none>\s+true$/);
  const one = JSON.parse((await velero(['schedule', 'get', 'daily', '-o', 'json'])).stdout);
  assert.is(one.kind, 'Schedule');
  const list = JSON.parse((await velero(['schedule', 'get', '-o', 'json'])).stdout);
  assert.is(list.kind, 'ScheduleList');
  assert.equal(list.items.map((s: { metadata: { name: string } }) => s.metadata.name), ['daily', 'often']);
  const selected = (await velero(['schedule', 'get', '-l', 'team=ops'])).stdout;
  assert.match(selected, /often/);
  assert.not.match(selected, /daily/);
  const missing = await velero(['schedule', 'get', 'nope']);
  assert.is(missing.code, 1);
  assert.match(missing.stderr, /^error: schedule "nope" not found in /, missing.stderr);
});

test('describe: Velero\'s layout, the template, and when the next backup comes', async () => {
  await velero(['schedule', 'create', 'daily', '--schedule', 'CRON_TZ=Europe/Paris 0 2 * * *', '--include-namespaces', 'shop', '--skip-immediately']);
  const r = await velero(['schedule', 'describe', 'daily']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Name:         daily\nNamespace:    velero\nLabels:       <none>\nAnnotations:  <none>\n\nPhase:  Enabled\n\nPaused:  false\n\nSchedule:  CRON_TZ=Europe\/Paris 0 2 \* \* \*\n\nBackup Template:\n  Namespaces:\n    Included:  shop\n    Excluded:  <none>\n/);
  assert.match(r.stdout, /\n  TTL:  720h0m0s\n/);
  assert.match(r.stdout, /\nLast Backup:   <never>\nLast Skipped:  \d{4}-.* \+0000 UTC\nNext Backup:   \d{4}-\d\d-\d\d 0[01]:00:00 \+0000 UTC\n$/);
});

test('pause, unpause, delete: Velero\'s messages, and what they store', async () => {
  await velero(['schedule', 'create', 'daily', '--schedule', '@daily']);
  assert.is((await velero(['schedule', 'pause', 'daily'])).stdout, 'Schedule daily paused successfully\n');
  assert.is(stored('daily').spec.paused, true);
  assert.is((await velero(['schedule', 'pause', 'daily'])).stdout, 'Schedule daily is already paused, skip\n');
  const unpause = await velero(['schedule', 'unpause', 'daily', '--skip-immediately']);
  assert.is(unpause.stdout, 'Schedule daily unpaused successfully\n');
  const s = stored('daily');
  assert.is(s.spec.paused, undefined);
  assert.is(s.spec.skipImmediately, false);
  assert.type(s.status.lastSkipped, 'string');
  const nothing = await velero(['schedule', 'pause']);
  assert.is(nothing.code, 1);
  assert.match(nothing.stderr, /^error: give schedule names, --selector or --all/);
  const unconfirmed = await velero(['schedule', 'delete', 'daily']);
  assert.is(unconfirmed.code, 1);
  assert.match(unconfirmed.stderr, /--confirm/);
  assert.equal(storedNames(), ['daily.json']);
  const deleted = await velero(['schedule', 'delete', 'daily', '--confirm']);
  assert.is(deleted.stdout, 'Schedule deleted: daily\n');
  assert.equal(storedNames(), []);
});

test('schedule run with nothing due touches no cluster: paused and not-due schedules say so, then gc', async () => {
  await velero(['schedule', 'create', 'held', '--schedule', '@daily', '--paused']);
  await velero(['schedule', 'create', 'later', '--schedule', '0 2 * * *', '--skip-immediately']);
  const r = await velero(['schedule', 'run']);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, /^Schedule "held" is paused, skip\.\nSchedule "later" is not due: next backup at \d{4}-\d\d-\d\d 02:00:00 \+0000 UTC\.\n/);
  assert.match(r.stdout, /Garbage collection done: 0 backups deleted/);
  const missing = await velero(['schedule', 'run', 'nope']);
  assert.is(missing.code, 1);
  assert.match(missing.stderr, /^error: schedule "nope" not found/);
});

test('schedule alone, or an unknown verb: one line naming the verbs', async () => {
  const r = await velero(['schedule', 'frobnicate']);
  assert.is(r.code, 1);
  assert.is(r.stderr, 'error: unknown command "kubectl velero schedule frobnicate": use kubectl velero schedule create|get|describe|delete|install|pause|unpause|run\n');
});

test('backup create --from-schedule of a schedule that does not exist: one line', async () => {
  const r = await velero(['backup', 'create', '--from-schedule', 'nope']);
  assert.is(r.code, 1);
  assert.match(r.stderr, /^error: schedule "nope" not found in /);
});

test('LAST BACKUP reads like Velero\'s: Kubernetes\' short durations', () => {
  assert.is(shortHumanDuration(59_000), '59s');
  assert.is(shortHumanDuration(5 * 60_000), '5m');
  assert.is(shortHumanDuration(3 * 3_600_000), '3h');
  assert.is(shortHumanDuration(49 * 3_600_000), '2d');
  assert.is(shortHumanDuration(800 * 86_400_000), '2y');
  assert.is(timeFromNow(undefined, 0), 'n/a');
  assert.is(timeFromNow('2026-01-01T00:00:00Z', Date.parse('2026-01-01T00:10:00Z')), '10m ago');
});

test.run();
