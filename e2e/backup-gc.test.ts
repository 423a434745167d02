// `backup gc` on a real API server with a `--provider local` location: backups made with --ttl 1s
// expire, a dry run lists them and changes no file, gc deletes them (and what their volume
// snapshots alone used in the repository) and keeps the backup with the default TTL, `backup get`
// and `repo check` agree; a ReadOnly BackupStorageLocation of the cluster is refused in one line.
import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { downCluster, upCluster, type ClusterStatus } from '../hack/harness/cluster.ts';
import { repoRoot } from '../hack/harness/paths.ts';
import { LocalStore } from '../internal/storage/local-store.ts';
import { openRepository } from '../internal/volumes/repository/repository.ts';
import { runCommand } from './run-command.ts';

const plugin = join(repoRoot, 'bin', 'kubectl-velero');
const CLUSTER = `gc-${process.pid}`;
let c: ClusterStatus;
let work: string;
let storeDir: string;
let env: NodeJS.ProcessEnv;

const velero = (args: string[], code = 0) => runCommand(plugin, [...args, '--kubeconfig', c.kubeconfig], env, code);
const kubectl = (args: string[]) => runCommand('kubectl', ['--kubeconfig', c.kubeconfig, ...args], env);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every file of the location with its size and mtime: what "changes nothing" is checked against. */
function files(): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of readdirSync(storeDir, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    const st = statSync(path);
    out.set(relative(storeDir, path), `${st.size}@${st.mtimeMs}`);
  }
  return out;
}
const under = (prefix: string) => [...files().keys()].filter((k) => k.startsWith(prefix)).sort();

/**
 * Volume data as a backup with a node would have left it (this cluster has no node to run pods):
 * a snapshot of `backup` in the location's repository, part of it shared with the other backup's.
 */
async function snapshotFor(backup: string, shared: Buffer): Promise<void> {
  const repo = await openRepository({ store: new LocalStore(storeDir), chunker: { minSize: 16 * 1024, avgSize: 32 * 1024, maxSize: 64 * 1024 }, packSize: 128 * 1024 });
  async function* data() {
    yield shared;
    yield randomBytes(300_000);
  }
  await repo.writeSnapshot(data(), { backup, namespace: 'shop', pod: 'db-0', volume: 'data' });
}

const BSL_CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: backupstoragelocations.velero.io }
spec:
  group: velero.io
  names: { kind: BackupStorageLocation, listKind: BackupStorageLocationList, plural: backupstoragelocations, singular: backupstoragelocation }
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema: { openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true } }
`;

test.before(async () => {
  try {
    c = await upCluster(CLUSTER);
    work = mkdtempSync(join(tmpdir(), 'kv-gc-e2e-'));
    storeDir = join(work, 'store');
    mkdirSync(storeDir);
    env = { ...process.env, KUBECTL_VELERO_CONFIG: join(work, 'config.yaml'), XDG_DATA_HOME: join(work, 'data') };
    await velero(['backup-location', 'create', 'disk', '--provider', 'local', '--config', `path=${storeDir}`, '--default']);
    await kubectl(['create', 'namespace', 'shop']);
    await kubectl(['create', 'configmap', 'prices', '-n', 'shop', '--from-literal=apple=1']);
  } catch (error) {
    console.error('backup-gc e2e set-up failed:', error);
    throw error;
  }
});

test.after(async () => {
  await downCluster(CLUSTER);
  if (work) rmSync(work, { recursive: true, force: true });
});

test('gc --dry-run lists the expired backups and changes nothing; gc deletes them, keeps the rest, prunes; get and repo check agree', async () => {
  for (const name of ['short-1', 'short-2']) await velero(['backup', 'create', name, '--include-namespaces', 'shop', '--ttl', '1s']);
  await velero(['backup', 'create', 'long', '--include-namespaces', 'shop']);
  const shared = randomBytes(200_000);
  await snapshotFor('short-1', shared);
  await snapshotFor('long', shared);
  const long = JSON.parse((await velero(['backup', 'get', 'long', '-o', 'json'])).stdout);
  assert.is(long.spec.ttl, '720h0m0s');
  const ttl = Date.parse(long.status.expiration) - Date.parse(long.status.startTimestamp);
  assert.is(ttl, 720 * 3600_000, 'status.expiration is the start plus the default TTL');
  const short = JSON.parse((await velero(['backup', 'get', 'short-1', '-o', 'json'])).stdout);
  assert.is(Date.parse(short.status.expiration) - Date.parse(short.status.startTimestamp), 1000);
  // Expiration is kept to the second: two seconds after the last one was made, both have passed.
  await sleep(2100);

  const before = files();
  const dry = await velero(['backup', 'gc', '--dry-run']);
  assert.match(dry.stdout, /^Backup "short-1" would be deleted: expired \S+Z\.\nBackup "short-2" would be deleted: expired \S+Z\.\nDry run: 2 backups would be deleted, 1 not expired; nothing was changed\.\n$/);
  assert.is(dry.stderr, '');
  assert.equal(files(), before, 'a dry run changes no file of the location');

  const gc = await velero(['backup', 'gc']);
  assert.match(gc.stdout, /^Backup "short-1" deleted: expired \S+Z \(and 1 volume snapshot\)\.\nBackup "short-2" deleted: expired \S+Z\.\n/);
  assert.match(gc.stdout, /\nVolume repository pruned: [1-9]\d* chunks deleted \(\d+ packs deleted, \d+ rewritten without their unused chunks\), [1-9]\d* kept\.\n/);
  assert.match(gc.stdout, /\nGarbage collection done: 2 backups deleted, 1 not expired\.\n$/);
  assert.is(gc.stderr, '');

  const listed = (await velero(['backup', 'get'])).stdout;
  assert.match(listed, /\nlong\s+Completed\s/);
  assert.not.match(listed, /short-/);
  const kept = under('backups/');
  assert.ok(kept.includes('backups/long/velero-backup.json') && kept.includes('backups/long/long.tar.gz'), kept.join('\n'));
  assert.ok(kept.every((k) => k.startsWith('backups/long/')), `only long's files are left under backups/:\n${kept.join('\n')}`);
  const ours = under('plugins/kubectl-velero/backups/');
  assert.ok(ours.every((k) => k.startsWith('plugins/kubectl-velero/backups/long/')), `no record of a deleted backup is left, deletion records included:\n${ours.join('\n')}`);
  const check = await velero(['repo', 'check']);
  assert.match(check.stdout, /^1 snapshots, \d+ chunks stored in \d+ packs, \d+ chunks read and verified\.\nNo problems found\.\n$/);
  assert.match((await velero(['repo', 'snapshots'])).stdout, /\blong\b/);
  assert.not.match((await velero(['repo', 'snapshots'])).stdout, /short-1/);

  const again = JSON.parse((await velero(['backup', 'gc', '-o', 'json'])).stdout);
  assert.equal([again.deleted, again.failed, again.notExpired, again.prune.status], [[], [], 1, 'not-needed']);
});

test('a ReadOnly BackupStorageLocation of the cluster is refused in one line, dry run too, and nothing is deleted', async () => {
  await velero(['backup', 'create', 'ro-1', '--include-namespaces', 'shop', '--ttl', '1s']);
  writeFileSync(join(work, 'crd.yaml'), BSL_CRD);
  await kubectl(['apply', '-f', join(work, 'crd.yaml')]);
  await kubectl(['wait', '--for=condition=Established', 'crd/backupstoragelocations.velero.io']);
  await kubectl(['create', 'namespace', 'velero']);
  writeFileSync(
    join(work, 'bsl.yaml'),
    `apiVersion: velero.io/v1
kind: BackupStorageLocation
metadata: { name: archive, namespace: velero }
spec:
  provider: local
  objectStorage: { bucket: "" }
  config: { path: "${storeDir}" }
  accessMode: ReadOnly
`,
  );
  await kubectl(['apply', '-f', join(work, 'bsl.yaml')]);
  await sleep(1100);
  const before = files();
  for (const args of [['backup', 'gc', '--storage-location', 'archive'], ['backup', 'gc', '--storage-location', 'archive', '--dry-run']]) {
    const refused = await velero(args, 1);
    assert.is(refused.stderr, 'error: backup storage location "archive" is ReadOnly: cannot garbage-collect expired backups in it\n');
    assert.is(refused.stdout, '');
  }
  assert.equal(files(), before);
  assert.match((await velero(['backup', 'get', '--storage-location', 'archive'])).stdout, /\nro-1\s+Completed\s/, 'reading it is fine');
  // The same files through the writable location: gc goes ahead there.
  assert.match((await velero(['backup', 'gc'])).stdout, /^Backup "ro-1" deleted: expired /);
});

test.run();
