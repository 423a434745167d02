// File-system backup of the e2e databases on real nodes: PostgreSQL and MariaDB StatefulSets with
// known rows, a pre hook that makes the files consistent, a backup through exec into MinIO, the
// namespace deleted, a restore that streams the data back before the databases start — and the
// table checksums equal the originals. Then: an incremental backup after a 1% change uploads a
// small fraction, a migration into cluster B under a new namespace name, and a
// pack deleted by hand is named by `repo check` and fails the restore instead of starting on bad data.
import { type ChildProcess, execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { downCluster, provider, type ClusterStatus } from '../hack/harness/cluster.ts';
import { minioClient } from '../hack/harness/minio.ts';
import { clusterDir, repoRoot } from '../hack/harness/paths.ts';
import { imageRef } from '../hack/images-lib/recipes.ts';
import { dbdata, eventually, fixture, kubectl } from './fixtures/node-helpers.ts';
import { killOutright, processImage, type ProcessImage, startImage, waitStarted } from './fixtures/process-restart.ts';
import { serviceAccountKubeconfig } from './fixtures/service-account.ts';
import { startCommand } from './run-command.ts';
import { isRunning } from '../hack/harness/processes.ts';

const plugin = join(repoRoot, 'bin', 'kubectl-velero');
const A = `vol-a-${process.pid}`;
const B = `vol-b-${process.pid}`;
const NS = 'dbs';
const DBS = ['postgres', 'mariadb'] as const;
const HELPER = ['--volume-helper-image', imageRef('tools')];
const ROWS = 50_000;
let a: ClusterStatus;
let b: ClusterStatus;
let work: string;
let env: NodeJS.ProcessEnv;
const sums = new Map<string, string>();
let restarted: ChildProcess | undefined;

/** Cluster A's MinIO: the one this file started again after a kill while it runs, else the harness's. */
function minioPid(): number {
  if (restarted?.pid && isRunning(restarted.pid)) return restarted.pid;
  const state = JSON.parse(readFileSync(join(dirname(a.kubeconfig), 'state.json'), 'utf8')) as { processes: { name: string; pid: number }[] };
  return state.processes.find((p) => p.name === 'minio')!.pid;
}

/** Cluster A's MinIO again (same data dir and port), waited for; stopped by this file, whatever happens. */
async function restartMinio(image: ProcessImage): Promise<void> {
  const log = join(dirname(a.kubeconfig), 'logs', 'minio-restarted.log');
  restarted = startImage(image, log);
  await waitStarted(restarted, log, 'minio', 'MinIO to serve again', async () => (await fetch(`${a.minio.endpoint}/minio/health/ready`)).ok, 60_000);
}

function bucketClient(cluster: ClusterStatus) {
  const text = readFileSync(cluster.minio.credentialsFile, 'utf8');
  const read = (k: string) => new RegExp(`^${k}\\s*=\\s*(.*)$`, 'm').exec(text)?.[1]?.trim() ?? '';
  return minioClient(cluster.minio.endpoint, { accessKey: read('aws_access_key_id'), secretKey: read('aws_secret_access_key') }, cluster.minio.region);
}

async function velero(args: string[], code = 0) {
  const r = await promisify(execFile)(plugin, args, { env, maxBuffer: 64 << 20, timeout: 900_000 }).then(
    (x) => ({ ...x, code: 0 }),
    (e: { stdout: string; stderr: string; code: number }) => ({ stdout: e.stdout, stderr: e.stderr, code: e.code }),
  );
  assert.is(r.code, code, `kubectl-velero ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

/** Pre hooks that make the files on disk consistent for the copy: PostgreSQL's CHECKPOINT; for
 * MariaDB a session holding FLUSH TABLES WITH READ LOCK in the background, released by the post hook. */
const HOOKS: Record<(typeof DBS)[number], Record<string, string>> = {
  postgres: {
    'pre.hook.backup.velero.io/command': JSON.stringify(['psql', '-U', 'postgres', '-c', 'CHECKPOINT']),
    // Restore hooks ride along in the backed-up pod: an init container, and an exec once it is ready.
    'init.hook.restore.velero.io/container-image': imageRef('tools'),
    'init.hook.restore.velero.io/container-name': 'restore-hook',
    'init.hook.restore.velero.io/command': JSON.stringify(['sh', '-c', 'echo init hook ran']),
    'post.hook.restore.velero.io/command': JSON.stringify(['sh', '-c', 'psql -U postgres -d kvdata -Atc "select count(*) from kv_rows" > /tmp/kv-restore-hook']),
    'post.hook.restore.velero.io/wait-for-ready': 'true',
  },
  mariadb: {
    'pre.hook.backup.velero.io/command': JSON.stringify(['sh', '-c', `(mariadb -uroot -p"$MARIADB_ROOT_PASSWORD" -e "FLUSH TABLES WITH READ LOCK; SET GLOBAL innodb_max_dirty_pages_pct=0; DO SLEEP(600)" >/dev/null 2>&1 & echo $! > /tmp/kv-lock.pid); sleep 3`]),
    'post.hook.backup.velero.io/command': JSON.stringify(['sh', '-c', 'kill $(cat /tmp/kv-lock.pid) 2>/dev/null; true']),
  },
};

async function deployDatabases(cluster: ClusterStatus, ns: string, rows: number): Promise<void> {
  await kubectl(cluster.kubeconfig, ['create', 'namespace', ns]);
  await kubectl(cluster.kubeconfig, ['apply', '-n', ns, '-f', fixture('postgres.yaml'), '-f', fixture('mariadb.yaml')]);
  for (const db of DBS) await kubectl(cluster.kubeconfig, ['rollout', 'status', '-n', ns, `statefulset/${db}`, '--timeout=300s'], { timeoutMs: 320_000 });
  for (const db of DBS) {
    sums.set(db, await dbdata(cluster.kubeconfig, ['write', '--db', db, '-n', ns, '--rows', String(rows)]));
    const annotations = { 'backup.velero.io/backup-volumes': 'data', ...HOOKS[db] };
    await kubectl(cluster.kubeconfig, ['annotate', 'pod', '-n', ns, `${db}-0`, '--overwrite', ...Object.entries(annotations).map(([k, v]) => `${k}=${v}`)]);
  }
}

async function checksumsMatch(cluster: ClusterStatus, ns: string): Promise<void> {
  for (const db of DBS) {
    await kubectl(cluster.kubeconfig, ['rollout', 'status', '-n', ns, `statefulset/${db}`, '--timeout=300s'], { timeoutMs: 320_000 });
    assert.is(await dbdata(cluster.kubeconfig, ['checksum', '--db', db, '-n', ns]), sums.get(db), `${db} rows in ${ns}`);
  }
}

/** Bytes of the files under `dir`; 0 while it does not exist, or when a part of it goes mid-walk. */
function treeBytes(dir: string): number {
  try {
    let total = 0;
    for (const d of readdirSync(dir, { withFileTypes: true, recursive: true })) if (d.isFile()) total += statSync(join(d.parentPath, d.name), { throwIfNoEntry: false })?.size ?? 0;
    return total;
  } catch {
    return 0;
  }
}

function uploaded(describe: string): number {
  return Number(/(\d+) bytes uploaded/.exec(describe)?.[1] ?? NaN);
}

test.before(async () => {
  try {
    [a, b] = await Promise.all([provider().up(A, { node: true }), provider().up(B, { node: true })]);
  } catch (error) {
    console.error('clusters with a node failed to start:', error);
    throw error;
  }
  work = mkdtempSync(join(tmpdir(), 'kv-volumes-e2e-'));
  env = { ...process.env, KUBECTL_VELERO_CONFIG: join(work, 'config.yaml') };
  await velero(['backup-location', 'create', 'minio', '--provider', 'aws', '--bucket', a.minio.bucket, '--config', `region=${a.minio.region},s3Url=${a.minio.endpoint},s3ForcePathStyle=true`, '--credential-file', a.minio.credentialsFile, '--default']);
  await deployDatabases(a, NS, ROWS);
});

test.after(async () => {
  restarted?.kill('SIGKILL');
  await Promise.all([downCluster(A), downCluster(B)]);
  rmSync(work, { recursive: true, force: true });
});

test('back up both databases with their volume data; the repository lives under plugins/kubectl-velero/', async () => {
  const out = await velero(['backup', 'create', 'db-1', '--include-namespaces', NS, '--kubeconfig', a.kubeconfig]);
  assert.match(out.stdout, /Backup "db-1" completed/);
  const logs = (await velero(['backup', 'logs', 'db-1'])).stdout;
  assert.match(logs, /File-system backup: 2 of 2 volumes/);
  // The pre hooks ran (and MariaDB's post hook released its lock) before and after each copy.
  assert.match(logs, /msg="running exec hook".*hookPhase=pre.*pod=dbs\/postgres-0/);
  assert.match(logs, /msg="running exec hook".*hookPhase=post.*pod=dbs\/mariadb-0/);
  assert.not.match(logs, /Error executing hook/);
  assert.match((await velero(['backup', 'describe', 'db-1', '--details'])).stdout, /Pod Volume Backups - kubectl-velero:\n\s+Completed:\n\s+dbs\/(mariadb|postgres)-0: data \(size: \d+\)\n/);
  const keys: string[] = [];
  for await (const o of bucketClient(a).listObjectsV2(a.minio.bucket, '', true)) keys.push(o.name!);
  const top = new Set(keys.map((k) => k.split('/')[0]));
  assert.equal([...top].sort(), ['backups', 'plugins'], 'only folders Velero knows');
  assert.ok(keys.includes('plugins/kubectl-velero/backups/db-1/podvolumebackups.json.gz'));
  assert.ok(keys.some((k) => k.startsWith('plugins/kubectl-velero/repo/')));
  console.log(`db-1: ${uploaded(logs)} bytes uploaded`);
});

test('delete the namespace, restore: the databases start on restored data with every row', async () => {
  await kubectl(a.kubeconfig, ['delete', 'namespace', NS, '--wait=true', '--timeout=240s'], { timeoutMs: 250_000 });
  const out = await velero(['restore', 'create', 'r-db-1', '--from-backup', 'db-1', ...HELPER, '--kubeconfig', a.kubeconfig]);
  assert.match(out.stdout, /Restore "r-db-1" from backup "db-1" completed/);
  await checksumsMatch(a, NS);
  const logs = (await velero(['restore', 'logs', 'r-db-1'])).stdout;
  assert.match(logs, /Volume restored/);
  // The restore hooks: the init container ran after restore-wait, the exec hook saw every row.
  const inits = JSON.parse((await kubectl(a.kubeconfig, ['get', 'pod', '-n', NS, 'postgres-0', '-o', 'jsonpath={.spec.initContainers[*].name}'])).stdout ? `"${(await kubectl(a.kubeconfig, ['get', 'pod', '-n', NS, 'postgres-0', '-o', 'jsonpath={.spec.initContainers[*].name}'])).stdout}"` : '""');
  assert.is(inits, 'kubectl-velero-restore-wait restore-hook');
  assert.is((await kubectl(a.kubeconfig, ['logs', '-n', NS, 'postgres-0', '-c', 'restore-hook'])).stdout.trim(), 'init hook ran');
  assert.is((await kubectl(a.kubeconfig, ['exec', '-n', NS, 'postgres-0', '--', 'cat', '/tmp/kv-restore-hook'])).stdout.trim(), String(ROWS));
  assert.match(logs, /msg="exec hook completed".*hookPhase=post.*pod=dbs\/postgres-0/);
});

test('incremental: after changing 1% of the rows a second backup uploads a fraction of the first', async () => {
  // 1% of the rows, together (as an application's recent rows would be).
  const last = ROWS / 100;
  await kubectl(a.kubeconfig, ['exec', '-n', NS, 'postgres-0', '--', 'psql', '-U', 'postgres', '-d', 'kvdata', '-c', `UPDATE kv_rows SET payload = md5(payload) WHERE id <= ${last}`]);
  await kubectl(a.kubeconfig, ['exec', '-n', NS, 'mariadb-0', '--', 'sh', '-c', `mariadb -uroot -p"$MARIADB_ROOT_PASSWORD" kvdata -e "UPDATE kv_rows SET payload = md5(payload) WHERE id <= ${last}"`]);
  for (const db of DBS) sums.set(db, await dbdata(a.kubeconfig, ['checksum', '--db', db, '-n', NS]));
  // The restored pods came back without the backup annotations (a restore keeps the pod's own).
  for (const db of DBS) {
    const annotations = { 'backup.velero.io/backup-volumes': 'data', ...HOOKS[db] };
    await kubectl(a.kubeconfig, ['annotate', 'pod', '-n', NS, `${db}-0`, '--overwrite', ...Object.entries(annotations).map(([k, v]) => `${k}=${v}`)]);
  }
  await velero(['backup', 'create', 'db-2', '--include-namespaces', NS, '--kubeconfig', a.kubeconfig]);
  const first = uploaded((await velero(['backup', 'logs', 'db-1'])).stdout);
  const second = uploaded((await velero(['backup', 'logs', 'db-2'])).stdout);
  console.log(`incremental: first backup uploaded ${first} bytes, second ${second} bytes (${((100 * second) / first).toFixed(1)}%)`);
  // The databases' own churn (a WAL segment, the redo log, statistics) is most of the second
  // backup here; bench/volumes measures the repository on 1 GiB. Without dedup this would be ~100%.
  assert.ok(second < first * 0.5, `second backup uploads ${second} of ${first} bytes`);
});

test('migration: restore db-2 into cluster B under a new namespace name', async () => {
  const out = await velero(['restore', 'create', 'm-db-2', '--from-backup', 'db-2', '--namespace-mappings', `${NS}:dbs-b`, ...HELPER, '--kubeconfig', b.kubeconfig]);
  assert.match(out.stdout, /completed/);
  await checksumsMatch(b, 'dbs-b');
});

test('a pre hook that fails with on-error Fail fails the backup; with Continue it is an error of a PartiallyFailed backup', async () => {
  const set = (onError: string) => kubectl(a.kubeconfig, ['annotate', 'pod', '-n', NS, 'postgres-0', '--overwrite', `pre.hook.backup.velero.io/command=["sh","-c","echo cannot checkpoint >&2; exit 7"]`, `pre.hook.backup.velero.io/on-error=${onError}`]);
  await set('Fail');
  const failed = await velero(['backup', 'create', 'hook-fail', '--include-namespaces', NS, '--kubeconfig', a.kubeconfig], 1);
  assert.match(failed.stdout, /finished with phase Failed/);
  assert.match(failed.stderr, /pre hook of pod dbs\/postgres-0 failed with onError Fail: .*exited with code 7: cannot checkpoint/);
  await set('Continue');
  await velero(['backup', 'create', 'hook-continue', '--include-namespaces', NS, '--kubeconfig', a.kubeconfig]);
  const described = (await velero(['backup', 'describe', 'hook-continue', '--details'])).stdout;
  assert.match(described, /Phase:  PartiallyFailed/);
  assert.match(described, /pre hook failed: command .* exited with code 7/);
  await kubectl(a.kubeconfig, ['annotate', 'pod', '-n', NS, 'postgres-0', '--overwrite', `pre.hook.backup.velero.io/command=${HOOKS.postgres['pre.hook.backup.velero.io/command']}`, 'pre.hook.backup.velero.io/on-error-']);
});

test('the object store dies in the middle of a volume: the backup ends Failed, and after a restart the repository passes repo check', async () => {
  const dir = dirname(a.kubeconfig);
  await kubectl(a.kubeconfig, ['create', 'namespace', 'fault']);
  writeFileSync(join(work, 'fault.yaml'), `apiVersion: v1
kind: Pod
metadata: { name: data, namespace: fault, annotations: { backup.velero.io/backup-volumes: data } }
spec:
  terminationGracePeriodSeconds: 1
  containers: [{ name: main, image: ${imageRef('tools')}, imagePullPolicy: Never, command: [sleep, infinity], volumeMounts: [{ name: data, mountPath: /data }] }]
  volumes: [{ name: data, emptyDir: {} }]
`);
  await kubectl(a.kubeconfig, ['apply', '-f', join(work, 'fault.yaml')]);
  await kubectl(a.kubeconfig, ['wait', '-n', 'fault', '--for=condition=Ready', 'pod/data', '--timeout=120s'], { timeoutMs: 130_000 });
  await kubectl(a.kubeconfig, ['exec', '-n', 'fault', 'data', '--', 'sh', '-c', 'head -c 300000000 /dev/urandom > /data/random.bin']);
  const chunks = join(dir, 'minio-data', a.minio.bucket, 'plugins', 'kubectl-velero', 'repo', 'packs');
  const count = () => (existsSync(chunks) ? readdirSync(chunks).reduce((n, d) => n + readdirSync(join(chunks, d)).length, 0) : 0);
  const before = count();
  const pid = minioPid();
  const image = processImage(pid);
  const running = startCommand(plugin, ['backup', 'create', 'fault-1', '--include-namespaces', 'fault', '--kubeconfig', a.kubeconfig], env);
  const deadline = Date.now() + 60_000;
  while (!running.exited && Date.now() < deadline && count() < before + 5) await new Promise((r) => setTimeout(r, 20));
  assert.not.ok(running.exited, `the backup finished before MinIO was stopped, so this test proves nothing: ${running.output}`);
  await killOutright(pid);
  const { code } = await running.exit;
  const out = running.output;
  // The same MinIO again before anything is asserted: a failure here must not take the later tests
  // down with it.
  await restartMinio(image);
  assert.is.not(code, 0, out);
  assert.match(out, /phase Failed/);
  assert.match((await velero(['backup', 'get'])).stdout, /^(?![\s\S]*\nfault-1\s+Completed)/, 'never listed Completed');
  assert.match((await velero(['repo', 'check'])).stdout, /No problems found/);
});

test('the object store dies in the middle of a volume restore: the restore fails naming the pod, which keeps waiting in its restore-wait container; a rerun restores every byte', async () => {
  const sha = async (cluster: ClusterStatus, ns: string, container?: string, path = '/data/random.bin') =>
    (await kubectl(cluster.kubeconfig, ['exec', '-n', ns, 'data', ...(container ? ['-c', container] : []), '--', 'sha256sum', path])).stdout.split(' ')[0];
  const original = await sha(a, 'fault');
  await velero(['backup', 'create', 'fault-2', '--include-namespaces', 'fault', '--kubeconfig', a.kubeconfig]);
  const pid = minioPid();
  const image = processImage(pid);
  const running = startCommand(plugin, ['restore', 'create', 'fault-cut', '--from-backup', 'fault-2', '--namespace-mappings', 'fault:fault-b', ...HELPER, '--kubeconfig', b.kubeconfig], env);
  // Bytes the restored pod's volume holds so far. With the local provider the kubelet's root dir is
  // on this machine, so they are read from it every 5 ms: a `kubectl exec du` every 200 ms took
  // ~0.5 s a round and once missed the whole window (the restore finished between two rounds).
  const kubeletPods = join(clusterDir(b.name), 'node', 'kubelet', 'pods');
  const nodeHere = existsSync(kubeletPods);
  let uid = '';
  const received = async () => {
    if (!nodeHere) {
      const r = await kubectl(b.kubeconfig, ['exec', '-n', 'fault-b', 'data', '-c', 'kubectl-velero-restore-wait', '--', 'du', '-sk', '/kubectl-velero/volumes/data'], { allowFail: true });
      return Number(/^(\d+)/.exec(r.stdout)?.[1] ?? 0) * 1024;
    }
    uid ||= (await kubectl(b.kubeconfig, ['get', 'pod', '-n', 'fault-b', 'data', '-o', 'jsonpath={.metadata.uid}'], { allowFail: true })).stdout.trim();
    return uid ? treeBytes(join(kubeletPods, uid, 'volumes', 'kubernetes.io~empty-dir', 'data')) : 0;
  };
  await eventually('part of the volume to be restored', async () => running.exited || (await received()) > 30e6, 300_000, 5);
  assert.not.ok(running.exited, `the restore ended before MinIO was killed, so this test proves nothing:\n${running.output}`);
  const bytesAtKill = await received();
  await killOutright(pid);
  const { code } = await running.exit;
  const out = running.output;
  // Back before anything is asserted, so a failure here does not take the later tests down with it.
  await restartMinio(image);
  assert.is(code, 1, out);
  assert.not.match(out, /completed/);
  assert.match(out, /restoring volume data of pod fault-b\/data from snapshot \w+ failed: [^\n]*backup storage location "minio"[^\n]*the pod stays in its init container/, out);
  console.log(`volume restore with MinIO killed after ${bytesAtKill} of 300000000 bytes arrived: ${out.split('\n').find((l) => l.startsWith('error:'))}`);
  // The application never started on partial data: the pod still waits in restore-wait.
  const waiting = (await kubectl(b.kubeconfig, ['get', 'pod', '-n', 'fault-b', 'data', '-o', 'jsonpath={.status.initContainerStatuses[0].name}={.status.initContainerStatuses[0].state.running.startedAt}'])).stdout;
  assert.match(waiting, /^kubectl-velero-restore-wait=\S+/, waiting);

  await kubectl(b.kubeconfig, ['delete', 'namespace', 'fault-b', '--wait=true', '--timeout=240s'], { timeoutMs: 250_000 });
  const again = await velero(['restore', 'create', 'fault-again', '--from-backup', 'fault-2', '--namespace-mappings', 'fault:fault-b', ...HELPER, '--kubeconfig', b.kubeconfig]);
  assert.match(again.stdout, /Restore "fault-again" from backup "fault-2" completed/, again.stdout);
  await kubectl(b.kubeconfig, ['wait', '-n', 'fault-b', '--for=condition=Ready', 'pod/data', '--timeout=120s'], { timeoutMs: 130_000 });
  assert.is(await sha(b, 'fault-b'), original);
});

test('volume data with exactly the README\'s RBAC: a namespaced Role plus get/create on pods/exec backs it up, and the restore Role plus pods/exec restores it into another cluster', async () => {
  // A small volume in its own namespace, backed up by a ServiceAccount with the README's rows.
  await kubectl(a.kubeconfig, ['create', 'namespace', 'rbac-vol']);
  writeFileSync(join(work, 'rbac-vol.yaml'), `
apiVersion: v1
kind: Pod
metadata: { name: data, namespace: rbac-vol, annotations: { backup.velero.io/backup-volumes: data } }
spec:
  terminationGracePeriodSeconds: 1
  containers: [{ name: main, image: ${imageRef('tools')}, imagePullPolicy: Never, command: [sleep, infinity], volumeMounts: [{ name: data, mountPath: /data }] }]
  volumes: [{ name: data, emptyDir: {} }]
`);
  await kubectl(a.kubeconfig, ['apply', '-f', join(work, 'rbac-vol.yaml')]);
  await kubectl(a.kubeconfig, ['wait', '-n', 'rbac-vol', '--for=condition=Ready', 'pod/data', '--timeout=120s'], { timeoutMs: 130_000 });
  await kubectl(a.kubeconfig, ['exec', '-n', 'rbac-vol', 'data', '--', 'sh', '-c', 'head -c 8000000 /dev/urandom > /data/blob && mkdir -p /data/d && echo kept > /data/d/note']);
  const sha = async (cluster: ClusterStatus) => (await kubectl(cluster.kubeconfig, ['exec', '-n', 'rbac-vol', 'data', '--', 'sh', '-c', 'cat /data/blob /data/d/note | sha256sum'])).stdout.split(' ')[0];
  const original = await sha(a);
  await kubectl(a.kubeconfig, ['-n', 'rbac-vol', 'create', 'serviceaccount', 'backup-user']);
  await kubectl(a.kubeconfig, ['-n', 'rbac-vol', 'create', 'role', 'backup', '--verb=get,list', '--resource=configmaps,secrets,serviceaccounts,services,pods,persistentvolumeclaims']);
  await kubectl(a.kubeconfig, ['-n', 'rbac-vol', 'create', 'role', 'backup-exec', '--verb=get,create', '--resource=pods/exec']);
  for (const role of ['backup', 'backup-exec']) await kubectl(a.kubeconfig, ['-n', 'rbac-vol', 'create', 'rolebinding', role, `--role=${role}`, '--serviceaccount=rbac-vol:backup-user']);
  const backupUser = await serviceAccountKubeconfig(a.kubeconfig, 'rbac-vol', 'backup-user', work);
  const backup = await velero(['backup', 'create', 'rbac-vol-1', '--include-namespaces', 'rbac-vol', '--kubeconfig', backupUser]);
  assert.match(backup.stdout, /^Backup "rbac-vol-1" completed: \d+ items, 0 errors/, backup.stdout);
  assert.match((await velero(['backup', 'describe', 'rbac-vol-1'])).stdout, /Pod Volume Backups - kubectl-velero \(specify --details for more information\):\s+Completed:\s+1\n/);

  // Cluster B: the namespace made by an admin; the restorer may write its objects and exec into its pods.
  await kubectl(b.kubeconfig, ['create', 'namespace', 'rbac-vol']);
  await kubectl(b.kubeconfig, ['-n', 'rbac-vol', 'create', 'serviceaccount', 'restorer']);
  await kubectl(b.kubeconfig, ['-n', 'rbac-vol', 'create', 'role', 'restore', '--verb=get,list,create,update,patch', '--resource=configmaps,secrets,serviceaccounts,services,pods,persistentvolumeclaims']);
  await kubectl(b.kubeconfig, ['-n', 'rbac-vol', 'create', 'role', 'restore-exec', '--verb=get,create', '--resource=pods/exec']);
  for (const role of ['restore', 'restore-exec']) await kubectl(b.kubeconfig, ['-n', 'rbac-vol', 'create', 'rolebinding', role, `--role=${role}`, '--serviceaccount=rbac-vol:restorer']);
  const restorer = await serviceAccountKubeconfig(b.kubeconfig, 'rbac-vol', 'restorer', work);
  // The namespace exists already, so the restorer never needs to write a Namespace: Completed.
  const restore = await velero(['restore', 'create', 'rbac-vol-r', '--from-backup', 'rbac-vol-1', ...HELPER, '--kubeconfig', restorer]);
  assert.match(restore.stdout, /Restore "rbac-vol-r" from backup "rbac-vol-1" completed: \d+ items restored, 0 errors/, restore.stdout + restore.stderr);
  await kubectl(b.kubeconfig, ['wait', '-n', 'rbac-vol', '--for=condition=Ready', 'pod/data', '--timeout=120s'], { timeoutMs: 130_000 });
  assert.is(await sha(b), original);
});

test('a pack deleted by hand: repo check names the broken snapshot, and the restore fails clearly', async () => {
  assert.match((await velero(['repo', 'check'])).stdout, /No problems found/);
  const mc = bucketClient(a);
  const json = async (key: string) => JSON.parse(await new Response(Readable.toWeb(await mc.getObject(a.minio.bucket, key)) as ReadableStream).text());
  // The pack holding a chunk db-2's PostgreSQL snapshot needs (other snapshots may share it: check names them all).
  const snapshots = JSON.parse((await velero(['repo', 'snapshots', '-o', 'json'])).stdout) as { id: string; backup: string; pod: string }[];
  const victim = snapshots.find((s) => s.backup === 'db-2' && s.pod === 'postgres-0')!;
  assert.ok(victim, 'db-2 has a snapshot of postgres-0');
  const manifest = (await json(`plugins/kubectl-velero/repo/snapshots/${victim.id}.json`)) as { chunkList: [string, number][] };
  const chunk = manifest.chunkList[Math.floor(manifest.chunkList.length / 2)]![0];
  let pack: string | undefined;
  for await (const o of mc.listObjectsV2(a.minio.bucket, 'plugins/kubectl-velero/repo/index/', true)) {
    const index = (await json(o.name!)) as { pack: string; blobs: [string, number, number][] };
    if (index.blobs.some(([id]) => id === chunk)) pack ??= index.pack;
  }
  assert.ok(pack, `an index lists chunk ${chunk}`);
  await mc.removeObject(a.minio.bucket, `plugins/kubectl-velero/repo/packs/${pack.slice(0, 2)}/${pack}`);
  const check = await velero(['repo', 'check'], 1);
  assert.match(check.stdout, new RegExp(`snapshot ${victim.id} \\(backup db-2\\): pack ${pack} is missing \\(\\d+ chunks the snapshot needs\\)`));
  assert.match(check.stderr, new RegExp(`error: \\d+ snapshots are damaged: .*${victim.id} \\(backup db-2\\)`));
  await kubectl(b.kubeconfig, ['delete', 'namespace', 'dbs-b', '--wait=true', '--timeout=240s'], { timeoutMs: 250_000 });
  const restore = await velero(['restore', 'create', 'm-broken', '--from-backup', 'db-2', '--namespace-mappings', `${NS}:dbs-b`, ...HELPER, '--kubeconfig', b.kubeconfig], 1);
  assert.match(restore.stdout + restore.stderr, new RegExp(`restoring volume data of pod dbs-b/postgres-0 from snapshot ${victim.id} failed: snapshot ${victim.id} needs chunk [0-9a-f]{64} of pack ${pack}, which is missing from the volume repository; the pod stays in its init container`));
  // The application never started on partial data.
  const phase = (await kubectl(b.kubeconfig, ['get', 'pod', '-n', 'dbs-b', 'postgres-0', '-o', 'jsonpath={.status.initContainerStatuses[0].state.running}'])).stdout;
  assert.ok(phase.length > 0, 'postgres-0 still waits in restore-wait');
});

test.run();
