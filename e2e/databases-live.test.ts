// Databases that keep writing during the backup, on real nodes: PostgreSQL, MariaDB and FerretDB (on
// SQLite, written with the mongodb driver) take a steady stream of ledger transactions (hack/dbdata
// writer) while their volumes are copied, with the hooks of hack/dbdata-lib/hooks.ts: writes held
// back for the copy (PostgreSQL, MariaDB), or a consistent SQLite snapshot swapped in at restore. Restored into an empty namespace of
// the same cluster and into a second cluster, each database starts without recovery errors, its
// ledger checks out (the total recomputed from the rows), and it holds exactly the transactions
// committed before the freeze point its hook logged. A hook that times out under load leaves the
// backup PartiallyFailed naming the pod, and the database writing.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { provider, type ClusterStatus } from '../hack/harness/cluster.ts';
import { repoRoot } from '../hack/harness/paths.ts';
import { imageRef } from '../hack/images-lib/recipes.ts';
import { writeFileSync } from 'node:fs';
import { mariadbHooks, postgresHooks, sqliteHooks, sqliteRestoreHooks } from '../hack/dbdata-lib/hooks.ts';
import { importImages } from '../hack/images-lib/import.ts';
import { eventually, fixture, kubectl, kubectlPath, run } from './fixtures/node-helpers.ts';

const plugin = join(repoRoot, 'bin', 'kubectl-velero');
const A = `live-a-${process.pid}`;
const B = `live-b-${process.pid}`;
const NS = 'live';
const DBS = ['postgres', 'mariadb', 'ferretdb'] as const;
type Db = (typeof DBS)[number];
const HELPER = ['--volume-helper-image', imageRef('tools')];
const FREEZE_POINT = 'SELECT coalesce(max(id), 0) FROM kv_ledger';
/** FerretDB keeps each collection in a table named in _ferretdb_collections: the ledger's entries in the snapshot. */
const SNAPSHOT = '/state/snapshot/kvdata.sqlite';
const FERRET_FREEZE_POINT = `sqlite3 ${SNAPSHOT} "SELECT count(*) FROM \\"$(sqlite3 ${SNAPSHOT} "SELECT table_name FROM _ferretdb_collections WHERE name = 'ledger'")\\""`;
let a: ClusterStatus;
let b: ClusterStatus;
let work: string;
const savedConfig = process.env.KUBECTL_VELERO_CONFIG;
/** The restore's hooks file: FerretDB's snapshot put in place by an init container. */
const RESTORE_HOOKS = () => join(work, 'restore-hooks.json');
const writers: ChildProcess[] = [];
const freezePoints = new Map<Db, number>();

async function velero(args: string[], code = 0): Promise<{ stdout: string; stderr: string }> {
  const r = await run(plugin, args, { timeoutMs: 900_000 });
  assert.is(r.code, code, `kubectl-velero ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
  return r;
}

const dbdata = (cluster: ClusterStatus, args: string[]) => run(join(repoRoot, 'hack', 'dbdata'), [...args, '--kubeconfig', cluster.kubeconfig], { timeoutMs: 300_000 });

/** A writer in the background; `committed()` is the last id it saw confirmed. */
function startWriter(cluster: ClusterStatus, db: Db, ns: string): { child: ChildProcess; committed(): number; output(): string; stop(): Promise<number> } {
  // Its own process group: hack/dbdata runs tsx, which runs node as a child, and a SIGKILL of the
  // first alone would leave the writer running (see test.after).
  const child = spawn(join(repoRoot, 'hack', 'dbdata'), ['writer', '--db', db, '-n', ns, '--rate', '40', '--kubeconfig', cluster.kubeconfig], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, KUBECTL: kubectlPath() }, detached: true });
  writers.push(child);
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  const committed = () => Math.max(0, ...[...out.matchAll(/^committed (\d+)$/gm)].map((m) => Number(m[1])));
  return {
    child,
    committed,
    output: () => out,
    async stop() {
      // tsx passes SIGTERM on to the writer, which then prints its last line (a group-wide signal would reach it twice).
      child.kill('SIGTERM');
      await exited;
      const last = /last committed id (\d+)\s*$/.exec(out);
      assert.ok(last, `writer ${db} ended without its last line:\n${out.slice(-2000)}`);
      return Number(last[1]);
    },
  };
}

async function verify(cluster: ClusterStatus, db: Db, ns: string): Promise<number> {
  const r = await dbdata(cluster, ['verify', '--db', db, '-n', ns]);
  assert.is(r.code, 0, `${db} in ${ns}:\n${r.stdout}\n${r.stderr}`);
  assert.match(r.stdout, /^consistent: \d+ transactions, total \d+$/m);
  return Number(r.stdout.trim().split('\n').at(-1));
}

/** What the database logged while starting on restored files: crash recovery is expected, errors are not. */
async function recoveryProblems(cluster: ClusterStatus, db: Db, ns: string): Promise<string[]> {
  const logs = (await kubectl(cluster.kubeconfig, ['logs', '-n', ns, `${db}-0`, '-c', db])).stdout;
  // Connection attempts of the readiness probe while recovery runs are not errors of the data.
  const noise = /the database system is (starting up|not yet accepting connections|in recovery mode)|Aborted connection/;
  return logs.split('\n').filter((l) => /\b(PANIC|FATAL|ERROR|\[ERROR\]|corrupt|malformed)/i.test(l) && !noise.test(l));
}

test.before(async () => {
  try {
    [a, b] = await Promise.all([provider().up(A, { node: true }), provider().up(B, { node: true })]);
    work = mkdtempSync(join(tmpdir(), 'kv-live-'));
    process.env.KUBECTL_VELERO_CONFIG = join(work, 'config.yaml');
    await velero(['backup-location', 'create', 'minio', '--provider', 'aws', '--bucket', a.minio.bucket, '--config', `region=${a.minio.region},s3Url=${a.minio.endpoint},s3ForcePathStyle=true`, '--credential-file', a.minio.credentialsFile, '--default']);
    await kubectl(a.kubeconfig, ['create', 'namespace', NS]);
    // FerretDB's image is not imported with every node (its Go build takes minutes): here, into both.
    await Promise.all([a, b].map((c) => importImages(c.node!.containerdSocket, ['ferretdb'])));
    await kubectl(a.kubeconfig, ['apply', '-n', NS, '-f', fixture('postgres.yaml'), '-f', fixture('mariadb.yaml'), '-f', fixture('ferretdb.yaml')]);
    for (const db of DBS) await kubectl(a.kubeconfig, ['rollout', 'status', '-n', NS, `statefulset/${db}`, '--timeout=300s'], { timeoutMs: 320_000 });
    const hooks = { postgres: postgresHooks('kvdata', { freezePoint: FREEZE_POINT }), mariadb: mariadbHooks('kvdata', { freezePoint: FREEZE_POINT }), ferretdb: sqliteHooks('/state', { freezePoint: FERRET_FREEZE_POINT }) };
    writeFileSync(RESTORE_HOOKS(), JSON.stringify(sqliteRestoreHooks({ selector: { app: 'ferretdb' }, image: imageRef('ferretdb'), volume: 'data', dir: '/state' })));
    for (const db of DBS) {
      const annotations = { 'backup.velero.io/backup-volumes': 'data', ...hooks[db] };
      await kubectl(a.kubeconfig, ['annotate', 'pod', '-n', NS, `${db}-0`, '--overwrite', ...Object.entries(annotations).map(([k, v]) => `${k}=${v}`)]);
    }
  } catch (error) {
    console.error('databases-live e2e setup failed:', error);
    throw error;
  }
});

test.after(async () => {
  for (const w of writers) {
    if (w.exitCode !== null || w.signalCode !== null || !w.pid) continue;
    try {
      process.kill(-w.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  await Promise.all([a && provider().down(A), b && provider().down(B)]);
  if (work) rmSync(work, { recursive: true, force: true });
  // The next test file in this process must not inherit this one's location.
  if (savedConfig === undefined) delete process.env.KUBECTL_VELERO_CONFIG;
  else process.env.KUBECTL_VELERO_CONFIG = savedConfig;
});

test('back up both databases while their writers run: the hooks hold writes for the copy and log the freeze point', async () => {
  const running = DBS.map((db) => ({ db, w: startWriter(a, db, NS) }));
  try {
    await backUpWhileWriting(running);
  } finally {
    // A failed assertion must not leave writers for the next test (two writers would collide on ids).
    for (const { w } of running) if (w.child.exitCode === null && w.child.signalCode === null) await w.stop().catch(() => undefined);
  }
});

async function backUpWhileWriting(running: { db: Db; w: ReturnType<typeof startWriter> }[]): Promise<void> {
  for (const { db, w } of running) await eventually(`${db} writer past 200 transactions`, async () => w.committed() >= 200 || undefined, 120_000, 500);
  const out = await velero(['backup', 'create', 'live-1', '--include-namespaces', NS, '--kubeconfig', a.kubeconfig]);
  assert.match(out.stdout, /Backup "live-1" completed/);
  const after = new Map(running.map(({ db, w }) => [db, w.committed()]));
  // The application never stopped: writes go on once the post hooks released them.
  for (const { db, w } of running) await eventually(`${db} writing after the backup`, async () => w.committed() > after.get(db)! + 20 || undefined, 60_000, 500);
  const logs = (await velero(['backup', 'logs', 'live-1'])).stdout;
  assert.not.match(logs, /Error executing hook/);
  for (const db of DBS) {
    const m = new RegExp(`stdout: freeze point: (\\d+)".*pod=${NS}/${db}-0`).exec(logs);
    assert.ok(m, `${db}'s pre hook logged its freeze point:\n${logs.split('\n').filter((l) => l.includes(`${db}-0`)).join('\n')}`);
    freezePoints.set(db, Number(m[1]));
    assert.match(logs, new RegExp(`stdout: (writes released|snapshot removed)".*pod=${NS}/${db}-0`));
  }
  for (const { db, w } of running) {
    const last = await w.stop();
    const frozen = freezePoints.get(db)!;
    console.log(`${db}: frozen at transaction ${frozen}, ${last} committed when the writer stopped`);
    assert.ok(frozen >= 200 && frozen < last, `${db}: freeze point ${frozen}, last committed ${last}`);
  }
}

for (const [where, cluster, ns] of [
  ['an empty namespace of the same cluster', () => a, 'live-copy'],
  ['a second cluster', () => b, NS],
] as const) {
  test(`restore into ${where}: each database starts clean, its ledger checks out, with every transaction up to the freeze point`, async () => {
    const c = cluster();
    const name = `r-${ns}-${c === a ? 'a' : 'b'}`;
    const mapping = ns === NS ? [] : ['--namespace-mappings', `${NS}:${ns}`];
    const out = await velero(['restore', 'create', name, '--from-backup', 'live-1', ...mapping, ...HELPER, '--hooks-file', RESTORE_HOOKS(), '--kubeconfig', c.kubeconfig]);
    assert.match(out.stdout, new RegExp(`Restore "${name}" from backup "live-1" completed`));
    for (const db of DBS) {
      await kubectl(c.kubeconfig, ['rollout', 'status', '-n', ns, `statefulset/${db}`, '--timeout=300s'], { timeoutMs: 320_000 });
      const n = await eventually(`${db} in ${ns} answering`, async () => {
        const r = await dbdata(c, ['verify', '--db', db, '-n', ns]);
        return r.code === 0 ? r : undefined;
      }, 120_000, 2000).then(() => verify(c, db, ns));
      assert.is(n, freezePoints.get(db), `${db}: the restored copy holds the transactions committed before the freeze, and only those`);
      assert.equal(await recoveryProblems(c, db, ns), [], `${db} started on the restored files without errors`);
    }
  });
}

test('a pre hook that times out under load: PartiallyFailed naming the pod; the lock is never held and the database keeps writing', async () => {
  const w = startWriter(a, 'postgres', NS);
  await eventually('the writer going', async () => w.committed() > 0 || undefined, 60_000, 500);
  // A long transaction (a report, a migration) holds a row the hook's table locks need.
  const longTx = run(kubectlPath(), ['--kubeconfig', a.kubeconfig, 'exec', '-n', NS, 'postgres-0', '-c', 'postgres', '--', 'psql', '-U', 'postgres', '-d', 'kvdata', '-c', 'BEGIN; UPDATE kv_total SET total = total WHERE one = 1; SELECT pg_sleep(45); COMMIT;'], { timeoutMs: 120_000 });
  await new Promise((r) => setTimeout(r, 2000));
  await kubectl(a.kubeconfig, ['annotate', 'pod', '-n', NS, 'postgres-0', '--overwrite', 'pre.hook.backup.velero.io/timeout=5s']);
  try {
    // PartiallyFailed exits 0, as Velero's CLI does; the errors come on stderr.
    const out = await velero(['backup', 'create', 'live-timeout', '--include-namespaces', NS, '--selector', 'app=postgres', '--kubeconfig', a.kubeconfig]);
    assert.match(out.stdout, /Backup "live-timeout" finished with phase PartiallyFailed/);
    assert.match(out.stderr, new RegExp(`^error: .*${NS}/postgres-0`, 'm'));
    const described = (await velero(['backup', 'describe', 'live-timeout', '--details'])).stdout;
    assert.match(described, /Phase:\s+PartiallyFailed/);
    const logs = (await velero(['backup', 'logs', 'live-timeout'])).stdout;
    assert.match(logs, new RegExp(`level=error msg="Error executing hook".*pod=${NS}/postgres-0`));
    assert.match(logs, /stdout: writes released".*hookPhase=post/);
    // The long transaction ends; the writer goes on; no session of the hook holds anything.
    await longTx;
    const before = w.committed();
    await eventually('the writer past the long transaction', async () => w.committed() > before + 20 || undefined, 90_000, 500);
    const sessions = (await kubectl(a.kubeconfig, ['exec', '-n', NS, 'postgres-0', '-c', 'postgres', '--', 'psql', '-U', 'postgres', '-Atc', "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%pg_sleep(300)%' AND pid <> pg_backend_pid()"])).stdout.trim();
    assert.is(sessions, '0');
  } finally {
    await kubectl(a.kubeconfig, ['annotate', 'pod', '-n', NS, 'postgres-0', 'pre.hook.backup.velero.io/timeout-']);
    await w.stop();
  }
  assert.ok((await verify(a, 'postgres', NS)) > 0);
});

test.run();
