// Faults of a running cluster, on real processes the harness owns: the API server killed in the
// middle of a paginated LIST (and not back, or restarted at once), restarted in the middle of a
// restore, and the CLI killed (SIGKILL) in the middle of a restore.
// Each ends in an honest phase — never a Completed backup that misses what it did not read — and the
// next run works: an API server that comes back within --api-reconnect-timeout is waited for and
// the run completes; one that does not leaves a backup PartiallyFailed that names the lists it cut;
// the same restore run again finishes the job, comparing what the first run created instead of
// duplicating it.
// The API server runs with an audit log of ConfigMap LISTs, so a test knows when a LIST is part-way
// (its third page answered) instead of guessing with a sleep.
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { seedObjects } from '../bench/backup/seed.ts';
import { apiGet } from '../hack/harness/api-probe.ts';
import { downCluster, upCluster, type ClusterStatus } from '../hack/harness/cluster.ts';
import { repoRoot } from '../hack/harness/paths.ts';
import { isRunning } from '../hack/harness/processes.ts';
import { eventually } from './fixtures/node-helpers.ts';
import { killOutright, processImage, type ProcessImage, startImage, waitStarted } from './fixtures/process-restart.ts';
import { runCommand, startCommand } from './run-command.ts';

const plugin = join(repoRoot, 'bin', 'kubectl-velero');
const CLUSTER = `faults-${process.pid}`;
const OBJECTS = 4000;
const NAMESPACES = 20;
/** One namespace whose ConfigMaps take many pages at --client-page-size 20. */
const BIG = 'big-list';
const BIG_CONFIGMAPS = 1500;
let c: ClusterStatus;
let work: string;
let env: NodeJS.ProcessEnv;
/** The API server (with its audit log, or again after a kill) and MinIO this test started; stopped by it whatever happens. */
let restarted: ChildProcess | undefined;
let restartedMinio: ChildProcess | undefined;
let auditLog: string;

const velero = (args: string[], code = 0) => runCommand(plugin, [...args, '--kubeconfig', c.kubeconfig], env, code);

function adminAuth() {
  const pki = join(dirname(c.kubeconfig), 'pki');
  return { server: c.apiServer, caCert: join(pki, 'ca.crt'), cert: join(pki, 'admin.crt'), key: join(pki, 'admin.key') };
}

/** The pid of a harness process, or of the one this test started in its place. */
function harnessPid(name: 'kube-apiserver' | 'minio'): number {
  const mine = name === 'kube-apiserver' ? restarted : restartedMinio;
  if (mine?.pid && isRunning(mine.pid)) return mine.pid;
  const state = JSON.parse(readFileSync(join(dirname(c.kubeconfig), 'state.json'), 'utf8')) as { processes: { name: string; pid: number }[] };
  return state.processes.find((p) => p.name === name)!.pid;
}

/** The same API server again (same etcd, ports and certificates), waited for until ready. */
async function startApiServer(image: ProcessImage, extraArgs: string[] = []): Promise<void> {
  const log = join(dirname(c.kubeconfig), 'logs', 'kube-apiserver-restarted.log');
  const started = Date.now();
  restarted = startImage(image, log, extraArgs);
  // The checks /readyz last failed on, for the error when it never passes.
  let failing = '';
  const ready = async () => {
    const { status, body } = await apiGet(adminAuth(), '/readyz?verbose');
    failing = body.split('\n').filter((l) => l.startsWith('[-]')).join(', ');
    return status === 200;
  };
  try {
    await waitStarted(restarted, log, 'kube-apiserver', 'the API server to serve again', ready, 120_000);
  } catch (error) {
    const [first, ...rest] = (error as Error).message.split('\n');
    throw new Error([`${first}${failing ? ` /readyz still failing: ${failing}` : ''}`, ...rest].join('\n'));
  }
  console.log(`API server serving again ${((Date.now() - started) / 1000).toFixed(1)} s after its restart`);
}

/** The same MinIO again, on the same data directory and port. */
async function startMinio(image: ProcessImage): Promise<void> {
  const log = join(dirname(c.kubeconfig), 'logs', 'minio-restarted.log');
  restartedMinio = startImage(image, log);
  await waitStarted(restartedMinio, log, 'minio', 'MinIO to serve again', async () => (await fetch(`${c.minio.endpoint}/minio/health/ready`)).ok, 60_000);
}

/** LIST pages of the big namespace's ConfigMaps that the API server answered (after the first). */
function continuedPages(): number {
  if (!existsSync(auditLog)) return 0;
  return readFileSync(auditLog, 'utf8')
    .split('\n')
    .filter((l) => l.includes('"ResponseComplete"') && l.includes(`/namespaces/${BIG}/configmaps?`) && l.includes('continue=')).length;
}

async function countConfigMaps(namespace?: string): Promise<number> {
  const where = namespace ? ['-n', namespace] : ['-A', '-l', 'bench=backup'];
  const r = await runCommand('kubectl', ['--kubeconfig', c.kubeconfig, 'get', 'configmaps', ...where, '-o', 'name'], env);
  return r.stdout.split('\n').filter(Boolean).length;
}

async function seedBigNamespace(): Promise<void> {
  const kc = new KubeConfig();
  kc.loadFromFile(c.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: BIG } } });
  let next = 0;
  const worker = async () => {
    while (next < BIG_CONFIGMAPS) {
      const i = next++;
      await core.createNamespacedConfigMap({ namespace: BIG, body: { metadata: { name: `cm-${i}` }, data: { n: String(i) } } });
    }
  };
  await Promise.all(Array.from({ length: 32 }, worker));
}

/**
 * One step of the setup, whose failure names the step on one line: CI keeps only the first line of
 * a failed setup's error (a client's error message may span several).
 */
async function step<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new Error(`setup, ${what}: ${message.trim().replace(/\s*\n\s*/g, ' | ')}`, { cause: error });
  }
}

test.before(async () => {
  c = await step('starting the cluster', () => upCluster(CLUSTER));
  work = mkdtempSync(join(tmpdir(), 'kv-faults-cluster-'));
  env = { ...process.env, KUBECTL_VELERO_CONFIG: join(work, 'config.yaml') };
  delete env.FORCE_COLOR;
  await step(`seeding ${OBJECTS} objects`, () => seedObjects(c.kubeconfig, OBJECTS, NAMESPACES));
  await step(`seeding ${BIG_CONFIGMAPS} config maps in ${BIG}`, seedBigNamespace);
  await step('adding the backup location', () => velero(['backup-location', 'create', 'minio', '--provider', 'aws', '--bucket', c.minio.bucket, '--config', `region=${c.minio.region},s3Url=${c.minio.endpoint},s3ForcePathStyle=true`, '--credential-file', c.minio.credentialsFile, '--default']));
  // The API server again, now writing an audit line for every ConfigMap LIST it answers.
  const policy = join(work, 'audit-policy.yaml');
  auditLog = join(work, 'audit.log');
  writeFileSync(policy, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nomitStages: [RequestReceived]\nrules:\n- level: Metadata\n  verbs: [list]\n  resources: [{group: "", resources: [configmaps]}]\n- level: None\n');
  await step('restarting the API server with an audit log', async () => {
    const pid = harnessPid('kube-apiserver');
    const image = processImage(pid);
    await killOutright(pid);
    await startApiServer(image, [`--audit-policy-file=${policy}`, `--audit-log-path=${auditLog}`, '--audit-log-mode=blocking']);
  });
});

test.after(async () => {
  for (const p of [restarted, restartedMinio]) if (p?.pid && isRunning(p.pid)) p.kill('SIGKILL');
  await downCluster(CLUSTER);
  rmSync(work, { recursive: true, force: true });
});

/** A backup of the big namespace, 20 objects a page, killed once its ConfigMap LIST is three pages in. */
async function backupWithListCut(name: string, extra: string[], afterKill: (image: ProcessImage) => Promise<void>) {
  const pagesBefore = continuedPages();
  const pid = harnessPid('kube-apiserver');
  const image = processImage(pid);
  const running = startCommand(plugin, ['backup', 'create', name, '--include-namespaces', BIG, '--client-page-size', '20', '--concurrency', '1', ...extra, '--kubeconfig', c.kubeconfig], env);
  await eventually('the ConfigMap LIST to be three pages in', async () => running.exited || continuedPages() >= pagesBefore + 3, 60_000, 5);
  assert.not.ok(running.exited, `the backup ended before its LIST was cut:\n${running.output}`);
  await killOutright(pid);
  await afterKill(image);
  const { code } = await running.exit;
  return { code, out: running.output };
}

test('the API server killed part-way through a paginated LIST and not back: PartiallyFailed, naming the list it cut and how far it read; restarted, the next backup is Completed', async () => {
  let image: ProcessImage | undefined;
  const { out } = await backupWithListCut('cut-list', ['--api-reconnect-timeout', '3s'], async (i) => void (image = i));
  // Back before anything is asserted, so a failure here does not take the later tests down with it.
  await startApiServer(image!);
  // (A PartiallyFailed backup exits 0, as Velero's CLI does: what it holds can be restored.)
  assert.not.match(out, /Backup "cut-list" completed/);
  assert.match(out, /finished with phase (PartiallyFailed|Failed)/, out);
  assert.match(out, /waiting: the API server at https:\/\/127\.0\.0\.1:\d+ stopped answering \((ECONNREFUSED|ECONNRESET)\); waiting up to 3 s/, out);
  const cut = /error: cannot list configmaps in namespace big-list \(the first (\d+) were read; the rest are not in the backup\): the API server at \S+ stopped answering \(\w+\), and did not answer again within 3s/.exec(out);
  assert.ok(cut, out);
  const read = Number(cut![1]);
  assert.ok(read >= 40 && read < BIG_CONFIGMAPS, `read ${read}`);
  console.log(`LIST cut after ${read} of ${BIG_CONFIGMAPS} config maps: ${out.trim().split('\n').filter((l) => /phase|error:/.test(l))[0]}`);

  const listed = (await velero(['backup', 'get'])).stdout;
  assert.match(listed, /\ncut-list\s+(Failed|PartiallyFailed)\s/, listed);
  const described = (await velero(['backup', 'describe', 'cut-list', '--details'])).stdout;
  // Velero's layout: an Errors section from the results file, only when the backup counts errors.
  assert.match(described, /\nErrors:\n  Velero:/, described);
  const next = await velero(['backup', 'create', 'after-restart', '--include-namespaces', 'bench-*']);
  assert.match(next.stdout, new RegExp(`Backup "after-restart" completed: \\d+ items`));
});

test('the API server restarted part-way through a paginated LIST: the backup waits for it, goes on with the same page, and is Completed with every object', async () => {
  // Down longer than the client's own retries (~3 s), as a real restart is: the wait is what carries it.
  const { code, out } = await backupWithListCut('ride-list', [], async (i) => {
    await sleep(8_000);
    await startApiServer(i);
  });
  assert.is(code, 0, out);
  assert.match(out, /waiting: the API server at \S+ stopped answering/, out);
  assert.match(out, /the API server at \S+ answers again after \d+ s; going on/, out);
  assert.match(out, /Backup "ride-list" completed/, out);
  const details = (await velero(['backup', 'describe', 'ride-list', '--details'])).stdout;
  const configMaps = /v1\/ConfigMap:\n((?:\s+- .*\n)+)/.exec(details)?.[1]?.trim().split('\n').length;
  // Every seeded ConfigMap and the namespace's kube-root-ca.crt, each once.
  assert.is(configMaps, BIG_CONFIGMAPS + 1, details.slice(0, 2000));
});

test('the API server restarted in the middle of a restore: the restore waits for it and completes; nothing duplicated, fidelity clean', async () => {
  const target = 'big-copy';
  const pid = harnessPid('kube-apiserver');
  const image = processImage(pid);
  const running = startCommand(plugin, ['restore', 'create', 'r-ride', '--from-backup', 'ride-list', '--namespace-mappings', `${BIG}:${target}`, '--kubeconfig', c.kubeconfig], env);
  await eventually('part of the objects to be restored', async () => running.exited || (await countConfigMaps(target)) > 200, 120_000, 100);
  assert.not.ok(running.exited, running.output);
  await killOutright(pid);
  await sleep(8_000);
  await startApiServer(image);
  const { code } = await running.exit;
  const out = running.output;
  assert.is(code, 0, out);
  assert.match(out, /answers again after \d+ s; going on/, out);
  assert.match(out, /Restore "r-ride" from backup "ride-list" completed/, out);
  const seeded = (await runCommand('kubectl', ['--kubeconfig', c.kubeconfig, 'get', 'configmaps', '-n', target, '-o', 'name'], env)).stdout.split('\n').filter((l) => l.startsWith('configmap/cm-'));
  assert.is(seeded.length, BIG_CONFIGMAPS);
  const fidelity = (await velero(['restore', 'describe', 'r-ride', '--fidelity'])).stdout;
  assert.match(fidelity, /Fidelity:\s+\d+ objects checked, 0 missing, 0 different/, fidelity);
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Bytes the restore process `pid` has staged so far in `tmp`. Its staging file is unlinked once
 * open, so it is found through the process's descriptors: /proc names each one's file ("… (deleted)")
 * and a stat through the descriptor reads the file's size.
 */
function stagedBytes(pid: number, tmp: string): number {
  let total = 0;
  let fds: string[];
  try {
    fds = readdirSync(`/proc/${pid}/fd`);
  } catch {
    return 0; // the process has ended
  }
  for (const fd of fds) {
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith(`${tmp}/`)) total += statSync(`/proc/${pid}/fd/${fd}`).size;
    } catch {
      // closed since it was listed
    }
  }
  return total;
}

test('the object store killed while a restore downloads the backup: the restore fails saying so, its record is not left InProgress, and a rerun completes', async () => {
  // ~40 MB of tarball that does not compress, so the download lasts while the test watches it.
  const kc = new KubeConfig();
  kc.loadFromFile(c.kubeconfig);
  const core = kc.makeApiClient(CoreV1Api);
  await core.createNamespace({ body: { metadata: { name: 'heavy' } } });
  for (let i = 0; i < 48; i++) await core.createNamespacedConfigMap({ namespace: 'heavy', body: { metadata: { name: `blob-${i}` }, data: { blob: randomBytes(660_000).toString('base64') } } });
  await velero(['backup', 'create', 'heavy', '--include-namespaces', 'heavy']);

  const staging = join(work, 'staging');
  mkdirSync(staging);
  const pid = harnessPid('minio');
  const image = processImage(pid);
  const quickBeat = { ...env, TMPDIR: staging, KUBECTL_VELERO_HEARTBEAT_SECONDS: '1' };
  const running = startCommand(plugin, ['restore', 'create', 'r-cut-download', '--from-backup', 'heavy', '--namespace-mappings', 'heavy:heavy-copy', '--kubeconfig', c.kubeconfig], quickBeat);
  const restorePid = running.child.pid!;
  await eventually('the download to be part-way', async () => running.exited || stagedBytes(restorePid, staging) > 4 << 20, 60_000, 5);
  assert.not.ok(running.exited, `the restore ended before MinIO was killed, so this test proves nothing:\n${running.output}`);
  const staged = stagedBytes(restorePid, staging);
  await killOutright(pid);
  const { code } = await running.exit;
  const out = running.output;
  // Back before anything is asserted, so a failure here does not take the later tests down with it.
  await startMinio(image);
  assert.is(code, 1, out);
  assert.not.match(out, /completed/);
  console.log(`restore with MinIO killed after ${staged} bytes staged: ${out.trim().split('\n').find((l) => l.startsWith('error:'))}`);
  assert.match(out, /error: the restore failed \(backup storage location "minio": the object store \S+ at \S+ stopped sending backups\/heavy\/heavy\.tar\.gz part-way \([^)]+\)\), and its record could not be saved: backup storage location "minio": /, out);
  assert.not.match(out, /corrupt/);
  assert.equal(readdirSync(staging), [], 'nothing staged is left in the temp dir');
  assert.is((await runCommand('kubectl', ['--kubeconfig', c.kubeconfig, 'get', 'namespace', 'heavy-copy', '--ignore-not-found', '-o', 'name'], env)).stdout, '', 'nothing was restored');

  // Its record says InProgress with a heartbeat that stopped: shown Failed once that is stale.
  await eventually('the dead restore to show Failed', async () => /\nr-cut-download\s+heavy\s+Failed\s/.test((await velero(['restore', 'get'])).stdout), 30_000, 1000);
  const again = await velero(['restore', 'create', 'r-after-download', '--from-backup', 'heavy', '--namespace-mappings', 'heavy:heavy-copy']);
  assert.match(again.stdout, /Restore "r-after-download" from backup "heavy" completed/, again.stdout);
  const fidelity = (await velero(['restore', 'describe', 'r-after-download', '--fidelity'])).stdout;
  assert.match(fidelity, /Fidelity:\s+\d+ objects checked, 0 missing, 0 different/, fidelity);
});

test('SIGKILL in the middle of a restore: nothing of the backup is left in its temp dir, and the same restore run again completes it, nothing duplicated', async () => {
  await runCommand('kubectl', ['--kubeconfig', c.kubeconfig, 'delete', 'namespace', ...Array.from({ length: NAMESPACES }, (_, i) => `bench-${String(i).padStart(3, '0')}`), '--wait=true', '--timeout=300s'], env);
  const tmp = join(work, 'killed-tmp');
  mkdirSync(tmp);
  const running = startCommand(plugin, ['restore', 'create', 'r-cut', '--from-backup', 'after-restart', '--kubeconfig', c.kubeconfig], { ...env, TMPDIR: tmp });
  // Killed once part of the objects exist again.
  await eventually('some objects to be restored', async () => running.exited || (await countConfigMaps()) > 200, 120_000, 200);
  assert.not.ok(running.exited, `the restore ended before it was killed:\n${running.output}`);
  running.child.kill('SIGKILL');
  assert.is((await running.exit).signal, 'SIGKILL');
  // Its staging file (every item of the backup, Secrets among them) had no name on disk.
  assert.equal(readdirSync(tmp), [], 'the killed restore left nothing in its temp dir');
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
