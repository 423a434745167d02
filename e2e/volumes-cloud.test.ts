// File-system volume backups whose repository lives in Azure Blob Storage and Google Cloud Storage
// (Azurite and fake-gcs-server of a harness cluster with a node): a PostgreSQL StatefulSet with
// known rows is backed up through exec into each store, restored under a new namespace name, and
// its table checksum is the original's; `repo check` reads every chunk back from that store and
// the fidelity report of the restore is clean.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { downCluster, provider, type ClusterStatus } from '../hack/harness/cluster.ts';
import { repoRoot } from '../hack/harness/paths.ts';
import { imageRef } from '../hack/images-lib/recipes.ts';
import { dbdata, fixture, kubectl } from './fixtures/node-helpers.ts';

const plugin = join(repoRoot, 'bin', 'kubectl-velero');
const CLUSTER = `vol-cloud-${process.pid}`;
const NS = 'pg';
const ROWS = 20_000;
let c: ClusterStatus;
let work: string;
let env: NodeJS.ProcessEnv;
let sum: string;

async function velero(args: string[], code = 0) {
  const r = await promisify(execFile)(plugin, [...args, '--kubeconfig', c.kubeconfig], { env, maxBuffer: 64 << 20, timeout: 900_000 }).then(
    (x) => ({ ...x, code: 0 }),
    (e: { stdout: string; stderr: string; code: number }) => ({ stdout: e.stdout, stderr: e.stderr, code: e.code }),
  );
  assert.is(r.code, code, `kubectl-velero ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

test.before(async () => {
  c = await provider().up(CLUSTER, { node: true });
  assert.ok(c.azure && c.gcs, 'the harness runs Azurite and fake-gcs-server');
  work = mkdtempSync(join(tmpdir(), 'kv-volumes-cloud-'));
  env = { ...process.env, KUBECTL_VELERO_CONFIG: join(work, 'config.yaml') };
  await velero(['backup-location', 'create', 'blob', '--provider', 'azure', '--bucket', c.azure!.container, '--prefix', 'vols', '--config', `storageAccount=${c.azure!.storageAccount},storageAccountURI=${c.azure!.endpoint}`, '--credential-file', c.azure!.credentialsFile]);
  await velero(['backup-location', 'create', 'gcs', '--provider', 'gcp', '--bucket', c.gcs!.bucket, '--prefix', 'vols', '--config', `storeEndpoint=${c.gcs!.endpoint}`, '--credential-file', c.gcs!.credentialsFile]);
  await kubectl(c.kubeconfig, ['create', 'namespace', NS]);
  await kubectl(c.kubeconfig, ['apply', '-n', NS, '-f', fixture('postgres.yaml')]);
  await kubectl(c.kubeconfig, ['rollout', 'status', '-n', NS, 'statefulset/postgres', '--timeout=300s'], { timeoutMs: 320_000 });
  sum = await dbdata(c.kubeconfig, ['write', '--db', 'postgres', '-n', NS, '--rows', String(ROWS)]);
  await kubectl(c.kubeconfig, ['annotate', 'pod', '-n', NS, 'postgres-0', 'backup.velero.io/backup-volumes=data', `pre.hook.backup.velero.io/command=${JSON.stringify(['psql', '-U', 'postgres', '-c', 'CHECKPOINT'])}`]);
});

test.after(async () => {
  await downCluster(CLUSTER);
  rmSync(work, { recursive: true, force: true });
});

for (const location of ['blob', 'gcs']) {
  test(`${location}: volume data backed up into the store, restored under a new name with every row; repo check reads it all back`, async () => {
    const backup = `pg-${location}`;
    const out = await velero(['backup', 'create', backup, '--include-namespaces', NS, '--storage-location', location]);
    assert.match(out.stdout, new RegExp(`Backup "${backup}" completed`));
    assert.match((await velero(['backup', 'logs', backup, '--storage-location', location])).stdout, /File-system backup: 1 of 1 volumes/);
    const snapshots = (await velero(['repo', 'snapshots', '--storage-location', location, '-o', 'json'])).stdout;
    assert.equal((JSON.parse(snapshots) as { backup: string }[]).map((s) => s.backup), [backup]);
    const check = await velero(['repo', 'check', '--storage-location', location]);
    assert.match(check.stdout, /^1 snapshots, \d+ chunks stored in \d+ packs, \d+ chunks read and verified.\nNo problems found.\n$/);

    const target = `${NS}-${location}`;
    const restored = await velero(['restore', 'create', `r-${backup}`, '--from-backup', backup, '--storage-location', location, '--namespace-mappings', `${NS}:${target}`, '--volume-helper-image', imageRef('tools')]);
    assert.match(restored.stdout, /completed/);
    await kubectl(c.kubeconfig, ['rollout', 'status', '-n', target, 'statefulset/postgres', '--timeout=300s'], { timeoutMs: 320_000 });
    assert.is(await dbdata(c.kubeconfig, ['checksum', '--db', 'postgres', '-n', target]), sum, `rows restored from ${location}`);
    const fidelity = (await velero(['restore', 'describe', `r-${backup}`, '--storage-location', location, '--fidelity'])).stdout;
    assert.match(fidelity, /Fidelity:\s+\d+ objects checked, 0 missing, 0 different/);
  });
}

test('a restore waiting on a pod says what it waits for at once: a helper image that cannot be pulled', async () => {
  const image = 'kubectl-velero.local/no-such-image:1';
  const child = spawn(plugin, ['restore', 'create', 'r-bad-image', '--from-backup', 'pg-blob', '--storage-location', 'blob', '--namespace-mappings', `${NS}:${NS}-bad`, '--volume-helper-image', image, '--kubeconfig', c.kubeconfig], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const told = new RegExp(`waiting: ${NS}-bad/postgres-0: init container kubectl-velero-restore-wait: (ErrImagePull|ImagePullBackOff) \\(${image.replace(/[./]/g, '\\$&')}\\)`);
  const started = Date.now();
  try {
    while (!told.test(stderr) && Date.now() - started < 120_000) await new Promise((r) => setTimeout(r, 250));
    assert.match(stderr, told, stderr);
    console.log(`the wait was told after ${((Date.now() - started) / 1000).toFixed(0)} s (the restore's own timeout is 10 min)`);
  } finally {
    child.kill('SIGKILL');
    await exited;
    await kubectl(c.kubeconfig, ['delete', 'namespace', `${NS}-bad`, '--wait=false']);
  }
});

test.run();
