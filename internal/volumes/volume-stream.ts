// Moving a volume's files through exec: `tar` in a container that mounts the volume writes the
// archive to stdout (backup) or reads it from stdin (restore). The tar stream is what the
// repository stores, so ownership, modes, links and sparse files survive as tar keeps them.
import { PassThrough, type Transform, Writable } from 'node:stream';
import { createZstdDecompress } from 'node:zlib';
import type { PodExec } from './pod-exec.ts';

export interface StreamTarget {
  namespace: string;
  pod: string;
  container: string;
  /** The volume's mount path in that container. */
  path: string;
  /**
   * Compress the archive in the container (GNU tar running zstd) before it crosses the API server,
   * the kubelet and the runtime, which each handle every byte; the stream given back is plain tar
   * all the same. Only for a container of ours whose CPU is ours to spend (the snapshot mover) and
   * which has both tools: see canCompressInPod.
   */
  zstd?: boolean;
}

/** zstd's level in the pod: its fastest standard one, as the repository's own. */
const IN_POD_ZSTD = 'zstd -1 -q';

/** GNU tar reports "file changed as we read it" with exit 1: the copy is usable, and a warning. */
export const TAR_CHANGED_WHILE_READ = 1;

export class VolumeStreamError extends Error {}

/**
 * Starts `tar -c` of the volume and gives its output as a stream. The stream ends only after the
 * exec ended well; a failed tar or a broken connection errors it, so a consumer (the repository)
 * never commits a truncated archive as a snapshot.
 */
export function tarOut(exec: PodExec, target: StreamTarget, signal?: AbortSignal): { data: PassThrough; done: Promise<{ warning?: string }> } {
  const data = new PassThrough({ highWaterMark: 1 << 20 });
  // The exec can fail (refused: 403 on pods/exec) before the consumer has started reading: the
  // error stays on the stream for it to meet, and reaches the caller through `done`; without a
  // listener it would be an uncaught 'error' event that kills the process.
  data.on('error', () => undefined);
  const where = `${target.namespace}/${target.pod} (${target.container})`;
  // Compressed in the pod: the exec's output is inflated (on the thread pool) on its way to `data`.
  // Output in 256 KiB pieces, not zlib's 16 KiB: a quarter of the thread-pool round trips, and a
  // piece holds several whole chunks, which the chunker then takes as views instead of copies.
  const inflate = target.zstd ? createZstdDecompress({ chunkSize: 256 * 1024 }) : undefined;
  const damaged = (error: Error) => new VolumeStreamError(`the compressed archive of ${target.path} from ${where} is damaged: ${error.message}`);
  if (inflate) {
    inflate.on('error', (error) => data.destroy(damaged(error)));
    inflate.pipe(data, { end: false });
  }
  const sink = inflate ?? data;
  const stderr: string[] = [];
  // A writable that forwards with backpressure but leaves ending `data` to us.
  const stdout = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _enc, callback) {
      if (data.destroyed) return callback(new VolumeStreamError('the volume data consumer stopped'));
      if (sink.write(chunk)) callback();
      else sink.once('drain', () => callback());
    },
  });
  // Its errors are the consumer's, already reported through `data`; the exec only has to stop.
  stdout.on('error', () => undefined);
  const compress = target.zstd ? [`--use-compress-program=${IN_POD_ZSTD}`] : [];
  const done = exec({
    namespace: target.namespace,
    pod: target.pod,
    container: target.container,
    command: ['tar', '--numeric-owner', ...compress, '-cf', '-', '-C', target.path, '.'],
    stdout,
    stderr: collect(stderr),
    signal,
  }).then(
    async (result) => {
      const detail = tail(stderr) || result.message || '';
      if (result.exitCode === 0 || result.exitCode === TAR_CHANGED_WHILE_READ) {
        // The exec is over, but its last messages may still wait in `stdout` for a slow consumer:
        // the end goes after them.
        await new Promise<void>((resolve, reject) => stdout.end((error?: Error | null) => (error ? reject(error) : resolve())));
        if (inflate) await endInflate(inflate, data).catch((error: Error) => Promise.reject(error instanceof VolumeStreamError ? error : damaged(error)));
        data.end();
        return result.exitCode ? { warning: `tar reported changes while reading ${target.path}: ${detail}` } : {};
      }
      const error = new VolumeStreamError(`tar of ${target.path} in ${where} exited ${result.exitCode}: ${detail || 'no output'}`);
      data.destroy(error);
      throw error;
    },
    (error: unknown) => {
      data.destroy(error as Error);
      throw error;
    },
  );
  done.catch(() => undefined);
  return { data, done };
}

/**
 * The last of the compressed archive through the decompressor. A frame cut short is an error here,
 * not a shorter archive: tar exiting well says it wrote everything, so missing bytes are damage.
 */
async function endInflate(inflate: Transform, data: PassThrough): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    inflate.once('end', resolve);
    inflate.once('error', reject);
    inflate.end();
  });
  if (data.destroyed) throw new VolumeStreamError('the volume data consumer stopped');
}

/**
 * Whether the container can compress in place (StreamTarget.zstd): GNU tar, whose
 * --use-compress-program runs zstd and reports its failure, and zstd itself. Anything else — no
 * shell, busybox tar, no zstd, a refused exec — answers no, and the archive comes uncompressed.
 */
export async function canCompressInPod(exec: PodExec, target: Omit<StreamTarget, 'path' | 'zstd'>, signal?: AbortSignal): Promise<boolean> {
  const out: string[] = [];
  try {
    const result = await exec({ namespace: target.namespace, pod: target.pod, container: target.container, command: ['sh', '-c', 'tar --version && zstd -V'], stdout: collect(out), stderr: collect([]), signal, timeoutMs: 60_000 });
    const text = out.join('');
    return result.exitCode === 0 && /\bGNU tar\b/.test(text) && /Zstandard/.test(text);
  } catch {
    return false;
  }
}

/** Extracts a tar stream into `target.path` with tar -x; resolves when tar exited 0. */
export async function tarIn(exec: PodExec, target: StreamTarget, archive: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<void> {
  const stderr: string[] = [];
  const result = await exec({
    namespace: target.namespace,
    pod: target.pod,
    container: target.container,
    command: ['tar', '--numeric-owner', '-xpf', '-', '-C', target.path],
    stdin: archive,
    stderr: collect(stderr),
    signal,
  });
  if (result.exitCode !== 0) throw new VolumeStreamError(`tar -x into ${target.path} in ${target.namespace}/${target.pod} (${target.container}) exited ${result.exitCode}: ${tail(stderr) || result.message || 'no output'}`);
}

function collect(into: string[]): Writable {
  let size = 0;
  return new Writable({
    write(chunk: Buffer, _enc, callback) {
      // Keep the last few KiB only: tar can be chatty about every changed file.
      into.push(chunk.toString('utf8'));
      size += chunk.length;
      while (size > 8192 && into.length > 1) size -= into.shift()!.length;
      callback();
    },
  });
}

function tail(parts: string[]): string {
  return parts.join('').trim().split('\n').slice(-3).join('; ');
}
