// A schedule run by the cluster itself, on a real node: `schedule create --install` puts a CronJob
// (the plugin's image from `make image`, imported without a registry), its least-privilege
// ServiceAccount and a Secret with the location into the cluster; the CronJob's runs take the
// backups — with volume data, the second deduplicated against the first — and collect the expired
// ones; `backup gc` and `repo check` agree; `schedule delete` leaves nothing behind.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { provider, type ClusterStatus } from '../hack/harness/cluster.ts';
import { repoRoot } from '../hack/harness/paths.ts';
import { buildPluginImage, importPluginImage } from './fixtures/plugin-image.ts';
import { backupsOfSchedule, dataPodYaml } from './fixtures/scheduled-backups.ts';
import { runCommand } from './run-command.ts';

const plugin = join(repoRoot, 'bin', 'kubectl-velero');
const CLUSTER = `sched-incluster-${process.pid}`;
const SA = 'system:serviceaccount:velero:kubectl-velero-nightly';
let c: ClusterStatus;
let work: string;
let env: NodeJS.ProcessEnv;
let image: string;

const velero = (args: string[], code = 0) => runCommand(plugin, [...args, '--kubeconfig', c.kubeconfig], env, code);
const kubectl = (args: string[], code = 0) => runCommand('kubectl', ['--kubeconfig', c.kubeconfig, ...args], env, code);

const backupsOf = (schedule: string) => backupsOfSchedule(velero, schedule);

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 3000));
  }
}

/** Everything `schedule install` makes carries these labels; nothing else in the cluster does. */
async function labelled(schedule: string): Promise<string[]> {
  const out = await kubectl(['get', 'cronjobs,jobs,pods,serviceaccounts,secrets,rolebindings,clusterroles,clusterrolebindings', '-A', '-l', `app.kubernetes.io/managed-by=kubectl-velero,velero.io/schedule-name=${schedule}`, '-o', 'name']);
  return out.stdout.split('\n').filter(Boolean);
}

const seen = new Set<string>();

test.before(async () => {
  try {
    // The image builds while the cluster starts: two independent minutes.
    const [cluster, archive] = await Promise.all([provider().up(CLUSTER, { node: true }), buildPluginImage()]);
    c = cluster;
    image = await importPluginImage(c.node!.containerdSocket, archive);
    work = mkdtempSync(join(tmpdir(), 'kv-sched-incluster-'));
    env = { ...process.env, KUBECTL_VELERO_CONFIG: join(work, 'config.yaml') };
    delete env.FORCE_COLOR;
    // MinIO at the address pods reach it by (the node forwards it), which this machine reaches too.
    await velero(['backup-location', 'create', 'minio', '--provider', 'aws', '--bucket', c.minio.bucket, '--config', `region=${c.minio.region},s3Url=${c.node!.minioInCluster},s3ForcePathStyle=true`, '--credential-file', c.minio.credentialsFile, '--default']);
    for (const ns of ['shop', 'payroll']) await kubectl(['create', 'namespace', ns]);
    await kubectl(['create', 'configmap', 'prices', '-n', 'shop', '--from-literal=apple=1']);
    await kubectl(['create', 'secret', 'generic', 'salaries', '-n', 'payroll', '--from-literal=ceo=a lot']);
    // A pod whose volume is backed up (so the ServiceAccount needs exec, in shop only): 4 MB of random data.
    await runCommand('kubectl', ['--kubeconfig', c.kubeconfig, 'apply', '-n', 'shop', '-f', writePod()], env);
    await kubectl(['wait', '-n', 'shop', '--for=condition=Ready', 'pod/data', '--timeout=120s']);
  } catch (error) {
    console.error('schedule-in-cluster e2e setup failed:', error);
    throw error;
  }
});

function writePod(): string {
  const file = join(work, 'pod.yaml');
  writeFileSync(file, dataPodYaml({ name: 'data', annotations: { 'backup.velero.io/backup-volumes': 'data' }, script: 'head -c 4000000 /dev/urandom > /data/blob', volume: { emptyDir: {} } }));
  return file;
}

test.after(async () => {
  if (c) await provider().down(CLUSTER);
  if (work) rmSync(work, { recursive: true, force: true });
});

test('a schedule that cannot be installed: one error line, nothing stored, nothing in the cluster', async () => {
  const every = await velero(['schedule', 'create', 'hourly', '--schedule', '@every 1h', '--install', '--image', image], 1);
  assert.match(every.stderr, /^error: a CronJob cannot run "@every 1h" .*schedule run --loop` running\n$/);
  const pullPolicy = await velero(['schedule', 'create', 'hourly', '--schedule', '@hourly', '--install', '--image-pull-policy', 'Sometimes'], 1);
  assert.match(pullPolicy.stderr, /^error: invalid --image-pull-policy "Sometimes": use Always, IfNotPresent, Never\n$/);
  assert.not.match((await velero(['schedule', 'get'])).stdout, /hourly/);
  assert.equal(await labelled('hourly'), []);
});

test('installed with */1: within 3 minutes the CronJob takes a Completed backup, as a ServiceAccount that cannot read what it does not back up', async () => {
  const out = await velero(['schedule', 'create', 'nightly', '--schedule', '*/1 * * * *', '--include-namespaces', 'shop', '--ttl', '1m', '--install', '--image', image, '--image-pull-policy', 'Never']);
  assert.match(out.stdout, /^Schedule "nightly" created successfully\.\nSchedule "nightly" installed: CronJob velero\/kubectl-velero-nightly runs/);
  assert.match(out.stdout, /reads: +shop\n/);
  assert.match(out.stdout, /exec into pods: +shop\n/);
  const cron = JSON.parse((await kubectl(['get', 'cronjob', '-n', 'velero', 'kubectl-velero-nightly', '-o', 'json'])).stdout) as { spec: { schedule: string; timeZone: string; concurrencyPolicy: string } };
  assert.equal([cron.spec.schedule, cron.spec.timeZone, cron.spec.concurrencyPolicy], ['*/1 * * * *', 'UTC', 'Forbid']);

  const first = await eventually('a Completed backup of schedule nightly', async () => (await backupsOf('nightly')).find((b) => b.status.phase === 'Completed'), 180_000);
  seen.add(first.metadata.name);
  assert.match(first.metadata.name, /^nightly-\d{14}$/);
  // The backup came from the CronJob's pod, which runs as the schedule's own ServiceAccount.
  const pods = JSON.parse((await kubectl(['get', 'pods', '-n', 'velero', '-l', 'velero.io/schedule-name=nightly', '-o', 'json'])).stdout) as { items: { metadata: { name: string }; spec: { serviceAccountName: string } }[] };
  assert.ok(pods.items.length > 0);
  for (const p of pods.items) assert.is(p.spec.serviceAccountName, 'kubectl-velero-nightly');
  const logs = await Promise.all(pods.items.map(async (p) => (await kubectl(['logs', '-n', 'velero', p.metadata.name])).stdout));
  assert.ok(logs.some((l) => l.includes(`Backup "${first.metadata.name}" completed`)), logs.join('\n---\n'));
  // What the ServiceAccount may do: read shop; not read payroll, nor exec there, nor write anywhere.
  // kubectl auth can-i exits 1 when the answer is no.
  const cannot = async (args: string[]) => (await kubectl(['auth', 'can-i', ...args, '--as', SA], 1)).stdout.trim();
  assert.is((await kubectl(['auth', 'can-i', 'list', 'secrets', '-n', 'shop', '--as', SA])).stdout.trim(), 'yes');
  assert.is(await cannot(['list', 'secrets', '-n', 'payroll']), 'no');
  assert.is(await cannot(['get', 'configmaps', '-n', 'payroll']), 'no');
  assert.is(await cannot(['create', 'pods/exec', '-n', 'payroll']), 'no');
  assert.is(await cannot(['create', 'configmaps', '-n', 'shop']), 'no');
  const denied = await kubectl(['get', 'secret', 'salaries', '-n', 'payroll', '--as', SA], 1);
  assert.match(denied.stderr, /forbidden/);
  // And the backup holds shop, not payroll.
  const contents = (await velero(['backup', 'describe', first.metadata.name, '--details'])).stdout;
  assert.match(contents, /shop\/prices/);
  assert.not.match(contents, /salaries/);
});

test("the next run's volume data deduplicates against the first", async () => {
  const second = await eventually('a second Completed backup', async () => (await backupsOf('nightly')).find((b) => b.status.phase === 'Completed' && !seen.has(b.metadata.name)), 150_000);
  seen.add(second.metadata.name);
  const logs = (await velero(['backup', 'logs', second.metadata.name])).stdout;
  const m = /File-system backup: 1 of 1 volumes, (\d+) bytes read, (\d+) bytes uploaded/.exec(logs);
  assert.ok(m, logs);
  const [read, uploaded] = [Number(m[1]), Number(m[2])];
  assert.ok(read >= 4_000_000, `read ${read}`);
  // Only the new snapshot's index and manifest: the 4 MB of chunks are already in the repository.
  assert.ok(uploaded < read / 20, `uploaded ${uploaded} of ${read} bytes`);
});

test('paused, expired, collected: backup gc deletes what the TTL let go and repo check is clean', async () => {
  const paused = await velero(['schedule', 'pause', 'nightly']);
  assert.match(paused.stdout, /Schedule nightly paused successfully \(its CronJob suspended\)/);
  assert.is((await kubectl(['get', 'cronjob', '-n', 'velero', 'kubectl-velero-nightly', '-o', 'jsonpath={.spec.suspend}'])).stdout, 'true');
  // No run in progress any more, then every backup past its 1-minute TTL.
  await eventually('no running CronJob run', async () => ((await kubectl(['get', 'cronjob', '-n', 'velero', 'kubectl-velero-nightly', '-o', 'jsonpath={.status.active}'])).stdout.trim() === '' ? true : undefined), 120_000);
  const left = await backupsOf('nightly');
  assert.ok(left.length > 0, 'the last backup is still there (the run that took it collected only older ones)');
  const latest = Math.max(...left.map((b) => Date.parse(b.status.expiration ?? '')));
  await new Promise((r) => setTimeout(r, Math.max(0, latest - Date.now()) + 2000));
  const gc = await velero(['backup', 'gc']);
  assert.match(gc.stdout, new RegExp(`Garbage collection done: ${left.length} backups? deleted`));
  assert.equal(await backupsOf('nightly'), []);
  assert.match((await velero(['repo', 'check'])).stdout, /No problems found/);
  const described = (await velero(['schedule', 'describe', 'nightly'])).stdout;
  assert.match(described, /CronJob: +velero\/kubectl-velero-nightly \(suspended\)/);
  assert.match(described, /Last run: +kubectl-velero-nightly-\d+ Succeeded/);
  assert.match(described, /Garbage collection done/);
});

test('schedule delete leaves nothing in the cluster', async () => {
  assert.ok((await labelled('nightly')).length >= 8, 'installed objects are found by their labels');
  const out = await velero(['schedule', 'delete', 'nightly', '--confirm']);
  assert.match(out.stdout, /Removed from the cluster: \d+ objects of schedule nightly/);
  assert.match(out.stdout, /Schedule deleted: nightly\n$/);
  assert.equal(await labelled('nightly'), []);
  assert.not.match((await velero(['schedule', 'get'])).stdout, /nightly/);
  // The namespace it made for the CronJob stays: it is Velero's, not the schedule's.
  await kubectl(['get', 'namespace', 'velero']);
});

test.run();
