// make bench-restore: the 10,000-object backup of bench/backup (ConfigMaps and Secrets of ~1 KiB in
// 100 namespaces), made on a source cluster with MinIO, restored into a second, empty cluster. In the
// same run, on that target cluster: (a) the floor — the same objects (as a restore would send them:
// without server-populated metadata) created with N concurrent raw POSTs into fresh namespaces
// floor-NNN, namespaces first; (b) `kubectl velero restore create` of the backup (into the original
// bench-NNN names, so both write into equally empty namespaces of the same API server), N = our
// --concurrency, with its peak RSS.
//
// BENCH_OBJECTS=100000 (with BENCH_NAMESPACES=1000) measures 10,000 objects first and then 100,000,
// each into a new empty target cluster, to show time per object and peak memory across the growth.
// Last line: {"bench":"restore","objects":…,"floor_per_s":…,"ours_per_s":…,"ratio":…,"peak_rss_mb":…,"sizes":[…],…}
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ClusterStatus, downCluster, upCluster } from '../../hack/harness/cluster.ts';
import { namespaceWidth, seedObjects } from '../backup/seed.ts';
import { benchSizes, round, type SizeFigures, sizeGrowth } from '../backup/sizes.ts';
import { floorSeconds, readObjects } from './floor.ts';

const OBJECTS = Number(process.env.BENCH_OBJECTS ?? 10_000);
const NAMESPACES = Number(process.env.BENCH_NAMESPACES ?? Math.max(100, Math.round(OBJECTS / 100)));
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 8);
const SOURCE = `bench-restore-src-${process.pid}`;
const plugin = join(import.meta.dirname, '..', '..', 'bin', 'kubectl-velero');

/** The floor and our restore of backup `backup` (the source's `namespaces` namespaces) into a new empty cluster. */
async function measure(source: ClusterStatus, env: NodeJS.ProcessEnv, backup: string, namespaces: number): Promise<SizeFigures> {
  const targetName = `bench-restore-dst-${process.pid}-${Math.round(namespaces)}`;
  const target = await upCluster(targetName);
  try {
    const objects = await readObjects(source.kubeconfig, (ns) => ns.replace(/^bench-/, 'floor-'));
    const floor = await floorSeconds(target.kubeconfig, objects, CONCURRENCY, { createNamespaces: true });
    const floorPerS = (objects.length + namespaces) / floor;
    console.log(`floor: ${objects.length} objects + ${namespaces} namespaces by ${CONCURRENCY} concurrent POSTs in ${floor.toFixed(2)} s = ${floorPerS.toFixed(0)} objects/s`);

    const start = process.hrtime.bigint();
    const run = spawnSync('/usr/bin/time', ['-f', 'peak_rss_kb=%M', plugin, 'restore', 'create', `r-${backup}`, '--from-backup', backup, '--concurrency', String(CONCURRENCY), '--kubeconfig', target.kubeconfig], { env, encoding: 'utf8' });
    const ours = Number(process.hrtime.bigint() - start) / 1e9;
    process.stdout.write(run.stdout);
    if (run.status !== 0) throw new Error(`restore create failed (${run.status}): ${run.stderr}`);
    const restored = Number(/(\d+) items restored/.exec(run.stdout)?.[1] ?? NaN);
    const oursPerS = restored / ours;
    const rssKb = Number(/peak_rss_kb=(\d+)/.exec(run.stderr)?.[1] ?? NaN);
    console.log(`ours: ${restored} items in ${ours.toFixed(2)} s = ${oursPerS.toFixed(0)} objects/s (whole command: download, staging, discovery), peak RSS ${(rssKb / 1024).toFixed(0)} MB`);
    console.log(`ratio ${(oursPerS / floorPerS).toFixed(2)} of the floor (goal ≥ 0.8)`);
    return { objects: restored, floor_per_s: round(floorPerS), ours_per_s: round(oursPerS), ratio: round(oursPerS / floorPerS), peak_rss_mb: round(rssKb / 1024), ours_s: round(ours) };
  } finally {
    await downCluster(targetName);
  }
}

async function main(): Promise<void> {
  const source = await upCluster(SOURCE);
  try {
    const env = { ...process.env, KUBECTL_VELERO_CONFIG: join(mkdtempSync(join(tmpdir(), 'bench-restore-')), 'config.yaml') };
    execFileSync(plugin, ['backup-location', 'create', 'minio', '--provider', 'aws', '--bucket', source.minio.bucket, '--credential-file', source.minio.credentialsFile, '--config', `region=${source.minio.region},s3ForcePathStyle=true,s3Url=${source.minio.endpoint}`, '--default'], { env, stdio: 'inherit' });
    const figures: SizeFigures[] = [];
    let seeded = { objects: 0, namespaces: 0 };
    for (const size of benchSizes(OBJECTS, NAMESPACES)) {
      console.log(`seeding ${size.objects - seeded.objects} objects in ${size.namespaces - seeded.namespaces} namespaces on the source cluster…`);
      await seedObjects(source.kubeconfig, size.objects, size.namespaces, { from: seeded, width: namespaceWidth(NAMESPACES) });
      seeded = size;
      const backup = `bench-${size.objects}`;
      execFileSync(plugin, ['backup', 'create', backup, '--include-namespaces', 'bench-*', '--kubeconfig', source.kubeconfig], { env, stdio: 'inherit' });
      figures.push(await measure(source, env, backup, size.namespaces));
    }
    const { ours_s: _, ...last } = figures.at(-1)!;
    console.log(JSON.stringify({ bench: 'restore', ...last, ...(figures.length > 1 ? { sizes: figures, ...sizeGrowth(figures) } : {}) }));
  } finally {
    await downCluster(SOURCE);
  }
}

await main();
