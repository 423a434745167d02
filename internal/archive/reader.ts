// Reads a backup tarball as a stream of entries, for the restore engine and for checks. Untrusted
// input: entries that could escape a directory (absolute paths, '..', links, devices) are refused,
// a truncated or corrupt gzip/tar stream is a CorruptArchiveError that says which layer is broken,
// an archive without tar's end-of-archive marker is truncated, and one entry's size, the number of
// entries and the bytes the archive expands to are capped, so neither memory nor the staging disk
// can be exhausted by a small crafted input.
import { Transform, type Readable, type TransformCallback } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { quoteUntrusted } from '../text/quote.ts';
import { type ParsedItemPath, READABLE_FORMAT_VERSIONS, VERSION_FILE, parseItemPath } from './item-paths.ts';

export class CorruptArchiveError extends Error {
  constructor(detail: string) {
    super(`the backup archive is corrupt or not a Velero backup: ${detail}`);
  }
}

export class UnsafeArchiveEntryError extends CorruptArchiveError {}

/** One of the bounds of ReadOptions was hit; `limit` says which, so a caller can name its flag. */
export class ArchiveLimitError extends CorruptArchiveError {
  constructor(
    readonly limit: 'entry-bytes' | 'entries' | 'total-bytes',
    readonly value: number,
    detail: string,
  ) {
    super(detail);
  }
}

export interface ArchiveEntry {
  path: string;
  /** Set for `resources/…` items. */
  item?: ParsedItemPath;
  body: Buffer;
}

/**
 * The API server refuses request bodies over 3 MiB and etcd stores at most ~1.5 MiB per object,
 * so no restorable item is anywhere near 4 MiB of JSON; the margin covers what a restore strips
 * (status, managed fields) before it sends an item. Parsing 4 MiB of crafted JSON (an array of
 * empty objects) takes ~300 MB, which is why the cap is not higher.
 */
export const DEFAULT_MAX_ENTRY_BYTES = 4 * 1024 * 1024;
/** A backup of 100k objects has ~250k entries (the preferred version twice, plus metadata). */
export const DEFAULT_MAX_ENTRIES = 1_000_000;
export const DEFAULT_MAX_TOTAL_BYTES = 16 * 1024 * 1024 * 1024;

export interface ReadOptions {
  /** Largest entry accepted, in bytes. */
  maxEntryBytes?: number;
  /** Most entries accepted (directories included). */
  maxEntries?: number;
  /** Most bytes all entries together may expand to. */
  maxTotalBytes?: number;
}

/** Refuses paths that could land outside an extraction directory. */
export function checkEntryPath(path: string): string {
  if (path === '' || path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.includes('\\') || path.includes('\0')) {
    throw new UnsafeArchiveEntryError(`entry ${quoteUntrusted(path)} has an absolute or invalid path`);
  }
  const segments = path.replace(/\/+$/, '').split('/');
  if (segments.some((s) => s === '..')) throw new UnsafeArchiveEntryError(`entry ${quoteUntrusted(path)} climbs out with ".."`);
  return segments.filter((s) => s !== '.' && s !== '').join('/');
}

/**
 * Passes the tar stream through, remembering where its last non-zero byte was. tar ends with two
 * zero blocks after the last entry; a tar cut at a block boundary inside a complete gzip member
 * parses as whole but lacks them, and that is how a truncated upload is told from a finished one.
 */
class EndMarkerWatch extends Transform {
  total = 0;
  private lastNonZero = -1;

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    let i = chunk.length - 1;
    while (i >= 0 && chunk[i] === 0) i--;
    if (i >= 0) this.lastNonZero = this.total + i;
    this.total += chunk.length;
    callback(null, chunk);
  }

  /** Zero bytes after the 512-byte block that holds the last non-zero byte. */
  get trailingZeroBytes(): number {
    const blockEnd = Math.ceil((this.lastNonZero + 1) / 512) * 512;
    return this.total - blockEnd;
  }
}

/**
 * Yields every regular file of the archive, in archive order. Directory entries are skipped; any other
 * entry type is refused. Ends with an error if `metadata/version` is missing or unknown, or if the
 * tar has no end-of-archive marker.
 */
export async function* readBackupArchive(source: Readable, options: ReadOptions = {}): AsyncGenerator<ArchiveEntry> {
  const maxEntryBytes = options.maxEntryBytes ?? DEFAULT_MAX_ENTRY_BYTES;
  const maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  const maxTotalBytes = options.maxTotalBytes ?? DEFAULT_MAX_TOTAL_BYTES;
  const gunzip = createGunzip();
  const watch = new EndMarkerWatch();
  const extract = tar.extract();
  const fail = (detail: string) => extract.destroy(new CorruptArchiveError(detail));
  // The source failing (a download cut part-way) is not a damaged archive: its error is passed on as it is.
  let sourceError: Error | undefined;
  source.on('error', (error) => extract.destroy((sourceError = error instanceof Error ? error : new Error(String(error)))));
  gunzip.on('error', (error) => fail(describeGzipError(error)));
  source.pipe(gunzip).pipe(watch).pipe(extract);

  let version: string | undefined;
  let entries = 0;
  let totalBytes = 0;
  let lastPath: string | undefined;
  try {
    for await (const entry of extract) {
      const { header } = entry;
      if (++entries > maxEntries) throw new ArchiveLimitError('entries', maxEntries, `it has more than ${maxEntries} entries`);
      if (header.type === 'directory') {
        entry.resume();
        continue;
      }
      if (header.type !== 'file' && header.type !== 'contiguous-file') {
        throw new UnsafeArchiveEntryError(`entry ${quoteUntrusted(header.name)} is a ${header.type}; only regular files are allowed`);
      }
      const path = checkEntryPath(header.name);
      const size = header.size ?? 0;
      if (size > maxEntryBytes) throw new ArchiveLimitError('entry-bytes', maxEntryBytes, `entry ${quoteUntrusted(path)} is ${size} bytes, over the ${maxEntryBytes}-byte limit for one item`);
      totalBytes += size;
      if (totalBytes > maxTotalBytes) throw new ArchiveLimitError('total-bytes', maxTotalBytes, `it expands to more than ${maxTotalBytes} bytes`);
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      lastPath = path;
      if (path === VERSION_FILE) {
        version = body.toString('utf8').trim();
        if (!(READABLE_FORMAT_VERSIONS as readonly string[]).includes(version)) throw new CorruptArchiveError(`unsupported backup format version ${quoteUntrusted(version, 40)}`);
      }
      const item = parseItemPath(path);
      yield item ? { path, item, body } : { path, body };
    }
  } catch (error) {
    source.unpipe(gunzip);
    gunzip.destroy();
    if (sourceError) throw sourceError;
    if (error instanceof CorruptArchiveError) throw error;
    throw new CorruptArchiveError(describeTarError(error, entries, lastPath));
  }
  if (watch.trailingZeroBytes < 1024) throw new CorruptArchiveError(`the archive is truncated: the tar stream ends without its end-of-archive marker${lastPath ? ` after entry ${quoteUntrusted(lastPath)}` : ''}`);
  if (version === undefined) throw new CorruptArchiveError(`no ${VERSION_FILE} entry`);
}

function describeGzipError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  if (code === 'Z_BUF_ERROR' || /unexpected end/i.test(message)) return 'the archive is truncated (the gzip stream ends early)';
  if (code === 'Z_DATA_ERROR') return `not gzip data, or damaged gzip data (${message})`;
  return `gzip: ${message}`;
}

/** tar-stream's own errors, said as what is wrong with the tar inside the (sound) gzip. */
function describeTarError(error: unknown, entries: number, lastPath: string | undefined): string {
  const message = error instanceof Error ? error.message : String(error);
  const where = lastPath ? `after entry ${quoteUntrusted(lastPath)}` : entries ? `after ${entries} entries` : 'at its first header';
  if (/unexpected end/i.test(message)) return `the archive is truncated: the tar stream ends inside an entry ${where}`;
  if (/invalid tar header|unknown format|checksum/i.test(message)) return `a tar header is damaged ${where} (its checksum does not match or its format is unknown)`;
  return `the tar stream cannot be read ${where}: ${message}`;
}
