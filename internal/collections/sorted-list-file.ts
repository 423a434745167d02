// Velero's resource-list files (a backup's NAME-resource-list.json.gz, a restore's
// restore-NAME-resource-list.json.gz) are one JSON object of lists, keys sorted, each list sorted as
// strings: `{"v1/ConfigMap":["shop/a","shop/b"],…}`. Built here in bounded memory, whatever the
// number of entries: they are gathered a run at a time, each run sorted and written to a temp file,
// and the runs merged into the file at the end (an external merge sort). Kept in memory, the entries
// of a 100,000-item restore, their sort and their JSON were the whole command's peak and most of
// what made its memory grow with the backup's size.
//
// The run files are unlinked as soon as they are opened: only their descriptors name them, so a run
// that dies leaves nothing in the temp dir, and close() (or the process's exit) frees the disk. A
// temp dir that refuses a run (full, read-only, gone) is not a failed backup or restore: the entries
// from then on stay in memory, as they all did before this sort (`spillError` says why).
import { closeSync, openSync, readSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GzipBatches } from '../archive/gzip-batches.ts';

/** Entries sorted in memory before a run is written: ~1.5 MB of strings at ~50 characters each. */
const RUN_ENTRIES = 16_384;
/** Bytes read from a run file at a time while merging. */
const READ_BYTES = 64 * 1024;

export interface SortedListFileOptions {
  /** Entries per run (tests use a few to merge many runs). */
  runEntries?: number;
  /** Where run files go (default: the system's temp dir). */
  dir?: string;
}

export class SortedListFile {
  private keys: string[] = [];
  private entries: string[] = [];
  private readonly runs: Run[] = [];
  private readonly runEntries: number;
  private readonly dir: string;
  /** Why runs are no longer written, once the temp dir refused one. */
  spillError: Error | undefined;

  constructor(options: SortedListFileOptions = {}) {
    this.runEntries = options.runEntries ?? RUN_ENTRIES;
    this.dir = options.dir ?? tmpdir();
  }

  add(key: string, entry: string): void {
    this.keys.push(key);
    this.entries.push(entry);
    if (this.entries.length >= this.runEntries && !this.spillError) {
      try {
        this.spill();
      } catch (error) {
        this.spillError = error as Error;
      }
    }
  }

  /**
   * The file as stored, gzipped: the same bytes as `JSON.stringify` of the lists with their keys
   * inserted in sorted order. The runs are merged as they are read, a few KiB of each at a time.
   */
  gzippedJson(): Buffer {
    const out = new GzipBatches();
    out.text('{');
    let currentKey: string | undefined;
    for (const [key, entry] of this.pairs()) {
      if (key !== currentKey) {
        out.text(`${currentKey === undefined ? '' : '],'}${JSON.stringify(key)}:[${JSON.stringify(entry)}`);
        currentKey = key;
      } else {
        out.text(`,${JSON.stringify(entry)}`);
      }
    }
    out.text(currentKey === undefined ? '}' : ']}');
    return out.gzipped();
  }

  /** The lists, keys inserted in sorted order (tests, describe-like uses). */
  toJSON(): Record<string, string[]> {
    const lists: Record<string, string[]> = {};
    for (const [key, entry] of this.pairs()) (lists[key] ??= []).push(entry);
    return lists;
  }

  /** Frees the run files; the list is empty afterwards. */
  close(): void {
    for (const run of this.runs.splice(0)) closeSync(run.fd);
    this.keys = [];
    this.entries = [];
  }

  /** Every [key, entry] pair in order: the runs and the entries not yet written, merged. */
  private pairs(): Generator<[string, string]> {
    return merged([new MemoryCursor(this.keys, this.entries, sortedIndexes(this.keys, this.entries)), ...this.runs.map((run) => new RunCursor(run))]);
  }

  /** Writes the entries gathered so far as one sorted run and forgets them. */
  private spill(): void {
    const order = sortedIndexes(this.keys, this.entries);
    let text = '';
    for (const i of order) text += `${JSON.stringify([this.keys[i], this.entries[i]])}\n`;
    const path = join(this.dir, `kubectl-velero-list-${process.pid}-${randomBytes(6).toString('hex')}`);
    let fd: number;
    try {
      fd = openSync(path, 'wx+', 0o600);
    } catch (error) {
      throw tempFileError(error, this.dir);
    }
    try {
      unlinkSync(path);
      const bytes = Buffer.from(text, 'utf8');
      let written = 0;
      while (written < bytes.length) written += writeSync(fd, bytes, written, bytes.length - written, written);
      this.runs.push({ fd, size: bytes.length });
    } catch (error) {
      closeSync(fd);
      throw tempFileError(error, this.dir);
    }
    this.keys = [];
    this.entries = [];
  }
}

interface Run {
  fd: number;
  size: number;
}

/** One sorted source of [key, entry] pairs, read one pair ahead. */
interface Cursor {
  /** The current pair, or undefined once the source is spent. */
  head: [string, string] | undefined;
  advance(): void;
}

class MemoryCursor implements Cursor {
  head: [string, string] | undefined;
  private next = 0;

  constructor(
    private readonly keys: string[],
    private readonly entries: string[],
    private readonly order: Uint32Array,
  ) {
    this.advance();
  }

  advance(): void {
    const i = this.order[this.next++];
    this.head = i === undefined ? undefined : [this.keys[i]!, this.entries[i]!];
  }
}

/** A run file's lines, read a block at a time (a line is never split inside a UTF-8 character: '\n' is one byte). */
class RunCursor implements Cursor {
  head: [string, string] | undefined;
  private position = 0;
  private pending = Buffer.alloc(0);

  constructor(private readonly run: Run) {
    this.advance();
  }

  advance(): void {
    for (;;) {
      const newline = this.pending.indexOf(0x0a);
      if (newline >= 0) {
        const line = this.pending.subarray(0, newline).toString('utf8');
        this.pending = this.pending.subarray(newline + 1);
        this.head = JSON.parse(line) as [string, string];
        return;
      }
      if (this.position >= this.run.size) {
        this.head = undefined;
        return;
      }
      const block = Buffer.allocUnsafe(Math.min(READ_BYTES, this.run.size - this.position));
      const read = readSync(this.run.fd, block, 0, block.length, this.position);
      if (read === 0) throw new Error('a resource-list run file ended early');
      this.position += read;
      this.pending = this.pending.length ? Buffer.concat([this.pending, block.subarray(0, read)]) : block.subarray(0, read);
    }
  }
}

/** The pairs of every source in order (a binary heap of the sources by their current pair). */
function* merged(sources: Cursor[]): Generator<[string, string]> {
  const heap = sources.filter((s) => s.head);
  const less = (a: Cursor, b: Cursor) => comparePairs(a.head!, b.head!) < 0;
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l]!, heap[m]!)) m = l;
      if (r < heap.length && less(heap[r]!, heap[m]!)) m = r;
      if (m === i) return;
      [heap[i], heap[m]] = [heap[m]!, heap[i]!];
      i = m;
    }
  };
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
  while (heap.length) {
    const top = heap[0]!;
    yield top.head!;
    top.advance();
    if (!top.head) {
      heap[0] = heap[heap.length - 1]!;
      heap.pop();
    }
    if (heap.length) down(0);
  }
}

/** Keys first, then entries, each in JavaScript's default sort order (UTF-16 code units). */
function comparePairs(a: [string, string], b: [string, string]): number {
  return compareStrings(a[0], b[0]) || compareStrings(a[1], b[1]);
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedIndexes(keys: string[], entries: string[]): Uint32Array {
  return Uint32Array.from(keys.keys()).sort((a, b) => compareStrings(keys[a]!, keys[b]!) || compareStrings(entries[a]!, entries[b]!));
}

/** A temp-dir failure told with the directory and the variable that moves it. */
function tempFileError(error: unknown, dir: string): Error {
  const code = (error as NodeJS.ErrnoException).code ?? '';
  const why = code === 'ENOSPC' ? 'no space left on device' : code === 'EDQUOT' ? 'disk quota exceeded' : (error as Error).message;
  return new Error(`cannot write the resource list's sort runs in ${dir} (${why}): free space there or set TMPDIR to a directory with room`);
}
