// make bench-backup: a real API server + MinIO from the harness, 10,000 ConfigMaps/Secrets of ~1 KiB
// in 100 namespaces; times (a) the floor, a paginated raw LIST of those resources over HTTP, and
// (b) `bin/kubectl-velero backup create` of those namespaces into MinIO, with its peak RSS; each
// BENCH_RUNS (3) times, alternating, and the medians compared.
//
// BENCH_OBJECTS=100000 (with BENCH_NAMESPACES=1000) measures two sizes on one cluster: first 10,000
// objects in the first tenth of the namespaces, then the rest seeded and all of them, so the figures
// show whether time grows linearly and memory stays flat (`per_object_growth`: time per object at
// the large size over the small; 1.0 is linear).
// Last line: {"bench":"backup","objects":…,"floor_s":…,"ours_s":…,"ratio":…,"peak_rss_mb":…,"sizes":[…],…}
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downCluster, upCluster } from '../../hack/harness/cluster.ts';
import { KubeHttpClient } from '../../internal/kube/http-client.ts';
import { loadKubeConfig } from '../../internal/kube/kubeconfig.ts';
import { namespaceWidth, seedObjects } from './seed.ts';
import { benchSizes, median, round, type SizeFigures, sizeGrowth } from './sizes.ts';

const OBJECTS = Number(process.env.BENCH_OBJECTS ?? 10_000);
const NAMESPACES = Number(process.env.BENCH_NAMESPACES ?? Math.max(100, Math.round(OBJECTS / 100)));
const CLUSTER = 'bench-backup';
/** Runs of each side, alternating; the medians are compared (one LIST of 10k objects varies 0.17–0.42 s here). */
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const plugin = join(import.meta.dirname, '..', '..', 'bin', 'kubectl-velero');

async function floorSeconds(kubeconfig: string): Promise<{ seconds: number; items: number }> {
  const client = new KubeHttpClient(await loadKubeConfig({ kubeconfig }));
  const start = process.hrtime.bigint();
  let items = 0;
  for (const path of ['/api/v1/configmaps', '/api/v1/secrets']) {
    let token: string | undefined;
    do {
      const page = await client.getJson<{ items: unknown[]; metadata: { continue?: string } }>(path, { limit: '500', continue: token });
      items += page.items.length;
      token = page.metadata.continue || undefined;
    } while (token);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  client.close();
  return { seconds, items };
}

function kubectlVelero(env: NodeJS.ProcessEnv, args: string[]): void {
  execFileSync(plugin, args, { env, stdio: 'inherit' });
}

/** RUNS alternating floor / backup runs at the cluster's current size; medians and the peak RSS. */
async function measure(kubeconfig: string, env: NodeJS.ProcessEnv, objects: number): Promise<SizeFigures> {
  await floorSeconds(kubeconfig); // warm the API server's caches, as the backup would find them
  const floors: number[] = [];
  const times: number[] = [];
  let rssKb = 0;
  for (let r = 1; r <= RUNS; r++) {
    const floor = await floorSeconds(kubeconfig);
    floors.push(floor.seconds);
    const name = `bench-${objects}-${r}`;
    const start = process.hrtime.bigint();
    const run = spawnSync('/usr/bin/time', ['-f', 'peak_rss_kb=%M', plugin, 'backup', 'create', name, '--include-namespaces', 'bench-*', '--storage-location', 'minio'], { env, encoding: 'utf8' });
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
    process.stdout.write(run.stdout);
    if (run.status !== 0) throw new Error(`backup create failed (${run.status}): ${run.stderr}`);
    rssKb = Math.max(rssKb, Number(/peak_rss_kb=(\d+)/.exec(run.stderr)?.[1] ?? NaN));
    console.log(`${objects} objects, run ${r}: floor (LIST of ${floor.items} configmaps+secrets) ${floor.seconds.toFixed(2)} s, ours ${times.at(-1)!.toFixed(2)} s`);
  }
  const floor = median(floors);
  const ours = median(times);
  console.log(`${objects} objects, median of ${RUNS}: floor ${floor.toFixed(2)} s, ours ${ours.toFixed(2)} s, ratio ${(ours / floor).toFixed(2)} (goal ≤ 1.5), peak RSS ${(rssKb / 1024).toFixed(0)} MB (goal ≤ 200)`);
  return { objects, floor_s: round(floor), ours_s: round(ours), ratio: round(ours / floor), peak_rss_mb: round(rssKb / 1024) };
}

async function main(): Promise<void> {
  const status = await upCluster(CLUSTER);
  try {
    const env = { ...process.env, KUBECTL_VELERO_CONFIG: join(mkdtempSync(join(tmpdir(), 'bench-backup-')), 'config.yaml'), KUBECONFIG: status.kubeconfig };
    kubectlVelero(env, ['backup-location', 'create', 'minio', '--provider', 'aws', '--bucket', status.minio.bucket, '--credentials-file', status.minio.credentialsFile, '--config', `region=${status.minio.region},s3ForcePathStyle=true,s3Url=${status.minio.endpoint}`, '--default']);
    const figures: SizeFigures[] = [];
    let seeded = { objects: 0, namespaces: 0 };
    for (const size of benchSizes(OBJECTS, NAMESPACES)) {
      console.log(`seeding ${size.objects - seeded.objects} objects in ${size.namespaces - seeded.namespaces} namespaces…`);
      await seedObjects(status.kubeconfig, size.objects, size.namespaces, { from: seeded, width: namespaceWidth(NAMESPACES) });
      seeded = size;
      figures.push(await measure(status.kubeconfig, env, size.objects));
    }
    const last = figures.at(-1)!;
    console.log(JSON.stringify({ bench: 'backup', ...last, ...(figures.length > 1 ? { sizes: figures, ...sizeGrowth(figures) } : {}) }));
  } finally {
    await downCluster(CLUSTER);
  }
}

await main();
