// CSI snapshots with a stock Velero (v1.18, `--features=EnableCSI`, hack/harness/velero.ts), both
// ways, on a real node with the harness's CSI driver: PostgreSQL on a csi-hostpath claim with known
// rows. Our snapshot backup is synced by Velero and restored by Velero — the claim provisioned from
// the snapshot through Velero's own CSI restore actions, reading the VolumeSnapshot, content and
// volume info we wrote — with every row back. Velero's CSI backup of the same is restored by us,
// with every row back.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { downCluster, provider, type ClusterStatus } from '../hack/harness/cluster.ts';
import { startVelero, veleroLogTail, type VeleroServer } from '../hack/harness/velero.ts';
import { dbdata, fixture, kubectl } from './fixtures/node-helpers.ts';
import { pluginCli } from './fixtures/plugin-cli.ts';

const NAME = `interop-csi-${process.pid}`;
const NS = 'pg';
const ROWS = 10_000;
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
    c = await provider().up(NAME, { node: true, csi: true });
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
  server = await startVelero(c, { prefix: 'interop-csi', serverArgs: ['--features=EnableCSI'] });
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

test.run();
