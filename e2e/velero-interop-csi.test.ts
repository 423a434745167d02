// CSI snapshots with a stock Velero (v1.18, `--features=EnableCSI`, hack/harness/velero.ts), both
// ways, on a real node with the harness's CSI driver: PostgreSQL on a csi-hostpath claim with known
// rows. Our snapshot backup is synced by Velero and restored by Velero — the claim provisioned from
// the snapshot through Velero's own CSI restore actions, reading the VolumeSnapshot, content and
// volume info we wrote — with every row back. Velero's CSI backup of the same is restored by us,
// with every row back.
//
// And Velero's file-system backup, for real: its node agent runs in the cluster (a DaemonSet on
// Velero's own binary, startNodeAgent), and a pod's emptyDir opted in with
// backup.velero.io/backup-volumes is backed up by kopia — a PodVolumeBackup Completed with a
// snapshot ID, in the kopia repository on the location. We describe that backup; our restore of it,
// which cannot read kopia repositories, brings the pod back with the volume empty and ends
// PartiallyFailed with an error naming the pod and the volume.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { downCluster, provider, type ClusterStatus } from '../hack/harness/cluster.ts';
import { startNodeAgent, startVelero, veleroLogTail, type VeleroServer } from '../hack/harness/velero.ts';
import { ensureVeleroImage } from '../hack/images-lib/velero-image.ts';
import { imageRef } from '../hack/images-lib/recipes.ts';
import { dbdata, fixture, kubectl } from './fixtures/node-helpers.ts';
import { pluginCli } from './fixtures/plugin-cli.ts';

const NAME = `interop-csi-${process.pid}`;
const NS = 'pg';
const ROWS = 10_000;
/** The namespace of the pod whose emptyDir Velero's node agent backs up. */
const FS_NS = 'fs';
let c: ClusterStatus;
let server: VeleroServer | undefined;
let work: string;
let env: NodeJS.ProcessEnv;
let sum = '';
const ours = pluginCli(() => env, () => ['--kubeconfig', c.kubeconfig]);

async function velero(args: string[]): Promise<string> {
  const r = await server!.cli(args);
  assert.is(r.code, 0, `velero ${args.join(' ')}:\n${r.stdout}\n${r.stderr}\n--- server log:\n${veleroLogTail(server!)}`);
  return r.stdout.replace(/\x1b\[[0-9;]*m/g, '');
}

async function deployPostgres(): Promise<void> {
  const yaml = readFileSync(fixture('postgres.yaml'), 'utf8').replace('        accessModes: [ReadWriteOnce]', '        accessModes: [ReadWriteOnce]\n        storageClassName: csi-hostpath');
  writeFileSync(join(work, 'postgres-csi.yaml'), yaml);
  await kubectl(c.kubeconfig, ['create', 'namespace', NS]);
  await kubectl(c.kubeconfig, ['apply', '-n', NS, '-f', join(work, 'postgres-csi.yaml')]);
  await kubectl(c.kubeconfig, ['rollout', 'status', '-n', NS, 'statefulset/postgres', '--timeout=300s'], { timeoutMs: 320_000 });
}

async function rowsAreBack(): Promise<void> {
  await kubectl(c.kubeconfig, ['rollout', 'status', '-n', NS, 'statefulset/postgres', '--timeout=300s'], { timeoutMs: 320_000 });
  assert.is(await dbdata(c.kubeconfig, ['checksum', '--db', 'postgres', '-n', NS]), sum);
  const source = (await kubectl(c.kubeconfig, ['get', 'pvc', '-n', NS, 'data-postgres-0', '-o', 'jsonpath={.spec.dataSource.kind}'])).stdout;
  assert.is(source, 'VolumeSnapshot', 'the claim was provisioned from the snapshot');
}

async function emptyNamespace(): Promise<void> {
  await kubectl(c.kubeconfig, ['delete', 'namespace', NS, '--wait=true', '--timeout=240s'], { timeoutMs: 250_000 });
}

test.before(async () => {
  try {
    // Velero's image for its node agent (~30 s once, then cached) while the cluster starts.
    [c] = await Promise.all([provider().up(NAME, { node: true, csi: true }), ensureVeleroImage()]);
  } catch (error) {
    console.error(`cluster ${NAME} with a CSI driver failed to start:`, error);
    throw error;
  }
  work = mkdtempSync(join(tmpdir(), 'kv-interop-csi-e2e-'));
  // No plugin config: the plugin uses the cluster's BackupStorageLocation, the one Velero uses.
  env = { ...process.env, KUBECTL_VELERO_CONFIG: join(work, 'config.yaml'), XDG_DATA_HOME: join(work, 'data') };
  await deployPostgres();
  sum = await dbdata(c.kubeconfig, ['write', '--db', 'postgres', '-n', NS, '--rows', String(ROWS)]);
  // The harness's driver copies files (no point-in-time image): let autovacuum be done first.
  await kubectl(c.kubeconfig, ['exec', '-n', NS, 'postgres-0', '--', 'psql', '-U', 'postgres', '-d', 'kvdata', '-c', 'VACUUM ANALYZE']);
  await kubectl(c.kubeconfig, ['annotate', 'pod', '-n', NS, 'postgres-0', '--overwrite', `pre.hook.backup.velero.io/command=${JSON.stringify(['psql', '-U', 'postgres', '-c', 'CHECKPOINT'])}`]);
  // The location at MinIO's in-cluster address (which this host reaches too): the node agent's
  // data-path pods write the kopia repository through it, from the pod network.
  server = await startVelero(c, {
    prefix: 'interop-csi',
    s3Url: c.node!.minioInCluster,
    serverArgs: ['--features=EnableCSI', '--fs-backup-timeout=5m', '--default-repo-maintain-frequency=24h'],
  });
});

test.after(async () => {
  await server?.stop();
  await downCluster(NAME);
  if (work) rmSync(work, { recursive: true, force: true });
});

test('our CSI snapshot backup is restored by a stock Velero from the snapshot, every row back', async () => {
  const out = await ours(['backup', 'create', 'ours-csi', '--include-namespaces', NS]);
  assert.match(out.stdout, /Backup "ours-csi" completed/);
  assert.is(await server!.waitForPhase('backup', 'ours-csi', ['Completed'], 90_000), 'Completed');
  await emptyNamespace();
  await velero(['restore', 'create', 'r-ours-csi', '--from-backup', 'ours-csi', '--wait']);
  assert.is(await server!.waitForPhase('restore', 'r-ours-csi', ['Completed', 'PartiallyFailed', 'Failed']), 'Completed', await velero(['restore', 'describe', 'r-ours-csi', '--details']));
  await rowsAreBack();
});

const FS_POD = `apiVersion: v1
kind: Pod
metadata:
  name: writer
  namespace: ${FS_NS}
  annotations: { backup.velero.io/backup-volumes: data }
spec:
  terminationGracePeriodSeconds: 0
  containers:
    - name: main
      image: ${imageRef('tools')}
      imagePullPolicy: Never
      command: [sleep, infinity]
      volumeMounts: [{ name: data, mountPath: /data }]
  volumes: [{ name: data, emptyDir: {} }]
`;
const FS_FILES = 'mkdir -p /data/nested && printf "hello, kopia\\n" > /data/hello.txt && seq 1 20000 > /data/nested/numbers && sha256sum /data/hello.txt /data/nested/numbers';

interface PodVolumeBackup {
  metadata: { name: string; labels?: Record<string, string> };
  spec: { pod: { namespace: string; name: string }; volume: string; uploaderType: string };
  status?: { phase?: string; snapshotID?: string; message?: string; progress?: { totalBytes?: number } };
}

test("Velero's node agent backs up a pod's emptyDir with kopia: the backup and its PodVolumeBackup Completed with a snapshot ID, described by us", async () => {
  await startNodeAgent(c);
  await kubectl(c.kubeconfig, ['create', 'namespace', FS_NS]);
  await kubectl(c.kubeconfig, ['apply', '-f', '-'], { input: FS_POD });
  await kubectl(c.kubeconfig, ['wait', '-n', FS_NS, '--for=condition=Ready', 'pod/writer', '--timeout=120s'], { timeoutMs: 130_000 });
  const sums = (await kubectl(c.kubeconfig, ['exec', '-n', FS_NS, 'writer', '--', 'sh', '-c', FS_FILES])).stdout;
  assert.match(sums, /\/data\/nested\/numbers/);
  await velero(['backup', 'create', 'v-fs', '--include-namespaces', FS_NS, '--wait']);
  const details = async () => `${await velero(['backup', 'describe', 'v-fs', '--details'])}\n--- node agent:\n${(await kubectl(c.kubeconfig, ['logs', '-n', 'velero', '-l', 'name=node-agent', '--tail=40'], { allowFail: true })).stdout}`;
  const phase = await server!.waitForPhase('backup', 'v-fs', ['Completed', 'PartiallyFailed', 'Failed'], 600_000);
  if (phase !== 'Completed') assert.unreachable(`backup v-fs is ${phase}:\n${await details()}`);
  const pvbs = (JSON.parse((await kubectl(c.kubeconfig, ['get', 'podvolumebackups.velero.io', '-n', 'velero', '-o', 'json'])).stdout) as { items: PodVolumeBackup[] }).items
    .filter((p) => p.metadata.labels?.['velero.io/backup-name'] === 'v-fs');
  assert.is(pvbs.length, 1, JSON.stringify(pvbs, null, 2));
  const pvb = pvbs[0]!;
  assert.equal([pvb.spec.pod.namespace, pvb.spec.pod.name, pvb.spec.volume, pvb.spec.uploaderType], [FS_NS, 'writer', 'data', 'kopia']);
  assert.is(pvb.status?.phase, 'Completed', JSON.stringify(pvb.status));
  assert.ok(pvb.status?.snapshotID, `a kopia snapshot ID: ${JSON.stringify(pvb.status)}`);
  assert.ok((pvb.status?.progress?.totalBytes ?? 0) > 100_000, `the files' bytes: ${JSON.stringify(pvb.status)}`);
  const mine = (await ours(['backup', 'describe', 'v-fs', '--details'])).stdout;
  assert.match(mine, /\nPhase:\s+Completed\b/, mine);
  assert.match(mine, /Pod Volume Backups - kopia:\s+Completed:\s+fs\/writer: data\b/, mine);
});

test("Velero's CSI snapshot backup is restored by us from the snapshot, every row back", async () => {
  await kubectl(c.kubeconfig, ['annotate', 'pod', '-n', NS, 'postgres-0', '--overwrite', `pre.hook.backup.velero.io/command=${JSON.stringify(['psql', '-U', 'postgres', '-c', 'CHECKPOINT'])}`]);
  await velero(['backup', 'create', 'v-csi', '--include-namespaces', NS, '--snapshot-volumes', '--wait']);
  assert.is(await server!.waitForPhase('backup', 'v-csi', ['Completed', 'PartiallyFailed', 'Failed'], 600_000), 'Completed', await velero(['backup', 'describe', 'v-csi', '--details']));
  const mine = (await ours(['backup', 'describe', 'v-csi', '--details'])).stdout;
  assert.match(mine, /CSI Snapshots:\n\s+pg\/data-postgres-0:\n\s+Snapshot:/, mine);
  // Velero's server would restore it itself: stop it, so only we act on the cluster.
  await server!.stop();
  server = undefined;
  await emptyNamespace();
  const out = await ours(['restore', 'create', 'r-v-csi', '--from-backup', 'v-csi']);
  assert.match(out.stdout, /Restore "r-v-csi" from backup "v-csi" completed/);
  await rowsAreBack();
});

// After the test above: the server is stopped, so only we act on the cluster.
test("our restore of Velero's kopia backup: the pod back with its volume empty, PartiallyFailed naming the pod and the volume", async () => {
  const out = await ours(['restore', 'create', 'r-v-fs', '--from-backup', 'v-fs', '--namespace-mappings', `${FS_NS}:fs-copy`], 1);
  assert.match(out.stdout, /Restore "r-v-fs" from backup "v-fs" finished with phase PartiallyFailed: \d+ items restored, 1 errors/, `${out.stdout}\n${out.stderr}`);
  const message = /pod fs-copy\/writer volume data: its data was backed up by Velero's node agent into Velero's kopia repository, which kubectl-velero cannot read/;
  assert.match(out.stderr, message, out.stderr);
  const described = (await ours(['restore', 'describe', 'r-v-fs'])).stdout;
  assert.match(described, /Phase:\s+PartiallyFailed/, described);
  assert.match(described, message, described);
  await kubectl(c.kubeconfig, ['wait', '-n', 'fs-copy', '--for=condition=Ready', 'pod/writer', '--timeout=120s'], { timeoutMs: 130_000 });
  const files = (await kubectl(c.kubeconfig, ['exec', '-n', 'fs-copy', 'writer', '--', 'ls', '-A', '/data'])).stdout;
  assert.is(files.trim(), '', 'the volume is restored empty');
});

test.run();
