// make bench-volumes: file-system backup throughput on a real node. A pod's volume is filled with
// BENCH_VOLUME_MB (default 1024) of mixed data — half text (numbers and words), half random — then
// timed: (a) the floor, `tar` of the same files through exec (kubectl exec) piped to zstd, the
// compressor our repository uses, and (b) `kubectl velero backup create` of that pod's volume into
// MinIO. Then 1% of the data is changed and a second backup's uploaded bytes are compared with the
// first's. Last line: {"bench":"volumes","bytes":…,"floor_mb_s":…,"ours_mb_s":…,"ratio":…,"second_backup_fraction":…}
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downCluster, provider } from '../../hack/harness/cluster.ts';
import { imageRef } from '../../hack/images-lib/recipes.ts';
import { kubectl } from '../../e2e/fixtures/node-helpers.ts';
import { round } from '../backup/sizes.ts';
import { changeScript, fillScript, floor, seconds } from './volume-data.ts';

const MB = Number(process.env.BENCH_VOLUME_MB ?? 1024);
const CLUSTER = `bench-volumes-${process.pid}`;
const NS = 'bench';
const plugin = join(import.meta.dirname, '..', '..', 'bin', 'kubectl-velero');

const POD = (image: string) => `
apiVersion: v1
kind: Pod
metadata:
  name: data
  namespace: ${NS}
  annotations: { backup.velero.io/backup-volumes: data }
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
    emptyDir: {}
`;

function uploadedBytes(env: NodeJS.ProcessEnv, backup: string): number {
  const logs = execFileSync(plugin, ['backup', 'logs', backup], { env, encoding: 'utf8' });
  const m = /(\d+) bytes uploaded/.exec(logs);
  if (!m) throw new Error(`no uploaded bytes in the log of ${backup}`);
  return Number(m[1]);
}

async function main(): Promise<void> {
  const status = await provider().up(CLUSTER, { node: true });
  try {
    const kc = status.kubeconfig;
    const work = mkdtempSync(join(tmpdir(), 'bench-volumes-'));
    const env = { ...process.env, KUBECTL_VELERO_CONFIG: join(work, 'config.yaml'), KUBECONFIG: kc };
    execFileSync(plugin, ['backup-location', 'create', 'minio', '--provider', 'aws', '--bucket', status.minio.bucket, '--credential-file', status.minio.credentialsFile, '--config', `region=${status.minio.region},s3ForcePathStyle=true,s3Url=${status.minio.endpoint}`, '--default'], { env, stdio: 'inherit' });
    await kubectl(kc, ['create', 'namespace', NS]);
    writeFileSync(join(work, 'pod.yaml'), POD(imageRef('tools')));
    await kubectl(kc, ['apply', '-f', join(work, 'pod.yaml')]);
    await kubectl(kc, ['wait', '-n', NS, '--for=condition=Ready', 'pod/data', '--timeout=180s'], { timeoutMs: 190_000 });
    console.log(`filling the volume with ${MB} MiB of mixed data…`);
    const bytes = Number((await kubectl(kc, ['exec', '-n', NS, 'data', '--', 'sh', '-c', fillScript(MB)], { timeoutMs: 1_800_000 })).stdout.trim().split('\n').at(-1));

    await floor(kc, NS, 'data'); // warm the page cache, as the backup will find it
    const f = await floor(kc, NS, 'data');
    const floorMbS = f.bytes / 1e6 / f.seconds;
    console.log(`floor: kubectl exec tar | zstd -1 of ${(f.bytes / 1e6).toFixed(0)} MB in ${f.seconds.toFixed(2)} s = ${floorMbS.toFixed(1)} MB/s`);

    const start = process.hrtime.bigint();
    execFileSync(plugin, ['backup', 'create', 'vol-1', '--include-namespaces', NS], { env, stdio: 'inherit' });
    const ours = seconds(start);
    const oursMbS = f.bytes / 1e6 / ours;
    const first = uploadedBytes(env, 'vol-1');
    console.log(`ours: backup create in ${ours.toFixed(2)} s = ${oursMbS.toFixed(1)} MB/s, ${first} bytes uploaded`);

    await kubectl(kc, ['exec', '-n', NS, 'data', '--', 'sh', '-c', changeScript(MB)], { timeoutMs: 600_000 });
    execFileSync(plugin, ['backup', 'create', 'vol-2', '--include-namespaces', NS], { env, stdio: 'inherit' });
    const second = uploadedBytes(env, 'vol-2');
    const fraction = second / first;
    console.log(`second backup after a 1% change: ${second} bytes uploaded, ${(fraction * 100).toFixed(2)}% of the first (goal ≤ 3%)`);
    console.log(`ratio ${(oursMbS / floorMbS).toFixed(2)} of the floor's throughput (goal ≥ 0.7)`);
    console.log(JSON.stringify({ bench: 'volumes', bytes, floor_mb_s: round(floorMbS), ours_mb_s: round(oursMbS), ratio: round(oursMbS / floorMbS), second_backup_fraction: Number(fraction.toFixed(4)) }));
  } finally {
    await downCluster(CLUSTER);
  }
}

await main();
