// The content-addressed, deduplicated repository that holds file-system volume data (our own
// format, in the spirit of restic and kopia). It lives in the backup storage location under
// plugins/kubectl-velero/repo/ — Velero fails a location with unknown top-level folders:
//   config.json                  format version, chunker seed and sizes, pack size, compression, encryption
//   packs/<2 hex>/<pack>         chunks (blobs) back to back, each zstd, then AES-256-GCM with a key
//   index/<pack>.json            where each blob of a pack is: [chunk id, offset, length]
//   snapshots/<id>.json          one manifest per volume backup: what it is, its chunks in order
//   locks/<id>.json              writers and prune (see below)
// Order of writes: a pack, then its index, then (once every pack it needs is indexed) a snapshot's
// manifest — so an index never points into a missing pack and a manifest never lists a chunk that
// was not stored. Manifests and indexes are plain JSON (ids, sizes, offsets, no content), so listing
// and deleting snapshots needs no key.
//
// Writers and prune: a writer holds a lock object while it writes (refreshed every few minutes);
// prune refuses to run while a fresh writer lock exists, and writers refuse to start while a prune
// lock is fresh — so prune never deletes a chunk a running backup counted as already stored. Each
// writes its own lock first and only then looks for the others (restic's order): two that start
// at the same instant each see the other and both back off, where looking first let both pass.
// A lock not refreshed for 15 minutes is stale (its process died) and ignored.
import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { pool } from '../../collections/pool.ts';
import { type ObjectStore, ObjectNotFoundError } from '../../storage/object-store.ts';
import { readAll, readIfExists } from '../../storage/object-reads.ts';
import { REPO_PREFIX, repoKeys } from '../../storage/layout.ts';
import { Chunker, DEFAULT_CHUNKER, type ChunkerParams } from './chunker.ts';
import { type IndexEntry, type PackIndex, PackWriter } from './pack-writer.ts';
import { ChunkCorruptError, type EncryptionConfig, maxSealedSize, Sealer } from './sealing.ts';
import { configProblem, isLock, manifestProblem, packIndexProblem, parseJson, printable, shown, SNAPSHOT_ID } from './stored-json.ts';
import { TarBoundaryTracker } from './tar-boundaries.ts';

const CONFIG_KEY = repoKeys.config;
const PACKS = repoKeys.packs;
const INDEX = repoKeys.indexes;
const SNAPSHOTS = repoKeys.snapshots;
const LOCKS = repoKeys.locks;
const LOCK_FRESH_MS = 15 * 60_000;
const LOCK_REFRESH_MS = 5 * 60_000;
const FORMAT_VERSION = 2;
/** 8 MiB packs: few PUTs, and a restore reads a run of a snapshot's chunks in one ranged GET. */
const DEFAULT_PACK_SIZE = 8 * 1024 * 1024;
/** Largest ranged GET of a restore; with the read-ahead, what a restore holds in memory. */
const READ_RUN_BYTES = 4 * 1024 * 1024;
/** Chunks sealed (compressed, encrypted) ahead of the one being packed. */
const SEAL_AHEAD = 8;

export interface RepositoryOptions {
  store: ObjectStore;
  /** Make the repository when the location has none (backups); false for check, prune and listing. */
  create?: boolean;
  encryptionKey?: Buffer;
  uploadConcurrency?: number;
  /** Chunk sizes for a new repository (tests use small ones). */
  chunker?: ChunkerParams;
  /** Pack size for a new repository (tests use small ones). */
  packSize?: number;
}

export interface SnapshotMeta {
  backup: string;
  namespace: string;
  pod: string;
  volume: string;
}

export interface SnapshotSummary {
  id: string;
  totalBytes: number;
  chunks: number;
  newChunks: number;
  /** Uncompressed size of the chunks that were not stored yet. */
  newBytes: number;
  /** Bytes PUT: packs of the new chunks (compressed, maybe encrypted), their indexes and the manifest. */
  uploadedBytes: number;
}

export interface SnapshotInfo {
  id: string;
  meta: SnapshotMeta;
  totalBytes: number;
  created: string;
  chunks: number;
}

interface Manifest extends SnapshotInfo {
  /** [id, plaintext size] in stream order. */
  chunkList: [string, number][];
}

interface RepoConfig {
  version: typeof FORMAT_VERSION;
  id: string;
  created: string;
  chunker: ChunkerParams & { seed: string };
  packSize: number;
  compression: 'zstd';
  encryption: EncryptionConfig | null;
}

export interface CheckProblem {
  snapshot: string;
  backup: string;
  chunk?: string;
  problem: string;
}

export interface CheckReport {
  snapshots: number;
  packs: number;
  chunks: number;
  chunksRead: number;
  problems: CheckProblem[];
}

export interface PruneReport {
  chunksKept: number;
  chunksDeleted: number;
  packsDeleted: number;
  /** Packs copied without their unused chunks, then deleted. */
  packsRewritten: number;
}

export class RepositoryKeyError extends Error {}
export class RepositoryCorruptError extends Error {}
export class RepositoryLockedError extends Error {}
export class RepositoryNotFoundError extends Error {}
/** A tar stream given to writeSnapshot (opts.tar) ended before its end-of-archive block. */
export class TruncatedTarError extends Error {}

/** Refuses a location that holds no repository, writing nothing. */
export async function assertRepositoryExists(store: ObjectStore): Promise<void> {
  if (!(await store.exists(CONFIG_KEY))) throw new RepositoryNotFoundError(`there is no volume repository in ${store.describe()}: no backup has stored volume data there`);
}

const packKey = repoKeys.pack;
const indexKey = repoKeys.index;
const LAYOUT = { packKey, indexKey };
const snapshotKey = repoKeys.snapshot;

/** config.json, checked: a damaged one is an error that names what is wrong, never a new repository. */
function parseConfig(raw: Buffer, where: string): RepoConfig {
  const damaged = (problem: string) => new RepositoryCorruptError(`the config.json of the volume repository in ${where} is damaged: ${problem}`);
  const parsed = parseJson(raw);
  if (parsed.problem !== undefined) throw damaged(parsed.problem);
  const config = parsed.value;
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw damaged(`it is ${shown(config)}, not an object`);
  const { version } = config as { version?: unknown };
  if (version !== FORMAT_VERSION) throw new RepositoryCorruptError(`the volume repository in ${where} has format version ${shown(version)}; this kubectl-velero reads version ${FORMAT_VERSION}`);
  const problem = configProblem(config as Record<string, unknown>);
  if (problem) throw damaged(problem);
  return config as RepoConfig;
}

/** Anything under the repository's folder: packs, indexes or snapshots that need their config.json. */
async function holdsRepositoryObjects(store: ObjectStore): Promise<boolean> {
  for await (const key of store.list(REPO_PREFIX)) if (key !== CONFIG_KEY) return true;
  return false;
}

export async function openRepository(opts: RepositoryOptions): Promise<Repository> {
  const where = opts.store.describe();
  const raw = await readIfExists(opts.store, CONFIG_KEY);
  let config: RepoConfig;
  let sealer: Sealer;
  if (!raw) {
    // A new config would get a new chunker seed and key salt: an encrypted repository's data
    // could never be read again. The old one has to come back instead.
    if (await holdsRepositoryObjects(opts.store)) throw new RepositoryCorruptError(`the volume repository in ${where} has no config.json but holds packs, indexes or snapshots: restore config.json from a copy of the location`);
    if (opts.create === false) await assertRepositoryExists(opts.store);
    let encryption: EncryptionConfig | null = null;
    if (opts.encryptionKey) {
      const made = Sealer.newEncryption(opts.encryptionKey);
      sealer = made.sealer;
      encryption = made.config;
    } else sealer = Sealer.plain();
    config = { version: FORMAT_VERSION, id: randomUUID(), created: new Date().toISOString(), chunker: { ...(opts.chunker ?? DEFAULT_CHUNKER), seed: randomBytes(16).toString('hex') }, packSize: opts.packSize ?? DEFAULT_PACK_SIZE, compression: 'zstd', encryption };
    await opts.store.put(CONFIG_KEY, JSON.stringify(config, null, 2), { contentType: 'application/json' });
  } else {
    config = parseConfig(raw, where);
    if (config.encryption) {
      if (!opts.encryptionKey) throw new RepositoryKeyError(`the volume repository in ${where} is encrypted: pass --encryption-key-file`);
      const opened = Sealer.openEncryption(opts.encryptionKey, config.encryption);
      if (!opened) throw new RepositoryKeyError(`the --encryption-key-file does not open the volume repository in ${where} (wrong key)`);
      sealer = opened;
    } else {
      if (opts.encryptionKey) throw new RepositoryKeyError(`the volume repository in ${where} is not encrypted (it was made without --encryption-key-file): drop the flag, or use another storage location`);
      sealer = Sealer.plain();
    }
  }
  return new Repository(opts.store, config, sealer, opts.uploadConcurrency ?? 4);
}

const snapshotIdOf = (key: string) => key.slice(SNAPSHOTS.length, -'.json'.length);

/** A snapshot's manifest, checked: undefined when it is gone, else the manifest or what is damaged. */
async function readManifest(store: ObjectStore, key: string): Promise<{ manifest: Manifest } | { damage: string } | undefined> {
  const raw = await readIfExists(store, key);
  if (!raw) return undefined;
  const parsed = parseJson(raw);
  const damage = parsed.problem ?? manifestProblem(parsed.value, snapshotIdOf(key));
  return damage ? { damage } : { manifest: parsed.value as Manifest };
}

function manifestDamaged(store: ObjectStore, key: string, damage: string): RepositoryCorruptError {
  return new RepositoryCorruptError(`the snapshot manifest ${printable(key, 160)} in ${store.describe()} is damaged: ${damage}; run repo check`);
}

/** Snapshots of a location's repository without opening it (no key needed): listing and deleting. */
export async function* listSnapshots(store: ObjectStore): AsyncIterable<SnapshotInfo> {
  for await (const key of store.list(SNAPSHOTS)) {
    if (!key.endsWith('.json')) continue;
    const read = await readManifest(store, key);
    if (!read) continue;
    if ('damage' in read) throw manifestDamaged(store, key, read.damage);
    const { manifest } = read;
    yield { id: manifest.id, meta: manifest.meta, totalBytes: manifest.totalBytes, created: manifest.created, chunks: manifest.chunks };
  }
}

/**
 * Drops the snapshots of a backup (their chunks go at the next prune). No key needed. A damaged
 * manifest stays: whose it is cannot be told (repo check names it, and prune waits for it).
 */
export async function deleteSnapshotsOfBackup(store: ObjectStore, backup: string): Promise<number> {
  let deleted = 0;
  for await (const key of store.list(SNAPSHOTS)) {
    if (!key.endsWith('.json')) continue;
    const read = await readManifest(store, key);
    if (!read || 'damage' in read || read.manifest.meta.backup !== backup) continue;
    await store.delete(key);
    deleted++;
  }
  return deleted;
}

/** Where a chunk is stored. */
interface BlobLocation {
  pack: string;
  offset: number;
  length: number;
}

/** A contiguous stretch of one pack that a restore reads with one ranged GET. */
interface ReadRun {
  pack: string;
  start: number;
  end: number;
  blobs: (BlobLocation & { id: string })[];
}

export class Repository {
  private index: Promise<Map<string, BlobLocation>> | undefined;
  /** Chunks of packs still uploading, by id: another snapshot that dedups against one waits for it. */
  private readonly uploading = new Map<string, Promise<void>>();

  constructor(
    private readonly store: ObjectStore,
    private readonly config: RepoConfig,
    private readonly sealer: Sealer,
    private readonly concurrency: number,
  ) {}

  get encrypted(): boolean {
    return this.sealer.encrypted;
  }

  describe(): string {
    return `${this.store.describe()} (${REPO_PREFIX})`;
  }

  /** Every stored chunk's location, from the pack indexes, read once per open repository. */
  private blobs(): Promise<Map<string, BlobLocation>> {
    this.index ??= this.readIndex().catch((error: unknown) => {
      this.index = undefined;
      throw error;
    });
    return this.index;
  }

  private async readIndex(): Promise<Map<string, BlobLocation>> {
    const locations = new Map<string, BlobLocation>();
    for (const index of await this.packIndexes()) {
      for (const [id, offset, length] of index.blobs) if (!locations.has(id)) locations.set(id, { pack: index.pack, offset, length });
    }
    return locations;
  }

  /**
   * The index objects, read `concurrency` at a time, in the order they are listed (where two list
   * a chunk, the first is where it is read). A damaged one is an error naming it.
   */
  private async packIndexes(): Promise<PackIndex[]> {
    const keys: string[] = [];
    for await (const key of this.store.list(INDEX)) if (key.endsWith('.json')) keys.push(key);
    const out: (PackIndex | undefined)[] = [];
    const maxBlob = maxSealedSize(this.config.chunker.maxSize);
    await pool([...keys.keys()], this.concurrency * 2, async (i) => {
      const key = keys[i]!;
      const raw = await readIfExists(this.store, key);
      if (!raw) return;
      const parsed = parseJson(raw);
      const problem = parsed.problem ?? packIndexProblem(parsed.value, key.slice(INDEX.length, -'.json'.length), maxBlob);
      if (problem) throw new RepositoryCorruptError(`the pack index ${printable(key, 160)} in ${this.describe()} is damaged: ${problem}`);
      out[i] = parsed.value as PackIndex;
    });
    return out.filter((index) => index !== undefined);
  }

  async writeSnapshot(source: AsyncIterable<Uint8Array>, meta: SnapshotMeta, opts: { onProgress?(bytesRead: number): void; signal?: AbortSignal; tar?: boolean } = {}): Promise<SnapshotSummary> {
    const lock = await this.lock('write');
    const packs = new PackWriter(this.store, LAYOUT, { packSize: this.config.packSize, concurrency: this.concurrency, signal: opts.signal });
    /** Chunks being sealed, in stream order: each goes into the pack once sealed. */
    const sealing: { id: string; sealed: Promise<Buffer>; settle: { resolve(): void; reject(e: unknown): void } }[] = [];
    const known = await this.blobs().catch(async (error: unknown) => {
      await lock.release();
      throw error;
    });
    try {
      const chunker = new Chunker(this.config.chunker.seed, this.config.chunker);
      // A tar stream is cut where each entry's header and content start: a changed mtime changes
      // a 512-byte header chunk, not the first chunk of the file's content.
      const boundaries = opts.tar ? new TarBoundaryTracker() : undefined;
      const chunkList: [string, number][] = [];
      let totalBytes = 0;
      let newChunks = 0;
      let newBytes = 0;

      /** Chunks this snapshot dedups against while they are still uploading (this or another snapshot). */
      const borrowed: Promise<void>[] = [];
      const pack = async (entry: (typeof sealing)[number]) => {
        const where = await packs.add(entry.id, await entry.sealed);
        known.set(entry.id, { pack: where.pack, offset: where.offset, length: where.length });
        where.stored.then(entry.settle.resolve, entry.settle.reject);
      };
      const store = async (chunk: Buffer) => {
        const id = this.sealer.id(chunk);
        chunkList.push([id, chunk.length]);
        if (known.has(id) || this.uploading.has(id)) {
          const pending = this.uploading.get(id);
          if (pending) borrowed.push(pending);
          return;
        }
        newChunks++;
        newBytes += chunk.length;
        let settle!: (typeof sealing)[number]['settle'];
        const stored = new Promise<void>((resolve, reject) => (settle = { resolve, reject }));
        stored.catch(() => undefined);
        // Counted as stored from now on: the same chunk twice in one stream is packed once.
        this.uploading.set(id, stored);
        const done = () => this.uploading.delete(id);
        stored.then(done, () => {
          done();
          known.delete(id);
        });
        const sealed = this.sealer.seal(chunk);
        sealed.catch(() => undefined);
        sealing.push({ id, sealed, settle });
        // Bounded: at most SEAL_AHEAD chunks sealed ahead of the pack; the source waits.
        while (sealing.length > SEAL_AHEAD) await pack(sealing.shift()!);
      };
      const feed = async (data: Buffer) => {
        for (const chunk of chunker.push(data)) await store(chunk);
      };

      for await (const data of source) {
        if (opts.signal?.aborted) throw new Error('snapshot cancelled');
        const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
        totalBytes += buf.length;
        let at = 0;
        for (const cut of boundaries?.push(buf) ?? []) {
          if (cut > at) await feed(buf.subarray(at, cut));
          for (const chunk of chunker.cut()) await store(chunk);
          at = cut;
        }
        await feed(at ? buf.subarray(at) : buf);
        opts.onProgress?.(totalBytes);
      }
      // A tar stream that stops inside the archive was cut on its way (whoever wrote it said it
      // ended well): kept, it would be a snapshot that no restore can extract.
      if (boundaries?.where === 'inside') throw new TruncatedTarError(`the tar stream ended after ${totalBytes} bytes, inside the archive (no end-of-archive block): it was cut short on its way, and is not kept as a snapshot`);
      for (const chunk of chunker.end()) await store(chunk);
      while (sealing.length) await pack(sealing.shift()!);
      await packs.flush();
      // A manifest never lists a chunk that is not stored: wait for those another snapshot uploads.
      await Promise.all(borrowed);

      const created = new Date().toISOString();
      const id = randomBytes(16).toString('hex');
      const manifest: Manifest = { id, meta, totalBytes, created, chunks: chunkList.length, chunkList };
      const body = JSON.stringify(manifest);
      await this.store.put(snapshotKey(id), body, { contentType: 'application/json', signal: opts.signal });
      return { id, totalBytes, chunks: chunkList.length, newChunks, newBytes, uploadedBytes: packs.uploadedBytes + Buffer.byteLength(body) };
    } catch (error) {
      // Whoever waits for a chunk this snapshot had not stored yet hears of the failure.
      packs.abort(error);
      for (const entry of sealing.splice(0)) entry.settle.reject(error);
      throw error;
    } finally {
      await lock.release();
    }
  }

  private async manifest(id: string): Promise<Manifest> {
    if (!SNAPSHOT_ID.test(id)) throw new RepositoryCorruptError(`"${printable(id)}" is not a snapshot id`);
    const read = await readManifest(this.store, snapshotKey(id));
    if (!read) throw new RepositoryCorruptError(`snapshot ${id} is not in the volume repository ${this.describe()}`);
    if ('damage' in read) throw manifestDamaged(this.store, snapshotKey(id), read.damage);
    return read.manifest;
  }

  /** The snapshot's chunks as ranged reads of their packs: adjacent blobs of one pack in one GET. */
  private async readRuns(snapshot: string, manifest: Manifest): Promise<ReadRun[]> {
    const locations = await this.blobs();
    const runs: ReadRun[] = [];
    let run: ReadRun | undefined;
    for (const [chunk] of manifest.chunkList) {
      const at = locations.get(chunk);
      if (!at) throw new RepositoryCorruptError(`snapshot ${snapshot} needs chunk ${chunk}, which is missing from the volume repository`);
      if (run && run.pack === at.pack && run.end === at.offset && run.end - run.start + at.length <= READ_RUN_BYTES) {
        run.end += at.length;
        run.blobs.push({ id: chunk, ...at });
      } else {
        run = { pack: at.pack, start: at.offset, end: at.offset + at.length, blobs: [{ id: chunk, ...at }] };
        runs.push(run);
      }
    }
    return runs;
  }

  /** One run's plaintext chunks, each verified (GCM tag, decompression, id). */
  private async readRun(snapshot: string, run: ReadRun, signal?: AbortSignal): Promise<Buffer[]> {
    let bytes: Buffer;
    try {
      bytes = await this.store.getRange(packKey(run.pack), run.start, run.end - run.start, signal);
    } catch (error) {
      if (error instanceof ObjectNotFoundError) throw new RepositoryCorruptError(`snapshot ${snapshot} needs chunk ${run.blobs[0]!.id} of pack ${run.pack}, which is missing from the volume repository`);
      throw error;
    }
    const out: Buffer[] = [];
    for (const blob of run.blobs) {
      const stored = bytes.subarray(blob.offset - run.start, blob.offset - run.start + blob.length);
      if (stored.length !== blob.length) throw new RepositoryCorruptError(`snapshot ${snapshot}: chunk ${blob.id} is cut short (pack ${run.pack} is shorter than its index says)`);
      try {
        out.push(await this.sealer.open(blob.id, stored));
      } catch (error) {
        if (error instanceof ChunkCorruptError) throw new RepositoryCorruptError(`snapshot ${snapshot}: ${error.message}`);
        throw error;
      }
    }
    return out;
  }

  /**
   * The snapshot's bytes as written, with a small read-ahead; every chunk is verified. A chunk that
   * no index lists fails the read before any byte is produced.
   */
  readSnapshot(id: string, opts: { signal?: AbortSignal } = {}): Readable {
    const self = this;
    const readAhead = Math.max(2, Math.min(this.concurrency, 4));
    async function* chunks(): AsyncGenerator<Buffer> {
      const runs = await self.readRuns(id, await self.manifest(id));
      const pending: Promise<Buffer[]>[] = [];
      let next = 0;
      const fill = () => {
        while (pending.length < readAhead && next < runs.length) {
          const p = self.readRun(id, runs[next++]!, opts.signal);
          p.catch(() => undefined);
          pending.push(p);
        }
      };
      fill();
      while (pending.length) {
        if (opts.signal?.aborted) throw new Error('restore of the snapshot cancelled');
        const got = await pending.shift()!;
        fill();
        yield* got;
      }
    }
    return Readable.from(chunks(), { objectMode: false, highWaterMark: 1 << 20 });
  }

  snapshots(): AsyncIterable<SnapshotInfo> {
    return listSnapshots(this.store);
  }

  deleteSnapshotsOfBackup(backup: string): Promise<number> {
    return deleteSnapshotsOfBackup(this.store, backup);
  }

  /** Which chunks the snapshots use, and by whom; and the manifests too damaged to tell. */
  private async chunkUsers(): Promise<{ snapshots: number; users: Map<string, { snapshot: string; backup: string }[]>; damaged: { key: string; snapshot: string; damage: string }[] }> {
    const users = new Map<string, { snapshot: string; backup: string }[]>();
    const damaged: { key: string; snapshot: string; damage: string }[] = [];
    let snapshots = 0;
    for await (const key of this.store.list(SNAPSHOTS)) {
      if (!key.endsWith('.json')) continue;
      const read = await readManifest(this.store, key);
      if (!read) continue;
      snapshots++;
      if ('damage' in read) {
        damaged.push({ key, snapshot: printable(snapshotIdOf(key)), damage: read.damage });
        continue;
      }
      const m = read.manifest;
      for (const [chunk] of m.chunkList) {
        const list = users.get(chunk) ?? [];
        if (!list.some((u) => u.snapshot === m.id)) list.push({ snapshot: m.id, backup: m.meta.backup });
        users.set(chunk, list);
      }
    }
    return { snapshots, users, damaged };
  }

  private async storedPacks(): Promise<Set<string>> {
    const packs = new Set<string>();
    for await (const key of this.store.list(PACKS)) packs.add(key.slice(key.lastIndexOf('/') + 1));
    return packs;
  }

  /**
   * Every chunk each snapshot needs is indexed and its pack exists, and (reading data) each opens
   * and hashes right. A missing pack is one problem per snapshot, not one per chunk.
   */
  async check(opts: { readData?: boolean } = {}): Promise<CheckReport> {
    const { snapshots, users, damaged } = await this.chunkUsers();
    this.index = undefined; // what is stored now, not what this process read earlier
    const locations = await this.blobs();
    const packs = await this.storedPacks();
    const problems: CheckProblem[] = damaged.map((d) => ({ snapshot: d.snapshot, backup: 'unknown', problem: `its manifest is damaged: ${d.damage}` }));
    const missingPacks = new Map<string, { user: { snapshot: string; backup: string }; pack: string; chunk: string; count: number }>();
    const toRead = new Map<string, string[]>();
    for (const [chunk, list] of users) {
      const at = locations.get(chunk);
      if (!at) {
        for (const u of list) problems.push({ ...u, chunk, problem: 'chunk missing (no pack index lists it)' });
      } else if (!packs.has(at.pack)) {
        for (const u of list) {
          const key = `${u.snapshot}/${at.pack}`;
          const seen = missingPacks.get(key);
          if (seen) seen.count++;
          else missingPacks.set(key, { user: u, pack: at.pack, chunk, count: 1 });
        }
      } else if (opts.readData !== false) {
        const list2 = toRead.get(at.pack) ?? [];
        list2.push(chunk);
        toRead.set(at.pack, list2);
      }
    }
    for (const m of missingPacks.values()) problems.push({ ...m.user, chunk: m.chunk, problem: `pack ${m.pack} is missing (${m.count} chunks the snapshot needs)` });
    let chunksRead = 0;
    await pool([...toRead], this.concurrency, async ([pack, chunks]) => {
      const bytes = await readAll(await this.store.get(packKey(pack)));
      for (const chunk of chunks) {
        const at = locations.get(chunk)!;
        const stored = bytes.subarray(at.offset, at.offset + at.length);
        try {
          if (stored.length !== at.length) throw new Error(`chunk ${chunk} is cut short (pack ${pack} is shorter than its index says)`);
          await this.sealer.open(chunk, stored);
        } catch (error) {
          for (const u of users.get(chunk)!) problems.push({ ...u, chunk, problem: (error as Error).message });
        }
        chunksRead++;
      }
    });
    problems.sort((a, b) => a.snapshot.localeCompare(b.snapshot) || String(a.chunk).localeCompare(String(b.chunk)));
    return { snapshots, packs: packs.size, chunks: locations.size, chunksRead, problems };
  }

  /**
   * Deletes every chunk no snapshot uses: packs with no used chunk go, a pack with some is rewritten
   * without the others, and packs without an index (left by a writer that died between the two) go
   * too. Refuses while a backup is writing.
   */
  async prune(): Promise<PruneReport> {
    const lock = await this.lock('prune');
    try {
      const { users, damaged } = await this.chunkUsers();
      // Which chunks a damaged manifest needs is unknown: pruning now could delete them.
      if (damaged.length) throw new RepositoryCorruptError(`prune stopped: the snapshot manifest ${printable(damaged[0]!.key, 160)}${damaged.length > 1 ? ` (and ${damaged.length - 1} more)` : ''} is damaged (${damaged[0]!.damage}); run repo check, then restore or delete it`);
      const indexes = await this.packIndexes();
      const report: PruneReport = { chunksKept: 0, chunksDeleted: 0, packsDeleted: 0, packsRewritten: 0 };
      const indexed = new Set(indexes.map((i) => i.pack));
      // A chunk that two indexes list (two writers stored it at once, or an entry is damaged) is
      // read from the first one (readIndex): only that copy is kept, so no rewrite puts the other
      // in its place.
      const kept = new Map<string, IndexEntry>();
      for (const index of indexes) for (const entry of index.blobs) if (users.has(entry[0]) && !kept.has(entry[0])) kept.set(entry[0], entry);
      for (const index of indexes) {
        const used = index.blobs.filter((entry) => kept.get(entry[0]) === entry);
        report.chunksKept += used.length;
        if (used.length === index.blobs.length) continue;
        if (used.length) {
          indexed.add(await this.rewritePack(index.pack, used));
          report.packsRewritten++;
        }
        // The index first: a pack without an index is garbage the next prune removes; an index
        // without its pack would be a damaged repository.
        await this.store.delete(indexKey(index.pack));
        await this.store.delete(packKey(index.pack));
        report.chunksDeleted += index.blobs.length - used.length;
        if (!used.length) report.packsDeleted++;
      }
      for (const pack of await this.storedPacks()) {
        if (indexed.has(pack)) continue;
        await this.store.delete(packKey(pack));
        report.packsDeleted++;
      }
      this.index = undefined;
      return report;
    } finally {
      await lock.release();
    }
  }

  /** Copies a pack's `used` blobs into a new pack (and index) of their own; returns the new pack's id. */
  private async rewritePack(pack: string, used: IndexEntry[]): Promise<string> {
    let bytes: Buffer;
    try {
      bytes = await readAll(await this.store.get(packKey(pack)));
    } catch (error) {
      if (error instanceof ObjectNotFoundError) throw new RepositoryCorruptError(`prune stopped: pack ${pack} is missing, and snapshots need chunks of it: run repo check`);
      throw error;
    }
    const writer = new PackWriter(this.store, LAYOUT, { packSize: Number.MAX_SAFE_INTEGER, concurrency: 1 });
    let copy = '';
    for (const [id, offset, length] of used) {
      const blob = bytes.subarray(offset, offset + length);
      if (blob.length !== length) throw new RepositoryCorruptError(`pack ${pack} is shorter than its index says (chunk ${id}): run repo check`);
      copy = (await writer.add(id, blob)).pack;
    }
    await writer.flush();
    return copy;
  }

  /** A lock another process wrote; undefined when it is gone or is not a lock (damaged: no process holds it). */
  private async readLock(key: string): Promise<{ kind: string; time: number } | undefined> {
    const raw = await readIfExists(this.store, key);
    const parsed = raw && parseJson(raw);
    return parsed && isLock(parsed.value) ? parsed.value : undefined;
  }

  /** A lock object; refuses when the other kind holds a fresh one. */
  private async lock(kind: 'write' | 'prune'): Promise<{ release(): Promise<void> }> {
    const key = repoKeys.lock(randomUUID());
    const write = () => this.store.put(key, JSON.stringify({ kind, time: Date.now() }), { contentType: 'application/json' });
    await write();
    const release = async () => {
      clearInterval(refresh);
      await this.store.delete(key).catch(() => undefined);
    };
    const refresh = setInterval(() => void write().catch(() => undefined), LOCK_REFRESH_MS);
    refresh.unref();
    try {
      const now = Date.now();
      for await (const other of this.store.list(LOCKS)) {
        if (other === key) continue;
        const held = await this.readLock(other);
        if (!held || now - held.time > LOCK_FRESH_MS) continue;
        if (kind === 'prune') throw new RepositoryLockedError(`the volume repository is in use (${held.kind} lock ${printable(other.slice(LOCKS.length))} from ${new Date(held.time).toISOString()}): prune again when no backup is running`);
        if (held.kind === 'prune') throw new RepositoryLockedError(`the volume repository is being pruned (since ${new Date(held.time).toISOString()}): back up again when it is done`);
      }
    } catch (error) {
      await release();
      throw error;
    }
    return { release };
  }
}
