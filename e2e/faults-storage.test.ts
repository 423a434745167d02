// Faults of the storage a run writes to: a full disk under a local location, a full disk under the
// restore's staging directory (TMPDIR), and a location's credentials revoked while a backup runs.
// Each is one line starting "error:" that names the location or directory and what went wrong, a
// non-zero exit, nothing recorded Completed and no partial tarball; once there is room (or access)
// again the next run is Completed. Full disks are small tmpfs mounts (the tests run as root);
// credentials are revoked by disabling a MinIO user through its admin API (hack/harness/minio-admin.ts).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { seedObjects } from '../bench/backup/seed.ts';
import { downCluster, upCluster, type ClusterStatus } from '../hack/harness/cluster.ts';
import { addUser, disableUser, enableUser } from '../hack/harness/minio-admin.ts';
import { repoRoot } from '../hack/harness/paths.ts';
import { eventually, kubectl } from './fixtures/node-helpers.ts';
import { runCommand, type RunningCommand, startCommand } from './run-command.ts';

const plugin = join(repoRoot, 'bin', 'kubectl-velero');
const CLUSTER = `faults-storage-${process.pid}`;
// bench-000 alone (100 config maps and 100 secrets of ~1 KiB random text) makes a tarball and a
// staging file several times TINY; every bench-* namespace keeps a backup listing for seconds.
const OBJECTS = 4000;
const NAMESPACES = 20;
const TINY = '64k';
const ROOMY = '256m';
let c: ClusterStatus;
let work: string;
let env: NodeJS.ProcessEnv;
/** tmpfs mounts and commands a test started: unmounted and killed by test.after whatever happens. */
const mounts = new Set<string>();
const started = new Set<RunningCommand>();

const velero = (args: string[], code = 0, extraEnv: NodeJS.ProcessEnv = {}) => runCommand(plugin, [...args, '--kubeconfig', c.kubeconfig], { ...env, ...extraEnv }, code);
const errorLines = (text: string) => text.split('\n').filter((line) => line.startsWith('error:'));
const record = (name: string) => join(dirname(c.kubeconfig), 'minio-data', c.minio.bucket, `plugins/kubectl-velero/backups/${name}/in-progress.json`);

async function mountTmpfs(dir: string, size: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await runCommand('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], env);
  mounts.add(dir);
}

/** More room on the same disk: what was written stays. */
const growTmpfs = (dir: string, size: string) => runCommand('mount', ['-o', `remount,size=${size}`, dir], env);

/** Every file under `dir`, relative. */
function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name).slice(dir.length + 1));
}

async function configMapsIn(namespace: string): Promise<number> {
  const r = await kubectl(c.kubeconfig, ['get', 'configmaps', '-n', namespace, '-l', 'bench=backup', '-o', 'name']);
  return r.stdout.split('\n').filter(Boolean).length;
}

test.before(async () => {
  try {
    c = await upCluster(CLUSTER);
    work = mkdtempSync(join(tmpdir(), 'kv-faults-storage-'));
    env = { ...process.env, KUBECTL_VELERO_CONFIG: join(work, 'config.yaml') };
    delete env.FORCE_COLOR;
    await seedObjects(c.kubeconfig, OBJECTS, NAMESPACES);
  } catch (error) {
    // uvu does not report a failing before hook: say why here.
    console.error('faults-storage: set-up failed:', error);
    throw error;
  }
});

test.after(async () => {
  for (const run of started) if (!run.exited) run.child.kill('SIGKILL');
  for (const dir of mounts) await runCommand('umount', [dir], env).catch(() => runCommand('umount', ['-l', dir], env).catch(() => undefined));
  await downCluster(CLUSTER);
  if (work) rmSync(work, { recursive: true, force: true });
});

test('a full disk under a local location: one error naming the location and the full disk, nothing Completed, no partial tarball; with room the same backup is Completed and restores', async () => {
  const disk = join(work, 'full-disk');
  await mountTmpfs(disk, TINY);
  await velero(['backup-location', 'create', 'small', '--provider', 'local', '--config', `path=${disk}`]);

  const full = await velero(['backup', 'create', 'bench-0', '--include-namespaces', 'bench-000', '--storage-location', 'small'], 1);
  const listed = (await velero(['backup', 'get', '--storage-location', 'small'])).stdout;
  console.log(`backup onto a full disk: ${errorLines(full.stderr).join(' | ')}; listed: ${/\nbench-0\s+(\S+)/.exec(listed)?.[1] ?? 'absent'}`);
  assert.equal(errorLines(full.stderr).length, 1, full.stderr);
  assert.match(full.stderr, /^error: [^\n]*backup storage location "small": the disk holding file:\/\/\S+full-disk is full \(ENOSPC: no space left on device\)/m);
  assert.not.match(full.stdout, /Backup "bench-0" completed/);
  assert.not.match(listed, /\nbench-0\s+Completed\s/, listed);
  assert.ok(!listed.includes('bench-0') || /\nbench-0\s+Failed\s/.test(listed), listed);
  const left = files(disk);
  assert.not.ok(left.some((f) => f.endsWith('.tar.gz') || f.includes('.kv-partial-')), `left on the disk: ${left.join(', ')}`);

  await growTmpfs(disk, ROOMY);
  if (listed.includes('bench-0')) await velero(['backup', 'delete', 'bench-0', '--confirm', '--storage-location', 'small']);
  const again = await velero(['backup', 'create', 'bench-0', '--include-namespaces', 'bench-000', '--storage-location', 'small']);
  assert.match(again.stdout, /Backup "bench-0" completed: \d+ items/);
  const restored = await velero(['restore', 'create', 'bench-0-copy', '--from-backup', 'bench-0', '--namespace-mappings', 'bench-000:copy-000', '--storage-location', 'small']);
  assert.match(restored.stdout, /Restore "bench-0-copy" from backup "bench-0" completed/, restored.stdout);
  assert.is(await configMapsIn('copy-000'), await configMapsIn('bench-000'));
});

test("a full restore staging directory (TMPDIR): one error naming it, the restore Failed with nothing restored; with room it completes", async () => {
  const staging = join(work, 'staging');
  await mountTmpfs(staging, TINY);
  const args = ['--from-backup', 'bench-0', '--namespace-mappings', 'bench-000:copy-001', '--storage-location', 'small'];

  const full = await velero(['restore', 'create', 'staged-full', ...args], 1, { TMPDIR: staging });
  console.log(`restore staged on a full disk: ${errorLines(full.stderr).join(' | ')}`);
  assert.equal(errorLines(full.stderr).length, 1, full.stderr);
  assert.match(full.stderr, /^error: the restore's staging directory \S+staging is full \(ENOSPC: no space left on device\): free space there or set TMPDIR/m);
  assert.match(full.stdout, /Restore "staged-full" from backup "bench-0" finished with phase Failed/, full.stdout);
  assert.match((await velero(['restore', 'get', '--storage-location', 'small'])).stdout, /\nstaged-full\s+bench-0\s+Failed\s/);
  assert.is((await kubectl(c.kubeconfig, ['get', 'namespace', 'copy-001'], { allowFail: true })).code, 1, 'nothing restored');
  assert.equal(files(staging), [], 'the staging file is removed');

  await growTmpfs(staging, ROOMY);
  const again = await velero(['restore', 'create', 'staged-room', ...args], 0, { TMPDIR: staging });
  assert.match(again.stdout, /Restore "staged-room" from backup "bench-0" completed/, again.stdout);
  assert.is(await configMapsIn('copy-001'), await configMapsIn('bench-000'));
});

test("a location's credentials revoked while a backup runs: one error naming the location, not Completed; a restore meets the same; access back, the next backup is Completed", async () => {
  const user = await addUser(c.minio, join(work, 'user-credentials'));
  const config = `region=${c.minio.region},s3Url=${c.minio.endpoint},s3ForcePathStyle=true`;
  await velero(['backup-location', 'create', 'as-user', '--provider', 'aws', '--bucket', c.minio.bucket, '--config', config, '--credential-file', join(work, 'user-credentials')]);
  await velero(['backup', 'create', 'before', '--include-namespaces', 'bench-000', '--storage-location', 'as-user']);

  // A short heartbeat: the record the revoked backup cannot replace goes stale in seconds.
  const heartbeat = { KUBECTL_VELERO_HEARTBEAT_SECONDS: '1' };
  const running = startCommand(plugin, ['backup', 'create', 'revoked', '--include-namespaces', 'bench-*', '--storage-location', 'as-user', '--kubeconfig', c.kubeconfig], { ...env, ...heartbeat });
  started.add(running);
  await eventually('the backup to start', async () => existsSync(record('revoked')), 60_000, 10);
  const startedAt = Date.now();
  await disableUser(c.minio, user.accessKey);
  const revokedAfter = Date.now() - startedAt;
  const { code } = await running.exit;
  const out = running.output;
  console.log(`backup with its credentials revoked ${revokedAfter} ms after it started, ended ${Date.now() - startedAt} ms after: ${errorLines(out).join(' | ')}`);
  assert.is.not(code, 0, out);
  assert.not.match(out, /Backup "revoked" completed/);
  assert.equal(errorLines(out).length, 1, out);
  assert.match(out, /^error: [^\n]*backup storage location "as-user": access denied/m);

  const restore = await velero(['restore', 'create', 'while-revoked', '--from-backup', 'before', '--storage-location', 'as-user'], 1);
  console.log(`restore with its credentials revoked: ${errorLines(restore.stderr).join(' | ')}`);
  assert.equal(errorLines(restore.stderr).length, 1, restore.stderr);
  assert.match(restore.stderr, /^error: backup storage location "as-user": access denied/m);

  await enableUser(c.minio, user.accessKey);
  const failed = await eventually(
    'the revoked backup to show Failed',
    async () => {
      const listed = (await velero(['backup', 'get', '--storage-location', 'as-user'])).stdout;
      return /\nrevoked\s+Failed\s/.test(listed) && listed;
    },
    60_000,
  );
  assert.not.match(failed, /\nrevoked\s+Completed\s/);
  const next = await velero(['backup', 'create', 'after', '--include-namespaces', 'bench-*', '--storage-location', 'as-user']);
  assert.match(next.stdout, /Backup "after" completed: \d+ items/);
});

test.run();
