// make bench-vs-velero: kubectl-velero against a stock Velero server (hack/harness/velero.ts) on the
// same cluster, in the same run, each with its defaults. 10,000 ConfigMaps/Secrets of ~1 KiB in 100
// namespaces (bench/backup/seed.ts); both use the cluster's BackupStorageLocation on its MinIO.
//   backup:  `kubectl velero backup create` vs `velero backup create --wait` (create → Completed);
//   restore: the same Velero-made backup restored by us, then by Velero, each into the namespaces
//            emptied just before (as after an accident: the objects deleted, the namespaces kept).
// Ours run with the Velero server stopped (our users run none), Velero's with it running.
// Last line: {"bench":"vs-velero","objects":…,"backup_s":…,"velero_backup_s":…,"restore_s":…,"velero_restore_s":…,
//             "restore_floor_s":…,"backup_speedup":…,"restore_speedup":…}
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downCluster, upCluster } from '../../hack/harness/cluster.ts';
import { startVelero, type VeleroServer } from '../../hack/harness/velero.ts';
import { KubeHttpClient } from '../../internal/kube/http-client.ts';
import { loadKubeConfig } from '../../internal/kube/kubeconfig.ts';
import { seedObjects } from '../backup/seed.ts';
import { floorSeconds, readObjects } from '../restore/floor.ts';

const OBJECTS = Number(process.env.BENCH_OBJECTS ?? 10_000);
const NAMESPACES = Number(process.env.BENCH_NAMESPACES ?? 100);
const CLUSTER = `bench-vs-velero-${process.pid}`;
/** How many times our backup is timed (BENCH_RUNS): the median is compared. */
const OUR_RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 3));
const plugin = join(import.meta.dirname, '..', '..', 'bin', 'kubectl-velero');

/** Runs a command to its end and returns its wall time; a failure ends the benchmark with its output. */
function timed(what: string, bin: string, args: string[], env: NodeJS.ProcessEnv): number {
  const start = process.hrtime.bigint();
  const run = spawnSync(bin, args, { env, encoding: 'utf8', maxBuffer: 64 << 20 });
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (run.status !== 0) throw new Error(`${what} failed (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
  console.log(`${what}: ${seconds.toFixed(1)} s — ${run.stdout.trim().split('\n').at(-1)}`);
  return seconds;
}

/** Deletes the seeded objects (one delete-collection per namespace and kind), keeping the namespaces. */
async function emptyNamespaces(kubeconfig: string, namespaces: string[]): Promise<void> {
  const client = new KubeHttpClient(await loadKubeConfig({ kubeconfig }));
  try {
    for (const ns of namespaces) {
      for (const resource of ['configmaps', 'secrets']) await client.sendJson('DELETE', `/api/v1/namespaces/${ns}/${resource}`, undefined, { labelSelector: 'bench=backup' });
    }
    for (;;) {
      const left = await client.getJson<{ items: unknown[] }>('/api/v1/configmaps', { labelSelector: 'bench=backup', limit: '1' });
      const secrets = await client.getJson<{ items: unknown[] }>('/api/v1/secrets', { labelSelector: 'bench=backup', limit: '1' });
      if (left.items.length === 0 && secrets.items.length === 0) return;
      await new Promise((r) => setTimeout(r, 200));
    }
  } finally {
    client.close();
  }
}

async function countSeeded(kubeconfig: string): Promise<number> {
  const client = new KubeHttpClient(await loadKubeConfig({ kubeconfig }));
  let items = 0;
  try {
    for (const path of ['/api/v1/configmaps', '/api/v1/secrets']) {
      let token: string | undefined;
      do {
        const page = await client.getJson<{ items: unknown[]; metadata: { continue?: string } }>(path, { limit: '500', continue: token, labelSelector: 'bench=backup' });
        items += page.items.length;
        token = page.metadata.continue || undefined;
      } while (token);
    }
  } finally {
    client.close();
  }
  return items;
}

async function main(): Promise<void> {
  const c = await upCluster(CLUSTER);
  const work = mkdtempSync(join(tmpdir(), 'bench-vs-velero-'));
  let server: VeleroServer | undefined;
  try {
    console.log(`seeding ${OBJECTS} objects in ${NAMESPACES} namespaces…`);
    const namespaces = await seedObjects(c.kubeconfig, OBJECTS, NAMESPACES);
    // No plugin config: the plugin uses the cluster's BackupStorageLocation, the one Velero uses.
    const env = { ...process.env, KUBECTL_VELERO_CONFIG: join(work, 'config.yaml'), KUBECONFIG: c.kubeconfig };
    const included = namespaces.join(',');
    // Each tool runs as its users run it: ours with no server in the cluster (the Velero server's
    // informers would otherwise take the 2 cores' time on every object we create), Velero's with its
    // server. The location is made by the first start and stays.
    server = await startVelero(c, { prefix: 'bench' });
    await server.stop();

    // Ours a few times (a few seconds each, ±15% between runs on this machine), the median kept;
    // Velero's once (a minute, its spread small beside it).
    const ourBackups: number[] = [];
    for (let run = 1; run <= OUR_RUNS; run++) ourBackups.push(timed('kubectl-velero backup create', plugin, ['backup', 'create', `ours-${run}`, '--include-namespaces', included], env));
    const backup = median(ourBackups);
    server = await startVelero(c, { prefix: 'bench' });
    const veleroBackup = await timedVelero('velero backup create --wait', server, ['backup', 'create', 'velero-1', '--include-namespaces', included, '--wait']);
    await expectPhase(server, 'backup', 'velero-1');
    await server.stop();

    // The floor on this cluster, in the state our restore meets: the same objects by raw POSTs
    // (8 in flight, our default --concurrency) into the namespaces just emptied.
    const objects = await readObjects(c.kubeconfig);
    await emptyNamespaces(c.kubeconfig, namespaces);
    const floor = await floorSeconds(c.kubeconfig, objects, 8, { createNamespaces: false });
    console.log(`floor: ${objects.length} objects by 8 concurrent POSTs into the emptied namespaces: ${floor.toFixed(1)} s`);

    await emptyNamespaces(c.kubeconfig, namespaces);
    const restore = timed('kubectl-velero restore create (of Velero\'s backup)', plugin, ['restore', 'create', 'ours-r1', '--from-backup', 'velero-1'], env);
    const restored = await countSeeded(c.kubeconfig);
    if (restored !== OBJECTS) throw new Error(`our restore brought back ${restored} of ${OBJECTS} objects`);

    await emptyNamespaces(c.kubeconfig, namespaces);
    server = await startVelero(c, { prefix: 'bench' });
    const veleroRestore = await timedVelero('velero restore create --wait', server, ['restore', 'create', 'velero-r1', '--from-backup', 'velero-1', '--wait']);
    await expectPhase(server, 'restore', 'velero-r1');
    const veleroRestored = await countSeeded(c.kubeconfig);
    if (veleroRestored !== OBJECTS) throw new Error(`Velero's restore brought back ${veleroRestored} of ${OBJECTS} objects`);

    const backupSpeedup = veleroBackup / backup;
    const restoreSpeedup = veleroRestore / restore;
    console.log(`backup:  ours ${backup.toFixed(1)} s (median of ${ourBackups.map((s) => s.toFixed(1)).join(', ')}), Velero ${veleroBackup.toFixed(1)} s: ${backupSpeedup.toFixed(1)}× (goal ≥ 20×)`);
    console.log(`restore: ours ${restore.toFixed(1)} s (floor ${floor.toFixed(1)} s, ratio ${(restore / floor).toFixed(2)}), Velero ${veleroRestore.toFixed(1)} s: ${restoreSpeedup.toFixed(1)}× (goal ≥ 50×)`);
    console.log(JSON.stringify({ bench: 'vs-velero', objects: OBJECTS, backup_s: round(backup), velero_backup_s: round(veleroBackup), restore_s: round(restore), restore_floor_s: round(floor), velero_restore_s: round(veleroRestore), backup_speedup: round(backupSpeedup), restore_speedup: round(restoreSpeedup) }));
  } finally {
    await server?.stop();
    await downCluster(CLUSTER);
    rmSync(work, { recursive: true, force: true });
  }
}

/** Velero's CLI with `--wait` returns when the server has finished: create → Completed. */
async function timedVelero(what: string, server: VeleroServer, args: string[]): Promise<number> {
  const start = process.hrtime.bigint();
  const run = await server.cli(args);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  if (run.code !== 0) throw new Error(`${what} failed (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  console.log(`${what}: ${seconds.toFixed(1)} s — ${run.stdout.trim().split('\n').at(-1)}`);
  return seconds;
}

async function expectPhase(server: VeleroServer, kind: 'backup' | 'restore', name: string): Promise<void> {
  const phase = await server.waitForPhase(kind, name, ['Completed', 'PartiallyFailed', 'Failed'], 5 * 60_000);
  if (phase !== 'Completed') throw new Error(`Velero's ${kind} ${name} ended ${phase}: see ${server.log}`);
}

const round = (n: number) => Math.round(n * 100) / 100;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

await main();
