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

const MAX_WINDOW_BITS = 15;
/** zlib matches at most this much less than its window back (MIN_LOOKAHEAD). */
const LOOKAHEAD = 262;

/**
 * The smallest gzip window (8, 16 or 32 KiB) that still reaches from each item's second copy back
 * to its first, so the copy still costs a few bytes. On the bench's ~1.5 KiB items an 8 KiB window
 * compressed 25% faster than zlib's 32 KiB default, and smaller (its tables stay in cache); a batch
 * with larger items, or any other file, keeps the whole window. Any gzip reader takes any window.
 */
export function windowFor(farthestCopy: number): number {
  for (let bits = 13; bits < MAX_WINDOW_BITS; bits++) if (farthestCopy <= (1 << bits) - LOOKAHEAD) return bits;
  return MAX_WINDOW_BITS;
}

/** `value` as width-1 octal digits and a NUL, byte by byte: a Buffer.write per field was ~0.3 s at 100,000 items. */
function writeOctal(buf: Buffer, at: number, value: number, width: number): void {
  buf[at + width - 1] = 0;
  for (let i = at + width - 2; i >= at; i--) {
    buf[i] = 0x30 + (value % 8);
    value = Math.floor(value / 8);
  }
}

/** How ustar holds `name`: in the name field, or split at a slash into prefix and name; undefined when it cannot. */
function ustarName(name: string): { base: string; prefix: string } | undefined {
  if (Buffer.byteLength(name) <= 100) return { base: name, prefix: '' };
  const cut = name.lastIndexOf('/', 155);
  if (cut <= 0 || Buffer.byteLength(name.slice(cut + 1)) > 100 || Buffer.byteLength(name.slice(0, cut)) > 155) return undefined;
  return { base: name.slice(cut + 1), prefix: name.slice(0, cut) };
}

/** A header with everything but name, size and prefix filled in, and the sum of its bytes. */
interface HeaderTemplate {
  mtime: number;
  typeflag: string;
  bytes: Buffer;
  sum: number;
}

const templates: HeaderTemplate[] = [];

/** Fields the same in every header of a run (mode, owner, mtime, type, magic), laid out once: 200,000 headers at 100,000 items. */
function templateFor(mtime: number, typeflag: string): HeaderTemplate {
  for (const t of templates) if (t.mtime === mtime && t.typeflag === typeflag) return t;
  const bytes = Buffer.alloc(BLOCK);
  writeOctal(bytes, 100, 0o755, 8);
  writeOctal(bytes, 108, 0, 8);
  writeOctal(bytes, 116, 0, 8);
  writeOctal(bytes, 136, mtime, 12);
  bytes.write('        ', 148, 8, 'latin1');
  bytes.write(typeflag, 156, 1, 'latin1');
  bytes.write('ustar\u000000', 257, 8, 'latin1');
  let sum = 0;
  for (const b of bytes) sum += b;
  const template = { mtime, typeflag, bytes, sum };
  // A run has one or two mtimes (a second boundary) and two types: keep the last few.
  if (templates.unshift(template) > 4) templates.pop();
  return template;
}

function sumOf(buf: Buffer, from: number, to: number): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += buf[i]!;
  return sum;
}

/** A ustar header at `buf[at…at+512)`; a name ustar cannot hold is cut to 100 bytes (a PAX record then says it whole). */
function writeHeader(buf: Buffer, at: number, name: string, size: number, mtime: number, typeflag = '0'): void {
  const { base, prefix } = ustarName(name) ?? { base: name, prefix: '' };
  const template = templateFor(mtime, typeflag);
  template.bytes.copy(buf, at);
  // The checksum counts every byte: the template's, plus what is written over its zeros.
  let sum = template.sum + sumOf(buf, at, at + buf.write(base, at, 100, 'utf8'));
  writeOctal(buf, at + 124, size, 12);
  sum += sumOf(buf, at + 124, at + 136);
  if (prefix) sum += sumOf(buf, at + 345, at + 345 + buf.write(prefix, at + 345, 155, 'utf8'));
  writeOctal(buf, at + 148, sum, 7);
  buf[at + 155] = 0x20;
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

/** An item's JSON: one string, or parts (text or UTF-8 bytes) that make it when written one after the other (no joined copy). */
export type ItemJson = string | readonly (string | Uint8Array)[];

export class BackupArchiveWriter {
  private readonly gzip = new ParallelGzip({ level: GZIP_LEVEL, parallel: Math.min(4, availableParallelism()), release: (chunk) => this.release(chunk) });
  /** Batch buffers gzip is done with: reused, so a backup allocates a few MiB, not one per batch. */
  private readonly spare: Buffer[] = [];
  /** The memory of every batch buffer made, to tell them from a big object's own buffer. */
  private readonly batches = new WeakSet<ArrayBufferLike>();
  private batch = this.newBatch();
  private used = 0;
  /** How far back, in the current batch, the farthest second copy of an item lies from its first. */
  private farthestCopy = 0;
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
    let size = 0;
    if (typeof json === 'string') size = Buffer.byteLength(json);
    else for (let i = 0; i < json.length; i++) size += typeof json[i] === 'string' ? Buffer.byteLength(json[i] as string) : (json[i] as Uint8Array).length;
    const paths = itemPaths(item);
    let room = 0;
    for (let i = 0; i < paths.length; i++) room += headerRoom(paths[i]!) + padded(size);
    if (room > BATCH) {
      // An object larger than a batch (a big ConfigMap) is written from its own buffer.
      const data = typeof json === 'string' ? Buffer.from(json) : Buffer.concat(json.map((part) => (typeof part === 'string' ? Buffer.from(part) : part)));
      for (const path of paths) await this.addFile(path, data);
      return;
    }
    if (this.used + room > BATCH) await this.flush();
    const mtime = this.now();
    let firstBody = -1;
    for (const path of paths) {
      this.putHeader(path, size, mtime);
      const at = this.used;
      if (firstBody >= 0) {
        this.batch.copy(this.batch, at, firstBody, firstBody + size);
        this.farthestCopy = Math.max(this.farthestCopy, at - firstBody);
      }
      else if (typeof json === 'string') this.batch.write(json, at, size, 'utf8');
      else {
        let to = at;
        for (let i = 0; i < json.length; i++) {
          const part = json[i]!;
          if (typeof part === 'string') to += this.batch.write(part, to, 'utf8');
          else {
            this.batch.set(part, to);
            to += part.length;
          }
        }
      }
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
    // A file's own repetitions may lie anywhere in it: its batch keeps gzip's whole window.
    this.farthestCopy = Infinity;
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
    const windowBits = windowFor(this.farthestCopy);
    this.batch = this.spare.pop() ?? this.newBatch();
    this.used = 0;
    this.farthestCopy = 0;
    await this.send(full, windowBits);
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

  private async send(chunk: Buffer, windowBits = MAX_WINDOW_BITS): Promise<void> {
    if (this.gzip.destroyed) throw this.failure ?? new Error('the tarball stream was closed');
    if (chunk.length) await this.gzip.write(chunk, windowBits);
  }
}
