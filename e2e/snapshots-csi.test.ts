// CSI snapshots on real nodes with a real CSI driver (hack/cluster up --csi: our host-path driver
// behind the upstream csi-provisioner, csi-snapshotter and snapshot-controller): PostgreSQL on a
// csi-hostpath claim with known rows; a snapshot backup whose CHECKPOINT pre hook runs before the
// snapshot; the namespace deleted; the restore provisions the claim from the snapshot and every row
// is back. Then --snapshot-move-data: the snapshot's files go into the location's repository, the
// temporary claim, pod and snapshot go, and cluster B (which never had the snapshot) restores it
// under another namespace name. `backup delete` deletes the storage snapshot; a snapshot that never
// becomes ready leaves a PartiallyFailed backup naming the claim, and nothing behind.
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { downCluster, provider, type ClusterStatus } from '../hack/harness/cluster.ts';
import { minioClient } from '../hack/harness/minio.ts';
import { imageRef } from '../hack/images-lib/recipes.ts';
import { dbdata, eventually, fixture, kubectl } from './fixtures/node-helpers.ts';
import { pluginCli } from './fixtures/plugin-cli.ts';

const A = `csi-a-${process.pid}`;
const B = `csi-b-${process.pid}`;
const NS = 'pg';
const ROWS = 20_000;
const HELPER = ['--volume-helper-image', imageRef('tools')];
let a: ClusterStatus;
let b: ClusterStatus;
let work: string;
let env: NodeJS.ProcessEnv;
let sum = '';

const velero = pluginCli(() => env);

/** The driver's snapshots on disk (hack/tools/csi/hostpath keeps one directory per snapshot). */
function driverSnapshots(cluster: ClusterStatus): string[] {
  try {
    return readdirSync(join(dirname(cluster.kubeconfig), 'csi', 'state', 'snapshots'));
  } catch {
    return [];
  }
}

/** The PostgreSQL fixture with its claim on the CSI class. */
function postgresOnCsi(): string {
  const yaml = readFileSync(fixture('postgres.yaml'), 'utf8').replace('        accessModes: [ReadWriteOnce]', '        accessModes: [ReadWriteOnce]\n        storageClassName: csi-hostpath');
  assert.match(yaml, /storageClassName: csi-hostpath/);
  const file = join(work, 'postgres-csi.yaml');
  writeFileSync(file, yaml);
  return file;
}

async function names(cluster: ClusterStatus, args: string[]): Promise<string[]> {
  return (await kubectl(cluster.kubeconfig, ['get', ...args, '-o', 'name'])).stdout.split('\n').filter(Boolean);
}

test.before(async () => {
  try {
    [a, b] = await Promise.all([provider().up(A, { node: true, csi: true }), provider().up(B, { node: true, csi: true })]);
  } catch (error) {
    console.error('clusters with a CSI driver failed to start:', error);
    throw error;
  }
  work = mkdtempSync(join(tmpdir(), 'kv-csi-e2e-'));
  env = { ...process.env, KUBECTL_VELERO_CONFIG: join(work, 'config.yaml') };
  await velero(['backup-location', 'create', 'minio', '--provider', 'aws', '--bucket', a.minio.bucket, '--config', `region=${a.minio.region},s3Url=${a.minio.endpoint},s3ForcePathStyle=true`, '--credential-file', a.minio.credentialsFile, '--default']);
  await kubectl(a.kubeconfig, ['create', 'namespace', NS]);
  await kubectl(a.kubeconfig, ['apply', '-n', NS, '-f', postgresOnCsi()]);
  await kubectl(a.kubeconfig, ['rollout', 'status', '-n', NS, 'statefulset/postgres', '--timeout=300s'], { timeoutMs: 320_000 });
  sum = await dbdata(a.kubeconfig, ['write', '--db', 'postgres', '-n', NS, '--rows', String(ROWS)]);
  // The harness's driver snapshots by copying files, which is not a point-in-time image: let the
  // autovacuum that 20,000 fresh rows trigger be done before, so only the hook's CHECKPOINT matters.
  await kubectl(a.kubeconfig, ['exec', '-n', NS, 'postgres-0', '--', 'psql', '-U', 'postgres', '-d', 'kvdata', '-c', 'VACUUM ANALYZE']);
  await kubectl(a.kubeconfig, ['annotate', 'pod', '-n', NS, 'postgres-0', '--overwrite', `pre.hook.backup.velero.io/command=${JSON.stringify(['psql', '-U', 'postgres', '-c', 'CHECKPOINT'])}`]);
});

test.after(async () => {
  await Promise.all([downCluster(A), downCluster(B)]);
  rmSync(work, { recursive: true, force: true });
});

test('a CSI snapshot backup: the pre hook runs before the snapshot, Velero\'s CSI files are written, no snapshot object stays in the cluster', async () => {
  const pv = (await kubectl(a.kubeconfig, ['get', 'pvc', '-n', NS, 'data-postgres-0', '-o', 'jsonpath={.spec.volumeName}'])).stdout;
  assert.is((await kubectl(a.kubeconfig, ['get', 'pv', pv, '-o', 'jsonpath={.spec.csi.driver}'])).stdout, 'hostpath.csi.k8s.io');
  const out = await velero(['backup', 'create', 'snap-1', '--include-namespaces', NS, '--kubeconfig', a.kubeconfig]);
  assert.match(out.stdout, /Backup "snap-1" completed/);
  const logs = (await velero(['backup', 'logs', 'snap-1'])).stdout;
  const hook = logs.search(/msg="exec hook completed".*hookPhase=pre.*pod=pg\/postgres-0/);
  const snapshot = logs.search(/Created VolumeSnapshot pg\/velero-data-postgres-0-\w+ of claim pg\/data-postgres-0/);
  assert.ok(hook >= 0 && snapshot > hook, `the pre hook (done at ${hook}) runs before the snapshot (at ${snapshot}):\n${logs}`);
  assert.match(logs, /CSI snapshots: 1 of 1 ready/);

  const described = (await velero(['backup', 'describe', 'snap-1', '--details'])).stdout;
  assert.match(described, /CSI Snapshots:\n\s+pg\/data-postgres-0:\n\s+Snapshot:\n\s+Operation ID: pg\/velero-data-postgres-0-\w+\/\S+\n\s+Snapshot Content Name: snapcontent-[\w-]+\n\s+Storage Snapshot ID: \S+\n\s+Snapshot Size \(bytes\): \d+\n\s+CSI Driver: hostpath.csi.k8s.io\n\s+Result: succeeded\n/);
  assert.match(described, /Backup Item Operations:\n\s+Operation for volumesnapshots.snapshot.storage.k8s.io pg\/velero-data-postgres-0-\w+:\n\s+Backup Item Action Plugin:\s+velero.io\/csi-volumesnapshot-backupper/);
  assert.match((await velero(['backup', 'describe', 'snap-1'])).stdout, /Backup Item Operations:\s+1 of 1 completed successfully, 0 failed/);
  const resources = (await velero(['backup', 'describe', 'snap-1', '--details'])).stdout;
  for (const kind of ['snapshot.storage.k8s.io/v1/VolumeSnapshot:', 'snapshot.storage.k8s.io/v1/VolumeSnapshotContent:', 'snapshot.storage.k8s.io/v1/VolumeSnapshotClass:']) assert.ok(resources.includes(kind), `${kind} in the resource list`);

  const creds = readFileSync(a.minio.credentialsFile, 'utf8');
  const read = (k: string) => new RegExp(`^${k}\\s*=\\s*(.*)$`, 'm').exec(creds)?.[1]?.trim() ?? '';
  const keys: string[] = [];
  for await (const o of minioClient(a.minio.endpoint, { accessKey: read('aws_access_key_id'), secretKey: read('aws_secret_access_key') }, a.minio.region).listObjectsV2(a.minio.bucket, 'backups/snap-1/', true)) keys.push(o.name!);
  for (const f of ['csi-volumesnapshots', 'csi-volumesnapshotcontents', 'csi-volumesnapshotclasses', 'volumeinfo', 'itemoperations']) assert.ok(keys.includes(`backups/snap-1/snap-1-${f}.json.gz`), `${f} file in ${keys.join(', ')}`);

  // As Velero: the snapshot objects leave the cluster, the storage snapshot stays for the backup.
  assert.equal(await names(a, ['volumesnapshots', '-A']), []);
  assert.equal(await names(a, ['volumesnapshotcontents']), []);
  assert.is(driverSnapshots(a).length, 1, 'the storage snapshot is kept');
});

test('the namespace deleted, the restore provisions the claim from the snapshot and every row is back', async () => {
  await kubectl(a.kubeconfig, ['delete', 'namespace', NS, '--wait=true', '--timeout=240s'], { timeoutMs: 250_000 });
  const out = await velero(['restore', 'create', 'r-snap-1', '--from-backup', 'snap-1', '--kubeconfig', a.kubeconfig]);
  assert.match(out.stdout, /Restore "r-snap-1" from backup "snap-1" completed/);
  await kubectl(a.kubeconfig, ['rollout', 'status', '-n', NS, 'statefulset/postgres', '--timeout=300s'], { timeoutMs: 320_000 });
  assert.is(await dbdata(a.kubeconfig, ['checksum', '--db', 'postgres', '-n', NS]), sum);
  const source = (await kubectl(a.kubeconfig, ['get', 'pvc', '-n', NS, 'data-postgres-0', '-o', 'jsonpath={.spec.dataSource.kind}/{.spec.dataSource.name}'])).stdout;
  assert.match(source, /^VolumeSnapshot\/[0-9a-f]{64}$/);
  const ready = (await kubectl(a.kubeconfig, ['get', 'volumesnapshot', '-n', NS, source.split('/')[1]!, '-o', 'jsonpath={.status.readyToUse}'])).stdout;
  assert.is(ready, 'true');
});

test('--snapshot-move-data: the snapshot\'s files go into the repository; the temporary claim, pod and snapshot go', async () => {
  await kubectl(a.kubeconfig, ['annotate', 'pod', '-n', NS, 'postgres-0', '--overwrite', `pre.hook.backup.velero.io/command=${JSON.stringify(['psql', '-U', 'postgres', '-c', 'CHECKPOINT'])}`]);
  const before = driverSnapshots(a).length;
  const out = await velero(['backup', 'create', 'move-1', '--include-namespaces', NS, '--snapshot-move-data', ...HELPER, '--kubeconfig', a.kubeconfig]);
  assert.match(out.stdout, /Backup "move-1" completed/);
  const described = (await velero(['backup', 'describe', 'move-1', '--details'])).stdout;
  assert.match(described, /pg\/data-postgres-0:\n\s+Data Movement:\n\s+Operation ID: du-\S+\n\s+Data Mover: kubectl-velero\n\s+Uploader Type: kubectl-velero\n\s+Moved data Size \(bytes\): [1-9]\d*\n/);
  assert.match(described, /Pod Volume Backups - kubectl-velero:\n\s+Completed:\n\s+pg\/postgres-0: data \(size: \d+\)/);
  assert.equal(await names(a, ['pods,pvc', '-n', NS, '-l', 'kubectl-velero.io/snapshot-mover']), []);
  assert.equal(await names(a, ['volumesnapshots', '-n', NS, '-l', 'velero.io/backup-name=move-1']), []);
  assert.is(driverSnapshots(a).length, before, 'the moved snapshot is deleted from the driver');
});

test('backup delete deletes the storage snapshot of a CSI backup', async () => {
  assert.is(driverSnapshots(a).length, 1);
  const out = await velero(['backup', 'delete', 'snap-1', '--confirm', '--kubeconfig', a.kubeconfig]);
  assert.match(out.stdout, /Backup "snap-1" deleted \(and 1 storage snapshot\)/);
  assert.equal(driverSnapshots(a), []);
  // The temporary content that made the driver delete it is gone too (the restored one stays, Retain).
  assert.equal((await names(a, ['volumesnapshotcontents'])).filter((n) => n.includes('/vsc-')), []);
});

test('the moved data restores into cluster B, which never had the snapshot, under a new namespace name', async () => {
  const out = await velero(['restore', 'create', 'm-move-1', '--from-backup', 'move-1', '--namespace-mappings', `${NS}:pg-b`, ...HELPER, '--kubeconfig', b.kubeconfig]);
  assert.match(out.stdout, /completed/);
  await kubectl(b.kubeconfig, ['rollout', 'status', '-n', 'pg-b', 'statefulset/postgres', '--timeout=300s'], { timeoutMs: 320_000 });
  assert.is(await dbdata(b.kubeconfig, ['checksum', '--db', 'postgres', '-n', 'pg-b']), sum);
  assert.is((await kubectl(b.kubeconfig, ['get', 'pvc', '-n', 'pg-b', 'data-postgres-0', '-o', 'jsonpath={.spec.storageClassName}'])).stdout, 'csi-hostpath');
});

test('a snapshot that never becomes ready: PartiallyFailed after the timeout, naming the claim, nothing left behind', async () => {
  // A class whose secret does not exist: the snapshotter cannot take the snapshot, and says so.
  writeFileSync(join(work, 'broken.yaml'), `apiVersion: snapshot.storage.k8s.io/v1
kind: VolumeSnapshotClass
metadata: { name: broken-class }
driver: hostpath.csi.k8s.io
deletionPolicy: Delete
parameters:
  csi.storage.k8s.io/snapshotter-secret-name: no-such-secret
  csi.storage.k8s.io/snapshotter-secret-namespace: default
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: stuck, namespace: ${NS}, annotations: { velero.io/csi-volumesnapshot-class: broken-class } }
spec: { accessModes: [ReadWriteOnce], storageClassName: csi-hostpath, resources: { requests: { storage: 10Mi } } }
`);
  await kubectl(a.kubeconfig, ['apply', '-f', join(work, 'broken.yaml')]);
  await eventually('the claim bound', async () => (await kubectl(a.kubeconfig, ['get', 'pvc', '-n', NS, 'stuck', '-o', 'jsonpath={.status.phase}'])).stdout === 'Bound');
  const out = await velero(['backup', 'create', 'stuck-1', '--include-namespaces', NS, '--csi-snapshot-timeout', '20s', '--kubeconfig', a.kubeconfig], 0);
  assert.match(out.stdout, /finished with phase PartiallyFailed/);
  assert.match(out.stderr, /CSI snapshot of claim pg\/stuck failed: VolumeSnapshot pg\/velero-stuck-\w+ was not ready within 20s/);
  const described = (await velero(['backup', 'describe', 'stuck-1', '--details'])).stdout;
  assert.match(described, /pg\/stuck:\n\s+Snapshot:\n[\s\S]*?Result: failed/);
  // The claim itself is still in the backup; the other claim's snapshot succeeded.
  assert.match(described, /v1\/PersistentVolumeClaim:\n\s+- pg\/data-postgres-0\n\s+- pg\/stuck/);
  await eventually('no snapshot of stuck-1 left', async () => (await names(a, ['volumesnapshots', '-A', '-l', 'velero.io/backup-name=stuck-1'])).length === 0 && (await names(a, ['volumesnapshotcontents'])).every((n) => !n.includes('stuck')));
});

test.run();
