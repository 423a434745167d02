// tarOut with and without compression in the pod, against this machine's own GNU tar and zstd: the
// "pod" is a local directory and the exec runs the command here, so the archive, the compressor and
// their exit codes are real. Also canCompressInPod's answers for the images it meets.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { PodExec, PodExecOptions } from './pod-exec.ts';
import { canCompressInPod, tarOut, VolumeStreamError } from './volume-stream.ts';

const root = mkdtempSync(join(tmpdir(), 'volume-stream-'));
const volume = join(root, 'volume');
mkdirSync(join(volume, 'sub'), { recursive: true });
writeFileSync(join(volume, 'text.txt'), 'a line of text that compresses well\n'.repeat(20_000));
writeFileSync(join(volume, 'sub', 'random.bin'), Buffer.from(Array.from({ length: 200_000 }, (_, i) => (i * 7919) % 251)));

/** Runs the command on this machine, as an exec into a container would run it in the pod. */
const localExec: PodExec = (o: PodExecOptions) =>
  new Promise((resolve, reject) => {
    const child = spawn(o.command[0]!, o.command.slice(1), { stdio: ['ignore', 'pipe', 'pipe'] });
    const out = o.stdout ? pipeline(child.stdout, o.stdout, { end: false }) : Promise.resolve(child.stdout.resume());
    if (o.stderr) child.stderr.pipe(o.stderr, { end: false });
    child.on('error', reject);
    child.on('close', (code) => void out.then(() => resolve({ exitCode: code ?? 1 }), reject));
  });

async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of stream) parts.push(Buffer.from(part));
  return Buffer.concat(parts);
}

const target = { namespace: 'ns', pod: 'p', container: 'c', path: volume };

test('compressed in the pod or not, the consumer gets the same tar archive', async () => {
  const plain = tarOut(localExec, target);
  const plainBytes = await collect(plain.data);
  await plain.done;
  let command: string[] = [];
  const recording: PodExec = (o) => ((command = o.command), localExec(o));
  const packed = tarOut(recording, { ...target, zstd: true });
  const packedBytes = await collect(packed.data);
  await packed.done;
  assert.ok(command.includes('--use-compress-program=zstd -1 -q'), command.join(' '));
  assert.ok(plainBytes.length > 900_000);
  assert.ok(packedBytes.equals(plainBytes), 'the inflated archive differs from the plain one');
});

test('a damaged compressed archive is an error, not a shorter volume', async () => {
  const garbage: PodExec = async (o) => {
    o.stdout!.write(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x00, 0x58, 0x61, 0x00, 0x00, 0x62, 0x6f, 0x67, 0x75, 0x73]));
    return { exitCode: 0 };
  };
  const out = tarOut(garbage, { ...target, zstd: true });
  const reading = collect(out.data);
  const [read, done] = await Promise.allSettled([reading, out.done]);
  assert.is(read.status, 'rejected');
  assert.ok((read as PromiseRejectedResult).reason instanceof VolumeStreamError);
  assert.match(String((read as PromiseRejectedResult).reason), /compressed archive of .* from ns\/p \(c\) is damaged/);
  assert.is(done.status, 'rejected');
});

test('a compressed archive cut short is an error even when tar exited 0', async () => {
  const whole = await collect(tarOut(localExec, { ...target, zstd: false }).data);
  const { zstdCompressSync } = await import('node:zlib');
  const compressed = zstdCompressSync(whole);
  const cut: PodExec = async (o) => {
    o.stdout!.write(compressed.subarray(0, compressed.length - 100));
    return { exitCode: 0 };
  };
  const out = tarOut(cut, { ...target, zstd: true });
  const [read, done] = await Promise.allSettled([collect(out.data), out.done]);
  assert.is(read.status, 'rejected');
  assert.match(String((read as PromiseRejectedResult).reason), /damaged/);
  assert.match(String((done as PromiseRejectedResult).reason), /compressed archive of .* is damaged: unexpected end of file/, 'the caller hears the same story');
});

test('an exec that ends while its output still waits for a slow consumer loses nothing, plain or compressed', async () => {
  const { zstdCompressSync } = await import('node:zlib');
  // More than every buffer on the way holds (1 MiB each), half of it incompressible.
  const whole = Buffer.concat([randomBytes(3 << 20), Buffer.alloc(3 << 20, 'x')]);
  for (const zstd of [false, true]) {
    const body = zstd ? zstdCompressSync(whole) : whole;
    // As the WebSocket delivers: every message written at once (no waiting for drain), then the
    // status — the exec resolves while most of the output is still buffered.
    const eager: PodExec = async (o) => {
      for (let at = 0; at < body.length; at += 16 * 1024) o.stdout!.write(body.subarray(at, at + 16 * 1024));
      return { exitCode: 0 };
    };
    const out = tarOut(eager, { ...target, zstd });
    const parts: Buffer[] = [];
    for await (const part of out.data) {
      parts.push(Buffer.from(part));
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    await out.done;
    assert.ok(Buffer.concat(parts).equals(whole), `${zstd ? 'compressed' : 'plain'}: ${Buffer.concat(parts).length} of ${whole.length} bytes`);
  }
});

test('canCompressInPod: yes with GNU tar and zstd; no with busybox tar, without zstd, without sh', async () => {
  assert.is(await canCompressInPod(localExec, target), true);
  const answering = (stdout: string, exitCode: number): PodExec => async (o) => {
    o.stdout?.write(stdout);
    return { exitCode };
  };
  assert.is(await canCompressInPod(answering('tar (GNU tar) 1.34\n', 127), target), false, 'zstd missing: sh says 127');
  assert.is(await canCompressInPod(answering('BusyBox v1.36.1 (2023-05-18) multi-call binary.\n*** Zstandard CLI (64-bit) v1.5.4 ***\n', 0), target), false, 'busybox tar');
  const noShell: PodExec = async () => {
    throw new Error('exec in ns/p (c) failed: executable file not found in $PATH: "sh"');
  };
  assert.is(await canCompressInPod(noShell, target), false);
});

test.after(() => rmSync(root, { recursive: true, force: true }));

test.run();
