// A schedule run by the cluster itself, taking CSI snapshots (hack/cluster up --csi: our host-path
// driver behind the upstream csi-snapshotter and snapshot-controller): `schedule install` gives its
// ServiceAccount the snapshot access and nothing of it where the schedule does not back up; a run
// (a Job made from the CronJob) takes a Completed backup with a CSI snapshot as that account and
// leaves no snapshot object behind; a later run (not due again, so it only collects), once that
// backup has expired, deletes it and its storage snapshot (a content created and deleted by the
// account) and exits 0.
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { downCluster, provider, type ClusterStatus } from '../hack/harness/cluster.ts';
import { eventually, kubectl } from './fixtures/node-helpers.ts';
import { buildPluginImage, importPluginImage } from './fixtures/plugin-image.ts';
import { pluginCli } from './fixtures/plugin-cli.ts';
import { backupsOfSchedule, dataPodYaml } from './fixtures/scheduled-backups.ts';

const CLUSTER = `sched-csi-${process.pid}`;
const NS = 'shop';
const CRONJOB = 'kubectl-velero-snaps';
const SA = `system:serviceaccount:velero:${CRONJOB}`;
let c: ClusterStatus;
let work: string;
let env: NodeJS.ProcessEnv;
let image: string;
let first = '';

const velero = pluginCli(() => env, () => ['--kubeconfig', c.kubeconfig]);
const k = (args: string[], opts: { allowFail?: boolean } = {}) => kubectl(c.kubeconfig, args, opts);

/** The driver's snapshots on disk (hack/tools/csi/hostpath keeps one directory per snapshot). */
function driverSnapshots(): string[] {
  try {
    return readdirSync(join(dirname(c.kubeconfig), 'csi', 'state', 'snapshots'));
  } catch {
    return [];
  }
}

const backupsOf = (schedule: string) => backupsOfSchedule(velero, schedule);

/** A run of the CronJob now (its cron is far off): a Job made from it, waited for; its log. */
async function runCronJob(job: string): Promise<{ succeeded: boolean; log: string }> {
  await k(['create', 'job', '-n', 'velero', job, `--from=cronjob/${CRONJOB}`]);
  const succeeded = await eventually(
    `Job velero/${job} to finish`,
    async () => {
      const status = JSON.parse((await k(['get', 'job', '-n', 'velero', job, '-o', 'json'])).stdout) as { status?: { succeeded?: number; failed?: number } };
      return status.status?.succeeded ? true : status.status?.failed ? 'failed' : undefined;
    },
    300_000,
    2000,
  );
  const log = (await k(['logs', '-n', 'velero', `job/${job}`], { allowFail: true })).stdout;
  return { succeeded: succeeded === true, log };
}

function claimAndPod(): string {
  const file = join(work, 'claim.yaml');
  writeFileSync(
    file,
    `apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: data, namespace: ${NS}}
spec:
  accessModes: [ReadWriteOnce]
  storageClassName: csi-hostpath
  resources: {requests: {storage: 64Mi}}
---
${dataPodYaml({ name: 'app', namespace: NS, script: 'echo hello > /data/greeting', volume: { persistentVolumeClaim: { claimName: 'data' } } })}`,
  );
  return file;
}

test.before(async () => {
  try {
    // The image builds while the cluster starts.
    const [cluster, archive] = await Promise.all([provider().up(CLUSTER, { node: true, csi: true }), buildPluginImage()]);
    c = cluster;
    image = await importPluginImage(c.node!.containerdSocket, archive);
    work = mkdtempSync(join(tmpdir(), 'kv-sched-csi-'));
    env = { ...process.env, KUBECTL_VELERO_CONFIG: join(work, 'config.yaml') };
    delete env.FORCE_COLOR;
    await velero(['backup-location', 'create', 'minio', '--provider', 'aws', '--bucket', c.minio.bucket, '--config', `region=${c.minio.region},s3Url=${c.node!.minioInCluster},s3ForcePathStyle=true`, '--credential-file', c.minio.credentialsFile, '--default']);
    for (const ns of [NS, 'other']) await k(['create', 'namespace', ns]);
    await k(['apply', '-f', claimAndPod()]);
    await k(['wait', '-n', NS, '--for=condition=Ready', 'pod/app', '--timeout=180s']);
  } catch (error) {
    console.error('schedule-in-cluster-csi e2e setup failed:', error);
    throw error;
  }
});

test.after(async () => {
  if (c) await downCluster(CLUSTER);
  if (work) rmSync(work, { recursive: true, force: true });
});

test('installed: the ServiceAccount may snapshot in its namespace, and delete contents, and nothing of it elsewhere', async () => {
  const out = await velero(['schedule', 'create', 'snaps', '--schedule', '0 3 * * *', '--include-namespaces', NS, '--ttl', '1m', '--install', '--image', image, '--image-pull-policy', 'Never']);
  assert.match(out.stdout, /CSI snapshots: +shop\n/);
  assert.match(out.stdout, /exec into pods: +none\n/);
  const can = async (args: string[]) => (await k(['auth', 'can-i', ...args, '--as', SA], { allowFail: true })).stdout.trim();
  assert.is(await can(['create', 'volumesnapshots.snapshot.storage.k8s.io', '-n', NS]), 'yes');
  assert.is(await can(['delete', 'volumesnapshots.snapshot.storage.k8s.io', '-n', NS]), 'yes');
  assert.is(await can(['create', 'volumesnapshotcontents.snapshot.storage.k8s.io']), 'yes');
  assert.is(await can(['patch', 'volumesnapshotcontents.snapshot.storage.k8s.io']), 'yes');
  assert.is(await can(['list', 'volumesnapshotclasses.snapshot.storage.k8s.io']), 'yes');
  assert.is(await can(['create', 'volumesnapshots.snapshot.storage.k8s.io', '-n', 'other']), 'no');
  assert.is(await can(['update', 'volumesnapshotcontents.snapshot.storage.k8s.io']), 'no');
  // No --snapshot-move-data: no claims or pods of its own.
  assert.is(await can(['create', 'persistentvolumeclaims', '-n', NS]), 'no');
  assert.is(await can(['create', 'pods', '-n', NS]), 'no');
});

test('a run takes a Completed backup with a CSI snapshot, as the schedule\'s ServiceAccount, and leaves no snapshot object', async () => {
  const run = await runCronJob('snaps-run-1');
  assert.ok(run.succeeded, run.log);
  const backups = await backupsOf('snaps');
  assert.is(backups.length, 1, run.log);
  const backup = backups[0]!;
  first = backup.metadata.name;
  assert.match(run.log, new RegExp(`Backup "${first}" completed`));
  assert.is(backup.status.phase, 'Completed');
  assert.ok((backup.status.csiVolumeSnapshotsCompleted ?? 0) >= 1, JSON.stringify(backup.status));
  assert.is(backup.status.csiVolumeSnapshotsAttempted, backup.status.csiVolumeSnapshotsCompleted);
  assert.is(backup.status.errors ?? 0, 0);
  const logs = (await velero(['backup', 'logs', first])).stdout;
  assert.match(logs, /Created VolumeSnapshot shop\/velero-data-\w+ of claim shop\/data/);
  assert.match(logs, /CSI snapshots: 1 of 1 ready/);
  assert.equal((await k(['get', 'volumesnapshots', '-A', '-o', 'name'])).stdout.trim(), '');
  assert.equal((await k(['get', 'volumesnapshotcontents', '-o', 'name'])).stdout.trim(), '');
  assert.is(driverSnapshots().length, 1, 'the storage snapshot stays for the backup');
});

test('the next run, once the backup expired, deletes it with its storage snapshot and exits 0', async () => {
  assert.ok(first, 'the first run took a backup');
  const expiration = Date.parse((await backupsOf('snaps')).find((b) => b.metadata.name === first)?.status.expiration ?? '');
  assert.ok(Number.isFinite(expiration));
  await new Promise((r) => setTimeout(r, Math.max(0, expiration - Date.now()) + 2000));
  // Not due again before 03:00: this run only collects.
  const run = await runCronJob('snaps-run-2');
  assert.ok(run.succeeded, run.log);
  assert.match(run.log, new RegExp(first), run.log);
  assert.equal(await backupsOf('snaps'), [], run.log);
  // The storage snapshot went with it, through a content the account created and deleted.
  assert.equal(driverSnapshots(), [], run.log);
  assert.equal((await k(['get', 'volumesnapshotcontents', '-o', 'name'])).stdout.trim(), '');
});

test.run();
