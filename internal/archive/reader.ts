// Reads a backup tarball as a stream of entries, for the restore engine and for checks. Untrusted
// input: entries that could escape a directory (absolute paths, '..', links, devices) are refused,
// a truncated or corrupt gzip/tar stream is a CorruptArchiveError, and one entry's size is capped so
// memory stays bounded.
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import tar from 'tar-stream';
import { type ParsedItemPath, READABLE_FORMAT_VERSIONS, VERSION_FILE, parseItemPath } from './item-paths.ts';

export class CorruptArchiveError extends Error {
  constructor(detail: string) {
    super(`the backup archive is corrupt or not a Velero backup: ${detail}`);
  }
}

export class UnsafeArchiveEntryError extends CorruptArchiveError {}

export interface ArchiveEntry {
  path: string;
  /** Set for `resources/…` items. */
  item?: ParsedItemPath;
  body: Buffer;
}

export interface ReadOptions {
  /** Largest entry accepted, in bytes (default 64 MiB; etcd itself caps objects at ~1.5 MiB). */
  maxEntryBytes?: number;
}

/** Refuses paths that could land outside an extraction directory. */
export function checkEntryPath(path: string): string {
  if (path === '' || path.startsWith('/') || /^[A-Za-z]:/.test(path) || path.includes('\\') || path.includes('\0')) {
    throw new UnsafeArchiveEntryError(`entry "${path}" has an absolute or invalid path`);
  }
  const segments = path.replace(/\/+$/, '').split('/');
  if (segments.some((s) => s === '..')) throw new UnsafeArchiveEntryError(`entry "${path}" climbs out with ".."`);
  return segments.filter((s) => s !== '.' && s !== '').join('/');
}

/**
 * Yields every regular file of the archive, in archive order. Directory entries are skipped; any other
 * entry type is refused. Ends with an error if `metadata/version` is missing or unknown.
 */
export async function* readBackupArchive(source: Readable, options: ReadOptions = {}): AsyncGenerator<ArchiveEntry> {
  const maxEntryBytes = options.maxEntryBytes ?? 64 * 1024 * 1024;
  const gunzip = createGunzip();
  const extract = tar.extract();
  const fail = (error: unknown) => {
    const err = error instanceof CorruptArchiveError ? error : new CorruptArchiveError(describeStreamError(error));
    extract.destroy(err);
  };
  source.on('error', (error) => extract.destroy(error instanceof Error ? error : new Error(String(error))));
  gunzip.on('error', fail);
  source.pipe(gunzip).pipe(extract);

  let version: string | undefined;
  try {
    for await (const entry of extract) {
      const { header } = entry;
      if (header.type === 'directory') {
        entry.resume();
        continue;
      }
      if (header.type !== 'file' && header.type !== 'contiguous-file') {
        throw new UnsafeArchiveEntryError(`entry "${header.name}" is a ${header.type}; only regular files are allowed`);
      }
      const path = checkEntryPath(header.name);
      if ((header.size ?? 0) > maxEntryBytes) throw new CorruptArchiveError(`entry "${path}" is ${header.size} bytes, over the ${maxEntryBytes}-byte limit`);
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      if (path === VERSION_FILE) {
        version = body.toString('utf8').trim();
        if (!(READABLE_FORMAT_VERSIONS as readonly string[]).includes(version)) throw new CorruptArchiveError(`unsupported backup format version "${version}"`);
      }
      const item = parseItemPath(path);
      yield item ? { path, item, body } : { path, body };
    }
  } catch (error) {
    source.unpipe(gunzip);
    gunzip.destroy();
    if (error instanceof CorruptArchiveError) throw error;
    throw new CorruptArchiveError(describeStreamError(error));
  }
  if (version === undefined) throw new CorruptArchiveError(`no ${VERSION_FILE} entry`);
}

function describeStreamError(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: string }).code;
  if (code === 'Z_BUF_ERROR' || /unexpected end/i.test(message)) return 'the archive is truncated';
  if (code === 'Z_DATA_ERROR' || /incorrect header check|invalid/i.test(message)) return `not gzip data (${message})`;
  return message;
}
