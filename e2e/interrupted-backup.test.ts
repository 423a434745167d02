// A backup whose process is stopped half-way, on a real API server and MinIO: Ctrl-C (SIGINT)
// records it Failed ("interrupted") and removes its partial tarball; SIGKILL leaves its heartbeat
// record, which `backup get` shows InProgress and then, once stale, Failed with the reason;
// `backup delete` cleans it and the same name backs up again. Nothing is ever listed Completed
// that was not finished.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { seedObjects } from '../bench/backup/seed.ts';
import { downCluster, upCluster, type ClusterStatus } from '../hack/harness/cluster.ts';
import { repoRoot } from '../hack/harness/paths.ts';
import { eventually } from './fixtures/node-helpers.ts';
import { type RunningCommand, runCommand, startCommand } from './run-command.ts';

const plugin = join(repoRoot, 'bin', 'kubectl-velero');
const CLUSTER = `interrupt-${process.pid}`;
let c: ClusterStatus;
let work: string;
let env: NodeJS.ProcessEnv;

const velero = (args: string[], code = 0) => runCommand(plugin, [...args, '--kubeconfig', c.kubeconfig], env, code);
/** Where MinIO keeps an object of the bucket (a folder per object). */
const inBucket = (key: string) => join(dirname(c.kubeconfig), 'minio-data', c.minio.bucket, key);
const record = (name: string) => inBucket(`plugins/kubectl-velero/backups/${name}/in-progress.json`);

/** Starts `backup create NAME` and resolves once its heartbeat record is in the bucket (the backup is running). */
async function startBackup(name: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<RunningCommand> {
  const running = startCommand(plugin, ['backup', 'create', name, '--include-namespaces', 'bench-*', '--kubeconfig', c.kubeconfig], { ...env, ...extraEnv });
  await eventually(`the heartbeat record of ${name}`, async () => existsSync(record(name)) || running.exited, 60_000, 10);
  assert.not.ok(running.exited, `backup ${name} ended before it could be stopped:\n${running.output}`);
  return running;
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
  const running = await startBackup('cut');
  running.child.kill('SIGINT');
  assert.is((await running.exit).code, 130, running.output);
  assert.match(running.output, /SIGINT: stopping the backup and recording it Failed/);
  assert.match((await velero(['backup', 'get'])).stdout, /\ncut\s+Failed\s/);
  assert.match((await velero(['backup', 'describe', 'cut'])).stdout, /interrupted \(SIGINT\) before the backup was complete/);
  assert.not.ok(existsSync(inBucket('backups/cut/cut.tar.gz')), 'the partial tarball is removed');
  assert.not.ok(existsSync(record('cut')), 'the heartbeat record is removed');
  assert.match((await velero(['backup', 'create', 'after-cut', '--include-namespaces', 'bench-000'])).stdout, /Backup "after-cut" completed/);
});

test('SIGKILL mid-backup: InProgress while its heartbeat is fresh, then Failed naming the dead process; delete cleans it; the name backs up again', async () => {
  const running = await startBackup('killed', { KUBECTL_VELERO_HEARTBEAT_SECONDS: '1' });
  running.child.kill('SIGKILL');
  assert.is((await running.exit).signal, 'SIGKILL');
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
