// Writes a Velero backup tarball as a stream: gzip over POSIX tar, regular files mode 0755, item
// paths from item-paths.ts. Writes wait for gzip's buffer to drain, so memory stays bounded however
// many items come.
//
// A backup is many ~1 KiB entries, each written twice (item-paths.ts), so the per-entry cost is the
// backup's cost. Entries are laid out straight into a 256 KiB batch (header, body, padding; the
// second copy of a body is a copy of the first's bytes), and each full batch becomes a gzip member
// of its own, compressed beside the others (parallel-gzip.ts): no small buffers to allocate and
// concatenate, and gzip, the slowest step, on every core. Reading uses tar-stream.
import { availableParallelism } from 'node:os';
import type { Readable } from 'node:stream';
import { constants } from 'node:zlib';
import { ARCHIVE_FORMAT_VERSION, type ArchiveItemCoordinates, VERSION_FILE, itemPaths } from './item-paths.ts';
import { ParallelGzip } from './parallel-gzip.ts';

/** Bytes per gzip member: large enough that starting each with an empty dictionary costs little. */
const BATCH = 1024 * 1024;
const BLOCK = 512;

/**
 * gzip level 1 rather than Go's default 6 (Velero's): see the README's "Where a backup's time goes".
 * The second copy of each item costs little at either level: it repeats bytes gzip has just seen.
 */
export const GZIP_LEVEL = constants.Z_BEST_SPEED;

const padded = (size: number) => Math.ceil(size / BLOCK) * BLOCK;

function writeOctal(buf: Buffer, at: number, value: number, width: number): void {
  buf.write(`${value.toString(8).padStart(width - 1, '0')}\0`, at, width, 'latin1');
}

/** How ustar holds `name`: in the name field, or split at a slash into prefix and name; undefined when it cannot. */
function ustarName(name: string): { base: string; prefix: string } | undefined {
  if (Buffer.byteLength(name) <= 100) return { base: name, prefix: '' };
  const cut = name.lastIndexOf('/', 155);
  if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100 || Buffer.byteLength(name.slice(0, cut)) > 155) return undefined;
  return { base: name.slice(cut + 1), prefix: name.slice(0, cut) };
}

/** A ustar header at `buf[at…at+512)`; a name ustar cannot hold is cut to 100 bytes (a PAX record then says it whole). */
function writeHeader(buf: Buffer, at: number, name: string, size: number, mtime: number, typeflag = '0'): void {
  const { base, prefix } = ustarName(name) ?? { base: name, prefix: '' };
  buf.fill(0, at, at + BLOCK);
  buf.write(base, at, 100, 'utf8');
  writeOctal(buf, at + 100, 0o755, 8);
  writeOctal(buf, at + 108, 0, 8);
  writeOctal(buf, at + 116, 0, 8);
  writeOctal(buf, at + 124, size, 12);
  writeOctal(buf, at + 136, mtime, 12);
  buf.write('        ', at + 148, 8, 'latin1');
  buf.write(typeflag, at + 156, 1, 'latin1');
  buf.write('ustar\u000000', at + 257, 8, 'latin1');
  if (prefix) buf.write(prefix, at + 345, 155, 'utf8');
  let sum = 0;
  for (let i = at; i < at + BLOCK; i++) sum += buf[i]!;
  buf.write(`${sum.toString(8).padStart(6, '0')}\0 `, at + 148, 8, 'latin1');
}

/** Bytes the header(s) of `path` take: one block, or a PAX entry before it for a name ustar cannot hold. */
function headerRoom(path: string): number {
  return ustarName(path) ? BLOCK : 2 * BLOCK + padded(paxRecord('path', path).length);
}

/** A PAX extended-header record `LEN key=value\n`, LEN counting itself. */
function paxRecord(key: string, value: string): Buffer {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return Buffer.from(`${len}${body}`);
}

/** An item's JSON: one string, or parts that make it when written one after the other (no joined copy). */
export type ItemJson = string | readonly string[];

export class BackupArchiveWriter {
  private readonly gzip = new ParallelGzip({ level: GZIP_LEVEL, parallel: Math.min(4, availableParallelism()), release: (chunk) => this.release(chunk) });
  /** Batch buffers gzip is done with: reused, so a backup allocates a few MiB, not one per batch. */
  private readonly spare: Buffer[] = [];
  /** The memory of every batch buffer made, to tell them from a big object's own buffer. */
  private readonly batches = new WeakSet<ArrayBufferLike>();
  private batch = this.newBatch();
  private used = 0;
  private failure: Error | undefined;

  constructor(private readonly now: () => number = () => Math.floor(Date.now() / 1000)) {}

  /** The gzip'd tar bytes, to hand to an upload. */
  get stream(): Readable {
    return this.gzip.stream;
  }

  async writeVersion(): Promise<void> {
    await this.addFile(VERSION_FILE, Buffer.from(`${ARCHIVE_FORMAT_VERSION}\n`));
  }

  /** One item's JSON, whole or in parts written one after the other (`ItemJson`), at each of its paths. */
  async addItem(item: ArchiveItemCoordinates, json: ItemJson): Promise<void> {
    const size = typeof json === 'string' ? Buffer.byteLength(json) : json.reduce((sum, part) => sum + Buffer.byteLength(part), 0);
    const paths = itemPaths(item);
    const room = paths.reduce((sum, path) => sum + headerRoom(path) + padded(size), 0);
    if (room > BATCH) {
      // An object larger than a batch (a big ConfigMap) is written from its own buffer.
      const data = Buffer.from(typeof json === 'string' ? json : json.join(''));
      for (const path of paths) await this.addFile(path, data);
      return;
    }
    if (this.used + room > BATCH) await this.flush();
    const mtime = this.now();
    let firstBody = -1;
    for (const path of paths) {
      this.putHeader(path, size, mtime);
      const at = this.used;
      if (firstBody >= 0) this.batch.copy(this.batch, at, firstBody, firstBody + size);
      else if (typeof json === 'string') this.batch.write(json, at, size, 'utf8');
      else for (let part = 0, to = at; part < json.length; part++) to += this.batch.write(json[part]!, to, 'utf8');
      firstBody = at;
      this.batch.fill(0, at + size, at + padded(size));
      this.used = at + padded(size);
    }
  }

  /** One file of any size. */
  async addFile(path: string, data: Buffer): Promise<void> {
    const room = headerRoom(path) + padded(data.length);
    if (this.used + Math.min(room, BATCH) > BATCH) await this.flush();
    this.putHeader(path, data.length, this.now());
    if (room <= BATCH) {
      data.copy(this.batch, this.used);
      this.batch.fill(0, this.used + data.length, this.used + padded(data.length));
      this.used += padded(data.length);
      return;
    }
    await this.flush();
    await this.send(data);
    await this.send(Buffer.alloc(padded(data.length) - data.length));
  }

  async finish(): Promise<void> {
    if (this.used + 2 * BLOCK > BATCH) await this.flush();
    this.batch.fill(0, this.used, this.used + 2 * BLOCK);
    this.used += 2 * BLOCK;
    await this.flush();
    await this.gzip.end();
  }

  destroy(error?: Error): void {
    this.failure ??= error;
    // The upload reports the error; the stream just stops (no unhandled 'error' event).
    this.gzip.destroy();
  }

  /** The header at the batch's end, after a PAX `path` entry when the name needs one (as Go's archive/tar does). */
  private putHeader(path: string, size: number, mtime: number): void {
    if (!ustarName(path)) {
      const record = paxRecord('path', path);
      writeHeader(this.batch, this.used, `PaxHeaders/${path.slice(-80)}`, record.length, mtime, 'x');
      this.used += BLOCK;
      record.copy(this.batch, this.used);
      this.batch.fill(0, this.used + record.length, this.used + padded(record.length));
      this.used += padded(record.length);
    }
    writeHeader(this.batch, this.used, path, size, mtime);
    this.used += BLOCK;
  }

  /** Hands the batch to gzip (which keeps it until compressed) and starts a new one. */
  private async flush(): Promise<void> {
    if (!this.used) return;
    const full = this.batch.subarray(0, this.used);
    this.batch = this.spare.pop() ?? this.newBatch();
    this.used = 0;
    await this.send(full);
  }

  private newBatch(): Buffer {
    const buffer = Buffer.allocUnsafeSlow(BATCH);
    this.batches.add(buffer.buffer);
    return buffer;
  }

  /** Only batches come back to the pool: a big object's own buffer may still be sent again. */
  private release(chunk: Buffer): void {
    if (this.batches.has(chunk.buffer) && this.spare.length < 8) this.spare.push(Buffer.from(chunk.buffer, 0, BATCH));
  }

  private async send(chunk: Buffer): Promise<void> {
    if (this.gzip.destroyed) throw this.failure ?? new Error('the tarball stream was closed');
    if (chunk.length) await this.gzip.write(chunk);
  }
}
