// make bench-snapshots: CSI snapshots on a real node with the harness's CSI driver. A claim on
// csi-hostpath is filled with BENCH_VOLUME_MB (default 1024) of mixed data (bench/volumes' data),
// then timed: (a) a VolumeSnapshot of it until ReadyToUse; (b) the floor of bench-volumes, `tar` of
// the same files through exec piped to zstd, from the application pod; (c) `backup create
// --snapshot-move-data`, whose data movement — tar through exec from the short-lived pod that
// mounts the snapshot, into the deduplicated repository — is timed from its record (the pod volume
// record's start and completion). The move runs two ways, each into a new repository: with a helper
// image that has zstd (the tools image: the archive is compressed in the pod) and with one that
// has none (the runtime image: GNU tar only), as with busybox, the default. The floor and the two
// moves are timed in turn BENCH_RUNS (3) times and their medians compared. Last line:
// {"bench":"snapshots","bytes":…,"runs":…,"snapshot_s":…,"move_mb_s":…,"floor_mb_s":…,"ratio":…,"move_plain_mb_s":…,"ratio_plain":…,"backup_s":…}
import { execFileSync } from 'node:child_process';
import { gunzipSync } from 'node:zlib';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downCluster, provider } from '../../hack/harness/cluster.ts';
import { minioClient } from '../../hack/harness/minio.ts';
import { importImages } from '../../hack/images-lib/import.ts';
import { imageRef } from '../../hack/images-lib/recipes.ts';
import { eventually, kubectl } from '../../e2e/fixtures/node-helpers.ts';
import { median, round } from '../backup/sizes.ts';
import { fillScript, floor, seconds } from '../volumes/volume-data.ts';

const MB = Number(process.env.BENCH_VOLUME_MB ?? 1024);
const CLUSTER = `bench-snap-${process.pid}`;
const NS = 'bench';
/** Rounds of floor, move with zstd, move without; medians compared. */
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const plugin = join(import.meta.dirname, '..', '..', 'bin', 'kubectl-velero');

const OBJECTS = (image: string) => `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: data, namespace: ${NS} }
spec: { accessModes: [ReadWriteOnce], storageClassName: csi-hostpath, resources: { requests: { storage: ${Math.ceil((MB * 1.2) / 1024)}Gi } } }
---
apiVersion: v1
kind: Pod
metadata: { name: data, namespace: ${NS} }
spec:
  terminationGracePeriodSeconds: 1
  containers:
  - name: main
    image: ${image}
    imagePullPolicy: Never
    command: [sleep, infinity]
    volumeMounts: [{ name: data, mountPath: /data }]
  volumes:
  - name: data
    persistentVolumeClaim: { claimName: data }
`;

const SNAPSHOT = `
apiVersion: snapshot.storage.k8s.io/v1
kind: VolumeSnapshot
metadata: { name: timed, namespace: ${NS} }
spec: { volumeSnapshotClassName: csi-hostpath-snapclass, source: { persistentVolumeClaimName: data } }
`;

async function main(): Promise<void> {
  const status = await provider().up(CLUSTER, { node: true, csi: true });
  try {
    const kc = status.kubeconfig;
    const work = mkdtempSync(join(tmpdir(), 'bench-snapshots-'));
    const env = { ...process.env, KUBECTL_VELERO_CONFIG: join(work, 'config.yaml'), KUBECONFIG: kc };
    execFileSync(plugin, ['backup-location', 'create', 'minio', '--provider', 'aws', '--bucket', status.minio.bucket, '--credential-file', status.minio.credentialsFile, '--config', `region=${status.minio.region},s3ForcePathStyle=true,s3Url=${status.minio.endpoint}`, '--default'], { env, stdio: 'inherit' });
    await kubectl(kc, ['create', 'namespace', NS]);
    writeFileSync(join(work, 'objects.yaml'), OBJECTS(imageRef('tools')));
    await kubectl(kc, ['apply', '-f', join(work, 'objects.yaml')]);
    await kubectl(kc, ['wait', '-n', NS, '--for=condition=Ready', 'pod/data', '--timeout=180s'], { timeoutMs: 190_000 });
    console.log(`filling the CSI volume with ${MB} MiB of mixed data…`);
    const bytes = Number((await kubectl(kc, ['exec', '-n', NS, 'data', '--', 'sh', '-c', fillScript(MB)], { timeoutMs: 1_800_000 })).stdout.trim().split('\n').at(-1));

    // (a) A snapshot, from its creation until ReadyToUse.
    writeFileSync(join(work, 'snapshot.yaml'), SNAPSHOT);
    const snapStart = process.hrtime.bigint();
    await kubectl(kc, ['apply', '-f', join(work, 'snapshot.yaml')]);
    await eventually('the snapshot ReadyToUse', async () => (await kubectl(kc, ['get', 'volumesnapshot', '-n', NS, 'timed', '-o', 'jsonpath={.status.readyToUse}'])).stdout === 'true', 600_000, 100);
    const snapshotS = seconds(snapStart);
    console.log(`snapshot of ${(bytes / 1e6).toFixed(0)} MB ReadyToUse in ${snapshotS.toFixed(2)} s`);
    await kubectl(kc, ['delete', 'volumesnapshot', '-n', NS, 'timed', '--wait=true', '--timeout=120s'], { timeoutMs: 130_000 });

    // (b) The floor, as bench-volumes measures it.
    await floor(kc, NS, 'data'); // warm the page cache, as the mover will find it
    const timeFloor = async () => {
      const f = await floor(kc, NS, 'data');
      const floorMbS = f.bytes / 1e6 / f.seconds;
      console.log(`floor: kubectl exec tar | zstd -1 of ${(f.bytes / 1e6).toFixed(0)} MB in ${f.seconds.toFixed(2)} s = ${floorMbS.toFixed(1)} MB/s`);
      return floorMbS;
    };

    // (c) --snapshot-move-data: the data movement from its record, the whole backup by the clock.
    const credentials = readFileSync(status.minio.credentialsFile, 'utf8');
    const read = (k: string) => new RegExp(`^${k}\\s*=\\s*(.*)$`, 'm').exec(credentials)?.[1]?.trim() ?? '';
    const client = minioClient(status.minio.endpoint, { accessKey: read('aws_access_key_id'), secretKey: read('aws_secret_access_key') }, status.minio.region);
    // A kept-alive connection MinIO has closed meanwhile (the moves take a while) is ECONNRESET:
    // a read gets a second try.
    const readObject = async (key: string): Promise<Buffer> => {
      for (let attempt = 1; ; attempt++) {
        try {
          const chunks: Buffer[] = [];
          for await (const c of await client.getObject(status.minio.bucket, key)) chunks.push(c as Buffer);
          return Buffer.concat(chunks);
        } catch (error) {
          if (attempt >= 3 || (error as { code?: string }).code !== 'ECONNRESET') throw error;
        }
      }
    };
    await importImages(status.node!.containerdSocket, ['runtime']);
    const move = async (name: string, image: 'tools' | 'runtime') => {
      // Each into a repository of its own (a location with its own prefix): nothing to dedup against.
      execFileSync(plugin, ['backup-location', 'create', name, '--provider', 'aws', '--bucket', status.minio.bucket, '--prefix', name, '--credential-file', status.minio.credentialsFile, '--config', `region=${status.minio.region},s3ForcePathStyle=true,s3Url=${status.minio.endpoint}`], { env, stdio: 'inherit' });
      const start = process.hrtime.bigint();
      execFileSync(plugin, ['backup', 'create', name, '--include-namespaces', NS, '--snapshot-move-data', '--storage-location', name, '--volume-helper-image', imageRef(image)], { env, stdio: 'inherit' });
      const backupS = seconds(start);
      const [record] = JSON.parse(gunzipSync(await readObject(`${name}/plugins/kubectl-velero/backups/${name}/podvolumebackups.json.gz`)).toString('utf8')) as { status: { phase: string; startTimestamp: string; completionTimestamp: string; progress: { totalBytes: number } } }[];
      if (record?.status.phase !== 'Completed') throw new Error(`the moved volume's record is ${record?.status.phase ?? 'missing'}`);
      const moveS = (Date.parse(record.status.completionTimestamp) - Date.parse(record.status.startTimestamp)) / 1000;
      const moveMbS = record.status.progress.totalBytes / 1e6 / moveS;
      console.log(`ours (${image} image${image === 'tools' ? ', zstd in the pod' : ', no zstd'}): backup create --snapshot-move-data in ${backupS.toFixed(2)} s; data movement of ${(record.status.progress.totalBytes / 1e6).toFixed(0)} MB in ${moveS.toFixed(2)} s = ${moveMbS.toFixed(1)} MB/s`);
      return { moveMbS, backupS };
    };
    // The machine's speed drifts by tens of percent within minutes (the floor alone gave 41–73 MB/s
    // in three runs): the three are timed in turn, RUNS times, and their medians compared.
    const floors: number[] = [];
    const packed: { moveMbS: number; backupS: number }[] = [];
    const plain: { moveMbS: number; backupS: number }[] = [];
    for (let r = 1; r <= RUNS; r++) {
      floors.push(await timeFloor());
      packed.push(await move(`move-zstd-${r}`, 'tools'));
      plain.push(await move(`move-plain-${r}`, 'runtime'));
    }
    const floorMbS = median(floors);
    const packedMbS = median(packed.map((m) => m.moveMbS));
    const plainMbS = median(plain.map((m) => m.moveMbS));
    console.log(`medians of ${RUNS}: floor ${floorMbS.toFixed(1)} MB/s; ours ${packedMbS.toFixed(1)} MB/s with zstd in the helper image (ratio ${(packedMbS / floorMbS).toFixed(2)}), ${plainMbS.toFixed(1)} MB/s without (${(plainMbS / floorMbS).toFixed(2)}) (goal ≥ 0.8)`);
    console.log(
      JSON.stringify({
        bench: 'snapshots',
        bytes,
        runs: RUNS,
        snapshot_s: round(snapshotS),
        move_mb_s: round(packedMbS),
        floor_mb_s: round(floorMbS),
        ratio: round(packedMbS / floorMbS),
        move_plain_mb_s: round(plainMbS),
        ratio_plain: round(plainMbS / floorMbS),
        backup_s: round(median(packed.map((m) => m.backupS))),
      }),
    );
  } finally {
    await downCluster(CLUSTER);
  }
}

await main();
