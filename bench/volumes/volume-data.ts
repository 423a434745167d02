// The volume data of the volume benchmarks (bench/volumes, bench/snapshots): how a volume is filled
// with mixed data, how 1% of it is changed, and the floor every data path is measured against —
// `tar` of the files through exec, piped to zstd at our repository's level.
import { spawn } from 'node:child_process';
import { kubectlPath } from '../../e2e/fixtures/node-helpers.ts';

/** Half text, half random, in 64 files (a volume of many files, not one). */
export function fillScript(mb: number): string {
  const files = 64;
  const per = Math.max(1, Math.floor((mb * 1024 * 1024) / files));
  return `set -e; cd /data
for i in $(seq 1 ${files / 2}); do seq -f "row %g of the benchmark volume, some words to compress" 1 100000000 | head -c ${per} > text-$i.txt; done
for i in $(seq 1 ${files / 2}); do head -c ${per} /dev/urandom > random-$i.bin; done
sync; du -sb /data | cut -f1`;
}

/** 1% of the bytes rewritten: 1% of the files' blocks at spread offsets. */
export function changeScript(mb: number): string {
  const blocks = Math.max(1, Math.round((mb * 1024) / 64 / 100)); // 64 KiB blocks, 1% of them
  return `set -e; cd /data; n=0; for f in $(ls | sort); do n=$((n+1)); done
i=0; while [ $i -lt ${blocks} ]; do
  f=$(ls | sort | sed -n "$(( (i % n) + 1 ))p"); size=$(stat -c %s "$f"); off=$(( (i * 7919 * 65536) % (size - 65536) / 65536 ))
  head -c 65536 /dev/urandom | dd of="$f" bs=65536 seek=$off conv=notrunc status=none; i=$((i+1)); done; sync`;
}

export function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/** kubectl exec tar | zstd -1 (what our repository does per chunk, at its level), output counted and dropped. */
export function floor(kubeconfig: string, namespace: string, pod: string, path = '/data'): Promise<{ seconds: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const tar = spawn(kubectlPath(), ['--kubeconfig', kubeconfig, 'exec', '-n', namespace, pod, '-c', 'main', '--', 'tar', '-cf', '-', '-C', path, '.'], { stdio: ['ignore', 'pipe', 'inherit'] });
    const zstd = spawn('zstd', ['-1', '-T1', '-c'], { stdio: ['pipe', 'pipe', 'inherit'] });
    let bytes = 0;
    tar.stdout.on('data', (d: Buffer) => (bytes += d.length));
    tar.stdout.pipe(zstd.stdin);
    zstd.stdout.resume();
    zstd.on('exit', (code) => (code === 0 ? resolve({ seconds: seconds(start), bytes }) : reject(new Error(`zstd exited ${code}`))));
    tar.on('exit', (code) => code !== 0 && reject(new Error(`kubectl exec tar exited ${code}`)));
  });
}

