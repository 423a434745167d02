// Schedules without a server, against a real control plane and MinIO, run as a user runs them:
// `schedule create/get/describe/pause/delete` keep a Velero Schedule in the location, and
// `schedule run` (once, or --loop until SIGINT) takes the due backups through the backup engine —
// named <schedule>-<timestamp>, labelled, Completed — never twice for two runs at once, then
// collects the expired ones; `restore create --from-schedule` restores the latest of them.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { downCluster, upCluster, type ClusterStatus } from '../hack/harness/cluster.ts';
import { repoRoot } from '../hack/harness/paths.ts';
import { isRunning } from '../hack/harness/processes.ts';
import { runCommand, type RunningCommand, startCommand } from './run-command.ts';

const plugin = join(repoRoot, 'bin', 'kubectl-velero');
const CLUSTER = `schedule-${process.pid}`;
const NS = 'shop';
let c: ClusterStatus;
let work: string;
let env: NodeJS.ProcessEnv;
let core: CoreV1Api;
/** Every process a test starts, stopped by it (and again here, whatever happened). */
const started: RunningCommand[] = [];

const velero = (args: string[], code = 0) => runCommand(plugin, [...args, '--kubeconfig', c.kubeconfig], env, code);

interface BackupJson {
  metadata: { name: string; labels?: Record<string, string> };
  status: { phase?: string; startTimestamp?: string };
}

async function backupsOf(schedule: string): Promise<BackupJson[]> {
  const r = await velero(['backup', 'get', '-o', 'json']);
  const parsed = JSON.parse(r.stdout) as BackupJson | { items: BackupJson[] };
  const items = 'items' in parsed ? parsed.items : [parsed];
  return items.filter((b) => b.metadata.labels?.['velero.io/schedule-name'] === schedule);
}

/** The backup names `schedule run` printed it took. */
const takenIn = (output: string) => [...output.matchAll(/is due: backup "([^"]+)"/g)].map((m) => m[1]!);

async function setPrice(value: string): Promise<void> {
  await core.replaceNamespacedConfigMap({ name: 'prices', namespace: NS, body: { metadata: { name: 'prices', namespace: NS }, data: { apple: value } } });
}

test.before(async () => {
  try {
    c = await upCluster(CLUSTER);
    work = mkdtempSync(join(tmpdir(), 'kv-schedule-'));
    env = { ...process.env, KUBECTL_VELERO_CONFIG: join(work, 'config.yaml') };
    delete env.FORCE_COLOR;
    const kc = new KubeConfig();
    kc.loadFromFile(c.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
    await core.createNamespace({ body: { metadata: { name: NS } } });
    await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: 'prices' }, data: { apple: '1' } } });
    await velero(['backup-location', 'create', 'minio', '--provider', 'aws', '--bucket', c.minio.bucket, '--config', `region=${c.minio.region},s3Url=${c.minio.endpoint},s3ForcePathStyle=true`, '--credential-file', c.minio.credentialsFile, '--default']);
  } catch (error) {
    // uvu does not report a failing before hook: say it, then fail.
    console.error('schedule e2e setup failed:', error);
    throw error;
  }
});

test.after(async () => {
  for (const p of started) if (!p.exited && p.child.pid && isRunning(p.child.pid)) p.child.kill('SIGKILL');
  await downCluster(CLUSTER);
  if (work) rmSync(work, { recursive: true, force: true });
});

test('schedule create; a bad cron, an unknown flag, an existing name: one error line, nothing created', async () => {
  const created = await velero(['schedule', 'create', 'daily', '--schedule', '0 2 * * *', '--include-namespaces', NS, '--ttl', '168h']);
  assert.match(created.stdout, /^Schedule "daily" created successfully\./);
  for (const [args, message] of [
    [['schedule', 'create', 'broken', '--schedule', '0 2 * *'], /^error: invalid schedule "0 2 \* \*": expected 5 fields \(minute hour day-of-month month day-of-week\), found 4\n$/],
    [['schedule', 'create', 'broken', '--schedule', '@daily', '--frequency', 'often'], /^error: Unsupported option name \("--frequency"\): see kubectl velero schedule create --help\n$/],
    [['schedule', 'create', 'daily', '--schedule', '@hourly'], /^error: schedule "daily" already exists in s3:\/\/.*: choose another name or delete it first\n$/],
  ] as const) {
    const r = await velero([...args], 1);
    assert.match(r.stderr, message);
    assert.is(r.stdout, '');
  }
  const names = JSON.parse((await velero(['schedule', 'get', '-o', 'json'])).stdout);
  assert.is(names.kind, 'Schedule', 'only "daily" exists');
  assert.is(names.spec.schedule, '0 2 * * *', 'and it is unchanged');
});

test('schedule get and describe: Velero\'s columns and layout', async () => {
  const table = (await velero(['schedule', 'get'])).stdout.trimEnd().split('\n');
  assert.equal(table[0]!.split(/\s{2,}/), ['NAME', 'STATUS', 'CREATED', 'SCHEDULE', 'BACKUP TTL', 'LAST BACKUP', 'SELECTOR', 'PAUSED']);
  assert.match(table[1]!, /^daily\s+Enabled\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC\s+0 2 \* \* \*\s+168h0m0s\s+n\/a\s+<none>\s+false$/);
  const yaml = (await velero(['schedule', 'get', 'daily', '-o', 'yaml'])).stdout;
  assert.match(yaml, /^apiVersion: velero.io\/v1\nkind: Schedule\n/);
  const text = (await velero(['schedule', 'describe', 'daily'])).stdout;
  assert.match(text, /^Name:         daily\nNamespace:    velero\n/);
  assert.match(text, /\nPhase:  Enabled\n\nPaused:  false\n\nSchedule:  0 2 \* \* \*\n\nBackup Template:\n  Namespaces:\n    Included:  shop\n/);
  assert.match(text, /\nLast Backup:  <never>\nNext Backup:  due now/);
});

test('schedule run takes <schedule>-<timestamp>, Completed and labelled; a second run takes none', async () => {
  const before = Date.now();
  const first = await velero(['schedule', 'run']);
  const taken = takenIn(first.stdout);
  assert.is(taken.length, 1, first.stdout);
  const name = taken[0]!;
  assert.match(name, /^daily-\d{14}$/);
  const stamp = name.slice('daily-'.length);
  const at = Date.parse(`${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(8, 10)}:${stamp.slice(10, 12)}:${stamp.slice(12, 14)}Z`);
  assert.ok(at >= Math.floor(before / 1000) * 1000 - 1000 && at <= Date.now(), `${name} is named after when it was taken, in UTC`);
  assert.match(first.stdout, new RegExp(`Backup "${name}" completed`));
  const backup = JSON.parse((await velero(['backup', 'get', name, '-o', 'json'])).stdout) as BackupJson & { spec: { includedNamespaces: string[]; ttl: string } };
  assert.is(backup.status.phase, 'Completed');
  assert.is(backup.metadata.labels?.['velero.io/schedule-name'], 'daily');
  assert.equal(backup.spec.includedNamespaces, [NS]);
  assert.is(backup.spec.ttl, '168h0m0s');
  const schedule = JSON.parse((await velero(['schedule', 'get', 'daily', '-o', 'json'])).stdout);
  assert.is(schedule.status.lastBackup, new Date(at).toISOString().replace('.000Z', 'Z'));

  const second = await velero(['schedule', 'run']);
  assert.equal(takenIn(second.stdout), []);
  assert.match(second.stdout, /Schedule "daily" is not due: next backup at \d{4}-\d\d-\d\d 02:00:00 \+0000 UTC\./);
  assert.is((await backupsOf('daily')).length, 1);
  assert.match((await velero(['schedule', 'get'])).stdout, /\n\s*daily\s+Enabled.*\s\d+s ago\s/);
});

test('@every 5s with --loop takes at least two backups in 12 s, then stops on SIGINT', async () => {
  await velero(['schedule', 'create', 'often', '--schedule', '@every 5s', '--include-namespaces', NS]);
  const loop = startCommand(plugin, ['schedule', 'run', 'often', '--loop', '--kubeconfig', c.kubeconfig], env);
  started.push(loop);
  await new Promise((resolve) => setTimeout(resolve, 12_000));
  assert.not.ok(loop.exited, loop.output);
  loop.child.kill('SIGINT');
  const stopped = await Promise.race([loop.exit, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 30_000))]);
  assert.is.not(stopped, 'timeout', `--loop did not stop on SIGINT:\n${loop.output}`);
  const taken = takenIn(loop.output);
  assert.ok(taken.length >= 2, loop.output);
  const backups = await backupsOf('often');
  // One may have been cut by the SIGINT (recorded Failed); the others completed.
  assert.ok(backups.filter((b) => b.status.phase === 'Completed').length >= 2, JSON.stringify(backups.map((b) => [b.metadata.name, b.status.phase])));
  assert.ok(stopped !== 'timeout' && (stopped.code === 0 || stopped.code === 130), loop.output);
  await velero(['schedule', 'pause', 'often']);
});

test('two schedule runs started at once take one backup', async () => {
  // Not due again within the test, whenever it runs (an @daily race at midnight would take two).
  await velero(['schedule', 'create', 'race', '--schedule', '0 0 1 1 *', '--include-namespaces', NS]);
  const [a, b] = await Promise.all([velero(['schedule', 'run', 'race']), velero(['schedule', 'run', 'race'])]);
  const taken = [...takenIn(a.stdout), ...takenIn(b.stdout)];
  assert.is(taken.length, 1, `${a.stdout}\n---\n${b.stdout}`);
  const other = takenIn(a.stdout).length ? b.stdout : a.stdout;
  assert.match(other, /Schedule "race" is (being taken by another schedule run \(.*\): skip|not due: next backup at .*)\./);
  const backups = await backupsOf('race');
  assert.is(backups.length, 1);
  assert.is(backups[0]!.status.phase, 'Completed');
});

test('at the end of a run, expired backups are garbage-collected', async () => {
  // Due once now (never taken), then not before next New Year: an hourly schedule created just before
  // the hour was due again by the second run and took a second backup (seen at 16:00 in CI).
  await velero(['schedule', 'create', 'brief', '--schedule', '0 0 1 1 *', '--include-namespaces', NS, '--ttl', '8s']);
  const [name] = takenIn((await velero(['schedule', 'run', 'brief'])).stdout);
  assert.ok(name);
  const backup = JSON.parse((await velero(['backup', 'get', name, '-o', 'json'])).stdout) as { status: { expiration: string } };
  await new Promise((resolve) => setTimeout(resolve, Math.max(0, Date.parse(backup.status.expiration) - Date.now() + 1500)));
  const second = await velero(['schedule', 'run', 'brief']);
  assert.equal(takenIn(second.stdout), []);
  assert.match(second.stdout, new RegExp(`Backup "${name}" deleted: expired `));
  assert.match(second.stdout, /Garbage collection done: 1 backup deleted/);
  await velero(['backup', 'get', name], 1);
  await velero(['schedule', 'delete', 'brief', '--confirm']);
});

test('a paused schedule takes no backup', async () => {
  await velero(['schedule', 'create', 'held', '--schedule', '@hourly', '--include-namespaces', NS]);
  assert.is((await velero(['schedule', 'pause', 'held'])).stdout, 'Schedule held paused successfully\n');
  const r = await velero(['schedule', 'run', 'held']);
  assert.match(r.stdout, /Schedule "held" is paused, skip\./);
  assert.equal(takenIn(r.stdout), []);
  assert.is((await backupsOf('held')).length, 0);
  assert.match((await velero(['schedule', 'get', 'held'])).stdout, /\sheld\s+Enabled.*\strue\n$/);
});

test('backup create --from-schedule, then restore create --from-schedule restores the latest', async () => {
  await setPrice('2');
  const made = await velero(['backup', 'create', '--from-schedule', 'daily']);
  assert.match(made.stdout, /^Creating backup from schedule, all other filters are ignored\.\nBackup "daily-\d{14}" completed/);
  const name = /Backup "(daily-\d{14})"/.exec(made.stdout)![1]!;
  const latest = JSON.parse((await velero(['backup', 'get', name, '-o', 'json'])).stdout) as BackupJson;
  assert.is(latest.metadata.labels?.['velero.io/schedule-name'], 'daily');
  assert.is((await backupsOf('daily')).length, 2);

  await core.deleteNamespacedConfigMap({ name: 'prices', namespace: NS });
  const restored = await velero(['restore', 'create', '--from-schedule', 'daily']);
  assert.match(restored.stdout, new RegExp(`from backup "${name}" completed`));
  const cm = await core.readNamespacedConfigMap({ name: 'prices', namespace: NS });
  assert.equal(cm.data, { apple: '2' }, 'the latest backup of the schedule was restored');
});

test('schedule delete removes the schedule and leaves its backups', async () => {
  const r = await velero(['schedule', 'delete', 'daily', '--confirm']);
  assert.is(r.stdout, 'Schedule deleted: daily\n');
  const gone = await velero(['schedule', 'get', 'daily'], 1);
  assert.match(gone.stderr, /^error: schedule "daily" not found in /);
  assert.is((await backupsOf('daily')).length, 2);
  const run = await velero(['schedule', 'run', 'daily'], 1);
  assert.match(run.stderr, /^error: schedule "daily" not found/);
});

test.run();
