// gzip on more than one core: each chunk written becomes its own gzip member, compressed on libuv's
// thread pool while the next ones are, and the members come out in order. A gzip file may hold
// several members one after another (RFC 1952 §2.2); Go's gzip reader (Velero), Node's gunzip, GNU
// gzip and tar read them as one stream. One zlib stream is one thread: a backup that lays out tar
// entries faster than one core compresses them waits for gzip, and this lets the second core help.
// Memory: at most `parallel` chunks being compressed plus the output's buffer.
import { PassThrough, type Readable } from 'node:stream';
import { gzip } from 'node:zlib';

/**
 * zlib's output buffer. Its default, 16 KiB, cut a 1 MiB batch's ~200 KiB member into a dozen
 * buffers, each with a JavaScript callback, then joined: at 100,000 items that callback was the
 * main thread's largest line in a CPU profile after the garbage collector.
 */
const OUTPUT_CHUNK = 256 * 1024;

export interface ParallelGzipOptions {
  level: number;
  /** Chunks compressed at once. */
  parallel: number;
  /** Called with each chunk once it is compressed, so its buffer can be used again. */
  release?(chunk: Buffer): void;
}

export class ParallelGzip {
  private readonly out = new PassThrough({ highWaterMark: 1024 * 1024 });
  /** Members being compressed, oldest first. */
  private readonly inFlight: Promise<Buffer>[] = [];
  private failure: Error | undefined;

  constructor(private readonly options: ParallelGzipOptions) {}

  /** The gzip bytes. */
  get stream(): Readable {
    return this.out;
  }

  get destroyed(): boolean {
    return this.out.destroyed;
  }

  /**
   * Queues `chunk` (which must not change until released) as a member compressed with a window of
   * 2^windowBits bytes; waits while `parallel` chunks are in flight.
   */
  async write(chunk: Buffer, windowBits = 15): Promise<void> {
    this.check();
    const member = new Promise<Buffer>((resolve, reject) =>
      gzip(chunk, { level: this.options.level, chunkSize: OUTPUT_CHUNK, windowBits }, (error, result) => {
        this.options.release?.(chunk);
        if (error) reject(error);
        else resolve(result);
      }),
    );
    member.catch(() => undefined); // awaited in order below
    this.inFlight.push(member);
    while (this.inFlight.length > this.options.parallel) await this.emitOldest();
  }

  /** Emits everything still in flight and ends the stream. */
  async end(): Promise<void> {
    while (this.inFlight.length) await this.emitOldest();
    this.check();
    await new Promise<void>((resolve) => this.out.end(resolve));
  }

  destroy(error?: Error): void {
    this.failure ??= error;
    this.out.destroy();
  }

  private async emitOldest(): Promise<void> {
    const bytes = await this.inFlight.shift()!;
    this.check();
    if (this.out.write(bytes)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.out.off('drain', done);
        this.out.off('close', done);
        resolve();
      };
      this.out.on('drain', done);
      this.out.on('close', done);
    });
    this.check();
  }

  private check(): void {
    if (this.out.destroyed) throw this.failure ?? new Error('the tarball stream was closed');
  }
}
