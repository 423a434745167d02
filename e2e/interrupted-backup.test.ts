// A backup whose process is stopped half-way, on a real API server and MinIO: Ctrl-C (SIGINT)
// records it Failed ("interrupted") and removes its partial tarball; SIGKILL leaves its heartbeat
// record, which `backup get` shows InProgress and then, once stale, Failed with the reason;
// `backup delete` cleans it and the same name backs up again. Nothing is ever listed Completed
// that was not finished.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { seedObjects } from '../bench/backup/seed.ts';
import { downCluster, upCluster, type ClusterStatus } from '../hack/harness/cluster.ts';
import { repoRoot } from '../hack/harness/paths.ts';
import { runCommand } from './run-command.ts';

const plugin = join(repoRoot, 'bin', 'kubectl-velero');
const CLUSTER = `interrupt-${process.pid}`;
let c: ClusterStatus;
let work: string;
let env: NodeJS.ProcessEnv;

const velero = (args: string[], code = 0) => runCommand(plugin, [...args, '--kubeconfig', c.kubeconfig], env, code);
/** Where MinIO keeps an object of the bucket (a folder per object). */
const inBucket = (key: string) => join(dirname(c.kubeconfig), 'minio-data', c.minio.bucket, key);
const record = (name: string) => inBucket(`plugins/kubectl-velero/backups/${name}/in-progress.json`);

async function eventually(what: string, check: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 10): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Starts `backup create NAME` and resolves once its heartbeat record is in the bucket (the backup is running). */
async function startBackup(name: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<{ child: ChildProcess; exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> }> {
  const child = spawn(plugin, ['backup', 'create', name, '--include-namespaces', 'bench-*', '--kubeconfig', c.kubeconfig], { env: { ...env, ...extraEnv }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d: Buffer) => (stdout += d));
  child.stderr!.on('data', (d: Buffer) => (stderr += d));
  const exit = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
  let exited = false;
  void exit.then(() => (exited = true));
  await eventually(`the heartbeat record of ${name}`, () => existsSync(record(name)) || exited, 60_000);
  assert.not.ok(exited, `backup ${name} ended before it could be stopped:\n${stdout}\n${stderr}`);
  return { child, exit };
}

test.before(async () => {
  c = await upCluster(CLUSTER);
  work = mkdtempSync(join(tmpdir(), 'kv-interrupt-e2e-'));
  env = { ...process.env, KUBECTL_VELERO_CONFIG: join(work, 'config.yaml') };
  await seedObjects(c.kubeconfig, 4000, 20);
  await velero(['backup-location', 'create', 'minio', '--provider', 'aws', '--bucket', c.minio.bucket, '--config', `region=${c.minio.region},s3Url=${c.minio.endpoint},s3ForcePathStyle=true`, '--credential-file', c.minio.credentialsFile, '--default']);
});

test.after(async () => {
  await downCluster(CLUSTER);
  rmSync(work, { recursive: true, force: true });
});

test('SIGINT mid-backup: recorded Failed ("interrupted"), no partial tarball, no heartbeat left; the next backup works', async () => {
  const { child, exit } = await startBackup('cut');
  child.kill('SIGINT');
  const ended = await exit;
  assert.is(ended.code, 130, ended.stderr);
  assert.match(ended.stderr, /SIGINT: stopping the backup and recording it Failed/);
  assert.match((await velero(['backup', 'get'])).stdout, /\ncut\s+Failed\s/);
  assert.match((await velero(['backup', 'describe', 'cut'])).stdout, /interrupted \(SIGINT\) before the backup was complete/);
  assert.not.ok(existsSync(inBucket('backups/cut/cut.tar.gz')), 'the partial tarball is removed');
  assert.not.ok(existsSync(record('cut')), 'the heartbeat record is removed');
  assert.match((await velero(['backup', 'create', 'after-cut', '--include-namespaces', 'bench-000'])).stdout, /Backup "after-cut" completed/);
});

test('SIGKILL mid-backup: InProgress while its heartbeat is fresh, then Failed naming the dead process; delete cleans it; the name backs up again', async () => {
  const { child, exit } = await startBackup('killed', { KUBECTL_VELERO_HEARTBEAT_SECONDS: '1' });
  child.kill('SIGKILL');
  assert.is((await exit).signal, 'SIGKILL');
  const first = (await velero(['backup', 'get'])).stdout;
  assert.match(first, /\nkilled\s+(InProgress|Failed)\s/);
  // Stale after four missed beats of one second.
  await eventually('the killed backup to show Failed', async () => /\nkilled\s+Failed\s/.test((await velero(['backup', 'get'])).stdout), 30_000, 1000);
  const described = (await velero(['backup', 'describe', 'killed'])).stdout;
  assert.match(described, /the process running the backup \([^)]+\) stopped before it finished: no heartbeat since /);
  assert.not.ok(existsSync(inBucket('backups/killed/velero-backup.json')), 'never published');
  await velero(['restore', 'create', '--from-backup', 'killed'], 1);
  assert.match((await velero(['backup', 'delete', 'killed', '--confirm'])).stdout, /Backup "killed" deleted/);
  assert.not.match((await velero(['backup', 'get'])).stdout, /\nkilled\s/);
  assert.not.ok(existsSync(record('killed')));
  assert.match((await velero(['backup', 'create', 'killed', '--include-namespaces', 'bench-001'])).stdout, /Backup "killed" completed/);
});

test.run();
