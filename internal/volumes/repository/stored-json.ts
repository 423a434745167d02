// The repository's JSON objects (config.json, pack indexes, snapshot manifests, locks) as read
// back from the store. Anyone with access to the location can change or damage them, so a reader
// checks each one's shape before it trusts a number (an offset becomes a ranged GET, a length an
// allocation) or a name (a pack id becomes a key that prune deletes). Each check says what is
// wrong in one printable line, or undefined; the caller decides whether that fails a read or is
// one problem in a report.

export const CHUNK_ID = /^[0-9a-f]{64}$/;
export const PACK_ID = /^[0-9a-f]{32}$/;
export const SNAPSHOT_ID = /^[0-9a-f]{32}$/;
/** What a snapshot's meta names are: Kubernetes names (DNS subdomains; labels are a subset). */
const NAME = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const MIB = 1024 * 1024;
/** Largest chunk any chunker setting may make: a chunk is held whole while it is sealed or opened. */
const MAX_CHUNK = 64 * MIB;
/** scrypt settings a config may ask for: up to 4× the memory (32 MiB) and work of the ones we write. */
const MAX_SCRYPT_MEMORY = 128 * MIB;
const MAX_SCRYPT_WORK = 2 ** 20;

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number => Number.isSafeInteger(value) && (value as number) >= 0;
const isHex = (value: unknown, minBytes: number, maxBytes: number): value is string =>
  typeof value === 'string' && value.length >= 2 * minBytes && value.length <= 2 * maxBytes && /^([0-9a-f]{2})+$/.test(value);

/** Text from an object or a parser, made safe for a one-line message: printable ASCII, short. */
export function printable(text: string, max = 80): string {
  const clean = text.replace(/[^\x20-\x7e]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}...` : clean;
}

/** A stored value in a message: numbers and strings as JSON (shortened), anything else by its type. */
export function shown(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return printable(JSON.stringify(value), 40);
  if (value === null) return 'null';
  if (value === undefined) return '(missing)';
  return Array.isArray(value) ? '(a list)' : typeof value === 'object' ? '(an object)' : `(a ${typeof value})`;
}

export function parseJson(bytes: Buffer): { value: unknown; problem?: undefined } | { value?: undefined; problem: string } {
  try {
    return { value: JSON.parse(bytes.toString('utf8')) };
  } catch (error) {
    return { problem: `it is not JSON (${printable(String((error as Error).message))})` };
  }
}

function scryptProblem(e: Json): string | undefined {
  if (e.kdf !== 'scrypt') return `its key derivation ${shown(e.kdf)} is not scrypt`;
  if (!isHex(e.salt, 8, 64)) return 'its scrypt salt is not hex';
  const { N, r, p } = e;
  if (!isCount(N) || N < 2 || (N & (N - 1)) !== 0 || !isCount(r) || r < 1 || !isCount(p) || p < 1) return `its scrypt settings N=${shown(N)} r=${shown(r)} p=${shown(p)} are not valid`;
  if (128 * N * r > MAX_SCRYPT_MEMORY || N * r * p > MAX_SCRYPT_WORK) return `its scrypt settings N=${N} r=${r} p=${p} ask for more memory or work than any repository is made with`;
  if (!isHex(e.keyCheck, 32, 32)) return 'its key check is not 64 hex digits';
  return undefined;
}

/** What is wrong with a config.json of the current version (checked by the caller), if anything. */
export function configProblem(config: Json): string | undefined {
  const c = config.chunker;
  if (!isObject(c)) return 'it has no chunker settings';
  const { minSize, avgSize, maxSize } = c;
  if (!isCount(minSize) || !isCount(avgSize) || !isCount(maxSize) || !(64 <= minSize && minSize <= avgSize && avgSize <= maxSize && maxSize <= MAX_CHUNK)) {
    return `its chunk sizes ${shown(minSize)}/${shown(avgSize)}/${shown(maxSize)} are not 64 <= min <= average <= max <= 64 MiB`;
  }
  if (typeof c.seed !== 'string' || c.seed.length < 1 || c.seed.length > 128) return 'it has no chunker seed';
  if (!isCount(config.packSize) || config.packSize < 1024 || config.packSize > 1024 * MIB) return `its pack size ${shown(config.packSize)} is not 1 KiB to 1 GiB`;
  if (config.compression !== 'zstd') return `its compression ${shown(config.compression)} is not zstd`;
  if (config.encryption === null) return undefined;
  if (!isObject(config.encryption)) return `its encryption is ${shown(config.encryption)}`;
  return scryptProblem(config.encryption);
}

/** What is wrong with the index of `pack`, if anything; `maxBlob` is the largest sealed chunk. */
export function packIndexProblem(index: unknown, pack: string, maxBlob: number): string | undefined {
  if (!PACK_ID.test(pack)) return `${shown(pack)} is not a pack id`;
  if (!isObject(index)) return `it is ${shown(index)}, not an object`;
  if (index.pack !== pack) return typeof index.pack === 'string' && PACK_ID.test(index.pack) ? `it is the index of another pack (${index.pack})` : `its pack id ${shown(index.pack)} is not a pack id`;
  if (!Array.isArray(index.blobs)) return 'it has no list of blobs';
  for (const [i, entry] of index.blobs.entries()) {
    if (!Array.isArray(entry) || entry.length !== 3) return `blob ${i} is not [chunk id, offset, length]`;
    const [id, offset, length] = entry as unknown[];
    if (typeof id !== 'string' || !CHUNK_ID.test(id)) return `blob ${i} has no chunk id (${shown(id)})`;
    if (!isCount(offset)) return `blob ${i} (chunk ${id}) has offset ${shown(offset)}`;
    if (!isCount(length) || length < 1 || length > maxBlob) return `blob ${i} (chunk ${id}) has length ${shown(length)}, not 1 to ${maxBlob}`;
  }
  return undefined;
}

/** What is wrong with the manifest stored as snapshot `id`, if anything. */
export function manifestProblem(manifest: unknown, id: string): string | undefined {
  if (!isObject(manifest)) return `it is ${shown(manifest)}, not an object`;
  if (manifest.id !== id) return typeof manifest.id === 'string' && SNAPSHOT_ID.test(manifest.id) ? `it says it is snapshot ${manifest.id}` : `its id ${shown(manifest.id)} is not a snapshot id`;
  const meta = manifest.meta;
  if (!isObject(meta)) return 'it has no meta (backup, namespace, pod, volume)';
  for (const field of ['backup', 'namespace', 'pod', 'volume']) {
    if (typeof meta[field] !== 'string' || !NAME.test(meta[field])) return `its ${field} ${shown(meta[field])} is not a Kubernetes name`;
  }
  if (typeof manifest.created !== 'string' || manifest.created.length > 40 || Number.isNaN(Date.parse(manifest.created))) return `its creation time ${shown(manifest.created)} is not a date`;
  const { totalBytes, chunks, chunkList } = manifest;
  if (!isCount(totalBytes)) return `its size ${shown(totalBytes)} is not a byte count`;
  if (!isCount(chunks)) return `its chunk count ${shown(chunks)} is not a count`;
  if (!Array.isArray(chunkList)) return 'it has no chunk list';
  if (chunkList.length !== chunks) return `it says ${chunks} chunks but lists ${chunkList.length}`;
  let sum = 0;
  for (const [i, entry] of chunkList.entries()) {
    if (!Array.isArray(entry) || entry.length !== 2) return `chunk ${i} is not [chunk id, size]`;
    const [chunk, size] = entry as unknown[];
    if (typeof chunk !== 'string' || !CHUNK_ID.test(chunk)) return `chunk ${i} has no chunk id (${shown(chunk)})`;
    if (!isCount(size) || size > MAX_CHUNK) return `chunk ${i} (${chunk}) has size ${shown(size)}`;
    sum += size;
  }
  if (sum !== totalBytes) return `its chunks add up to ${sum} bytes, not the ${totalBytes} it says`;
  return undefined;
}

/** A lock writers and prune write: { kind, time }, the time a date can hold. */
export function isLock(value: unknown): value is { kind: 'write' | 'prune'; time: number } {
  return isObject(value) && (value.kind === 'write' || value.kind === 'prune') && Number.isSafeInteger(value.time) && Math.abs(value.time as number) <= 8.64e15;
}
