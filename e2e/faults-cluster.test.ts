// Faults of a running cluster, on real processes the harness owns: the API server killed as soon as a
// backup has started (it then meets a dead API server in discovery or its LISTs), and the CLI killed
// (SIGKILL) in the middle of a restore.
// Each ends in an honest phase — never a Completed backup that misses what it did not read — and the
// next run works: the API server restarted on the same etcd serves a Completed backup, and the
// same restore run again finishes the job, comparing what the first run created instead of
// duplicating it.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { seedObjects } from '../bench/backup/seed.ts';
import { apiOk } from '../hack/harness/api-probe.ts';
import { downCluster, upCluster, type ClusterStatus } from '../hack/harness/cluster.ts';
import { repoRoot } from '../hack/harness/paths.ts';
import { isRunning } from '../hack/harness/processes.ts';
import { eventually } from './fixtures/node-helpers.ts';
import { runCommand, startCommand } from './run-command.ts';

const plugin = join(repoRoot, 'bin', 'kubectl-velero');
const CLUSTER = `faults-${process.pid}`;
const OBJECTS = 4000;
const NAMESPACES = 20;
let c: ClusterStatus;
let work: string;
let env: NodeJS.ProcessEnv;
/** An API server this test started again; stopped by it whatever happens. */
let restarted: ChildProcess | undefined;

const velero = (args: string[], code = 0) => runCommand(plugin, [...args, '--kubeconfig', c.kubeconfig], env, code);
const record = (name: string) => join(dirname(c.kubeconfig), 'minio-data', c.minio.bucket, `plugins/kubectl-velero/backups/${name}/in-progress.json`);

function adminAuth() {
  const pki = join(dirname(c.kubeconfig), 'pki');
  return { server: c.apiServer, caCert: join(pki, 'ca.crt'), cert: join(pki, 'admin.crt'), key: join(pki, 'admin.key') };
}

/** The API server's pid and command line, from the harness's state. */
function apiServer(): { pid: number; argv: string[] } {
  const state = JSON.parse(readFileSync(join(dirname(c.kubeconfig), 'state.json'), 'utf8')) as { processes: { name: string; pid: number }[] };
  const pid = restarted?.pid ?? state.processes.find((p) => p.name === 'kube-apiserver')!.pid;
  return { pid, argv: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean) };
}

async function countConfigMaps(): Promise<number> {
  const r = await runCommand('kubectl', ['--kubeconfig', c.kubeconfig, 'get', 'configmaps', '-A', '-l', 'bench=backup', '-o', 'name'], env);
  return r.stdout.split('\n').filter(Boolean).length;
}

test.before(async () => {
  c = await upCluster(CLUSTER);
  work = mkdtempSync(join(tmpdir(), 'kv-faults-cluster-'));
  env = { ...process.env, KUBECTL_VELERO_CONFIG: join(work, 'config.yaml') };
  delete env.FORCE_COLOR;
  await seedObjects(c.kubeconfig, OBJECTS, NAMESPACES);
  await velero(['backup-location', 'create', 'minio', '--provider', 'aws', '--bucket', c.minio.bucket, '--config', `region=${c.minio.region},s3Url=${c.minio.endpoint},s3ForcePathStyle=true`, '--credential-file', c.minio.credentialsFile, '--default']);
});

test.after(async () => {
  if (restarted?.pid && isRunning(restarted.pid)) restarted.kill('SIGKILL');
  await downCluster(CLUSTER);
  rmSync(work, { recursive: true, force: true });
});

test('the API server killed while a backup runs: the backup is not Completed and says why; restarted, the next backup is Completed', async () => {
  const { pid, argv } = apiServer();
  const running = startCommand(plugin, ['backup', 'create', 'cut-list', '--include-namespaces', 'bench-*', '--kubeconfig', c.kubeconfig], env);
  await eventually('the backup to start', async () => existsSync(record('cut-list')), 60_000, 10);
  process.kill(pid, 'SIGKILL');
  const { code } = await running.exit;
  const out = running.output;
  assert.is.not(code, 0, out);
  assert.not.match(out, /Backup "cut-list" completed/);
  assert.match(out, /finished with phase (Failed|PartiallyFailed)/, out);
  console.log(`backup with the API server killed: ${out.trim().split('\n').filter((l) => /phase|error:/.test(l)).join(' | ')}`);
  assert.match(out, /error: [^\n]*(127\.0\.0\.1|ECONNREFUSED|ECONNRESET|socket hang up|cannot reach)/i, out);

  // The same API server again, on the same etcd, ports and certificates.
  const log = openSync(join(dirname(c.kubeconfig), 'logs', 'kube-apiserver-restarted.log'), 'a');
  restarted = spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', log, log], cwd: dirname(c.kubeconfig) });
  await eventually('the API server to serve again', () => apiOk(adminAuth(), '/readyz'), 120_000, 500);
  const listed = (await velero(['backup', 'get'])).stdout;
  assert.match(listed, /\ncut-list\s+(Failed|PartiallyFailed)\s/, listed);
  assert.not.match(listed, /\ncut-list\s+Completed\s/);
  const described = (await velero(['backup', 'describe', 'cut-list', '--details'])).stdout;
  assert.ok(/Errors:\s+[1-9]/.test(described) || /Phase:\s+Failed/.test(described), described);
  const next = await velero(['backup', 'create', 'after-restart', '--include-namespaces', 'bench-*']);
  assert.match(next.stdout, new RegExp(`Backup "after-restart" completed: \\d+ items`));
});

test('SIGKILL in the middle of a restore: the same restore run again completes it, nothing duplicated', async () => {
  await runCommand('kubectl', ['--kubeconfig', c.kubeconfig, 'delete', 'namespace', ...Array.from({ length: NAMESPACES }, (_, i) => `bench-${String(i).padStart(3, '0')}`), '--wait=true', '--timeout=300s'], env);
  const { child, exit } = startCommand(plugin, ['restore', 'create', 'r-cut', '--from-backup', 'after-restart', '--kubeconfig', c.kubeconfig], env);
  // Killed once part of the objects exist again.
  await eventually('some objects to be restored', async () => (await countConfigMaps()) > 200, 120_000, 200);
  child.kill('SIGKILL');
  assert.is((await exit).signal, 'SIGKILL');
  const partial = await countConfigMaps();
  assert.ok(partial < OBJECTS / 2, `the restore was cut with ${partial} of ${OBJECTS / 2} config maps restored`);
  console.log(`restore killed with ${partial} of ${OBJECTS / 2} config maps restored`);
  const again = await velero(['restore', 'create', 'r-again', '--from-backup', 'after-restart']);
  assert.match(again.stdout, /Restore "r-again" from backup "after-restart" completed/, again.stdout);
  assert.is(await countConfigMaps(), OBJECTS / 2);
  const fidelity = (await velero(['restore', 'describe', 'r-again', '--fidelity'])).stdout;
  assert.match(fidelity, /Fidelity:\s+\d+ objects checked, 0 missing, 0 different/, fidelity);
});

test.run();
