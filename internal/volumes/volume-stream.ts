// Moving a volume's files through exec: `tar` in a container that mounts the volume writes the
// archive to stdout (backup) or reads it from stdin (restore). The tar stream is what the
// repository stores, so ownership, modes, links and sparse files survive as tar keeps them.
import { PassThrough, Writable } from 'node:stream';
import type { PodExec } from './pod-exec.ts';

export interface StreamTarget {
  namespace: string;
  pod: string;
  container: string;
  /** The volume's mount path in that container. */
  path: string;
}

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
  const stderr: string[] = [];
  // A writable that forwards with backpressure but leaves ending `data` to us.
  const stdout = new Writable({
    highWaterMark: 1 << 20,
    write(chunk: Buffer, _enc, callback) {
      if (data.destroyed) return callback(new VolumeStreamError('the volume data consumer stopped'));
      if (data.write(chunk)) callback();
      else data.once('drain', () => callback());
    },
  });
  // Its errors are the consumer's, already reported through `data`; the exec only has to stop.
  stdout.on('error', () => undefined);
  const done = exec({
    namespace: target.namespace,
    pod: target.pod,
    container: target.container,
    command: ['tar', '--numeric-owner', '-cf', '-', '-C', target.path, '.'],
    stdout,
    stderr: collect(stderr),
    signal,
  }).then(
    (result) => {
      const detail = tail(stderr) || result.message || '';
      if (result.exitCode === 0 || result.exitCode === TAR_CHANGED_WHILE_READ) {
        data.end();
        return result.exitCode ? { warning: `tar reported changes while reading ${target.path}: ${detail}` } : {};
      }
      const error = new VolumeStreamError(`tar of ${target.path} in ${target.namespace}/${target.pod} (${target.container}) exited ${result.exitCode}: ${detail || 'no output'}`);
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
