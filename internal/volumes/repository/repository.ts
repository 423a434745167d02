// The content-addressed, deduplicated repository that holds file-system volume data (our own
// format, in the spirit of restic and kopia). It lives in the backup storage location under
// plugins/kubectl-velero/repo/ — Velero fails a location with unknown top-level folders:
//   config.json                  chunker seed and sizes, compression, encryption parameters
//   chunks/<2 hex>/<id>          one object per chunk: zstd, then AES-256-GCM with a key
//   snapshots/<id>.json          one manifest per volume backup: what it is, its chunks in order
//   locks/<id>.json              writers and prune (see below)
// A snapshot's manifest is written after every chunk it lists is stored, so a manifest never
// refers to a chunk that was not uploaded. Manifests are plain JSON (ids and sizes, no content),
// so listing and deleting snapshots needs no key.
//
// Writers and prune: a writer holds a lock object while it writes (refreshed every few minutes);
// prune refuses to run while a fresh writer lock exists, and writers refuse to start while a prune
// lock is fresh — so prune never deletes a chunk a running backup counted as already stored.
import { randomBytes, randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import { type ObjectStore, ObjectNotFoundError } from '../../storage/object-store.ts';
import { readAll, readJsonIfExists } from '../../storage/object-reads.ts';
import { Chunker, DEFAULT_CHUNKER, type ChunkerParams } from './chunker.ts';
import { ChunkCorruptError, type EncryptionConfig, Sealer } from './sealing.ts';

export const REPO_PREFIX = 'plugins/kubectl-velero/repo/';
const CONFIG_KEY = `${REPO_PREFIX}config.json`;
const CHUNKS = `${REPO_PREFIX}chunks/`;
const SNAPSHOTS = `${REPO_PREFIX}snapshots/`;
const LOCKS = `${REPO_PREFIX}locks/`;
const LOCK_FRESH_MS = 15 * 60_000;
const LOCK_REFRESH_MS = 5 * 60_000;

export interface RepositoryOptions {
  store: ObjectStore;
  encryptionKey?: Buffer;
  uploadConcurrency?: number;
  /** Chunk sizes for a new repository (tests use small ones). */
  chunker?: ChunkerParams;
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
  /** Bytes PUT: new chunks (compressed, maybe encrypted) and the manifest. */
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
  version: 1;
  id: string;
  created: string;
  chunker: ChunkerParams & { seed: string };
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
  chunks: number;
  chunksRead: number;
  problems: CheckProblem[];
}

export interface PruneReport {
  chunksKept: number;
  chunksDeleted: number;
}

export class RepositoryKeyError extends Error {}
export class RepositoryCorruptError extends Error {}
export class RepositoryLockedError extends Error {}

const chunkKey = (id: string) => `${CHUNKS}${id.slice(0, 2)}/${id}`;
const snapshotKey = (id: string) => `${SNAPSHOTS}${id}.json`;

export async function openRepository(opts: RepositoryOptions): Promise<Repository> {
  const where = opts.store.describe();
  let config = await readJsonIfExists<RepoConfig>(opts.store, CONFIG_KEY);
  let sealer: Sealer;
  if (!config) {
    let encryption: EncryptionConfig | null = null;
    if (opts.encryptionKey) {
      const made = Sealer.newEncryption(opts.encryptionKey);
      sealer = made.sealer;
      encryption = made.config;
    } else sealer = Sealer.plain();
    config = { version: 1, id: randomUUID(), created: new Date().toISOString(), chunker: { ...(opts.chunker ?? DEFAULT_CHUNKER), seed: randomBytes(16).toString('hex') }, compression: 'zstd', encryption };
    await opts.store.put(CONFIG_KEY, JSON.stringify(config, null, 2), { contentType: 'application/json' });
  } else if (config.encryption) {
    if (!opts.encryptionKey) throw new RepositoryKeyError(`the volume repository in ${where} is encrypted: pass --encryption-key-file`);
    const opened = Sealer.openEncryption(opts.encryptionKey, config.encryption);
    if (!opened) throw new RepositoryKeyError(`the --encryption-key-file does not open the volume repository in ${where} (wrong key)`);
    sealer = opened;
  } else {
    if (opts.encryptionKey) throw new RepositoryKeyError(`the volume repository in ${where} is not encrypted (it was made without --encryption-key-file): drop the flag, or use another storage location`);
    sealer = Sealer.plain();
  }
  return new Repository(opts.store, config, sealer, opts.uploadConcurrency ?? 4);
}

/** Snapshots of a location's repository without opening it (no key needed): listing and deleting. */
export async function* listSnapshots(store: ObjectStore): AsyncIterable<SnapshotInfo> {
  for await (const key of store.list(SNAPSHOTS)) {
    if (!key.endsWith('.json')) continue;
    const manifest = await readJsonIfExists<Manifest>(store, key);
    if (manifest) yield { id: manifest.id, meta: manifest.meta, totalBytes: manifest.totalBytes, created: manifest.created, chunks: manifest.chunks };
  }
}

/** Drops the snapshots of a backup (their chunks go at the next prune). No key needed. */
export async function deleteSnapshotsOfBackup(store: ObjectStore, backup: string): Promise<number> {
  let deleted = 0;
  for await (const s of listSnapshots(store)) {
    if (s.meta.backup !== backup) continue;
    await store.delete(snapshotKey(s.id));
    deleted++;
  }
  return deleted;
}

export class Repository {
  private known: Promise<Set<string>> | undefined;
  /** Chunk uploads in flight, by id: another snapshot that dedups against one waits for it. */
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

  /** Chunk ids in the store, listed once per open repository. */
  private knownChunks(): Promise<Set<string>> {
    return (this.known ??= (async () => {
      const ids = new Set<string>();
      for await (const key of this.store.list(CHUNKS)) ids.add(key.slice(key.lastIndexOf('/') + 1));
      return ids;
    })());
  }

  async writeSnapshot(source: AsyncIterable<Uint8Array>, meta: SnapshotMeta, opts: { onProgress?(bytesRead: number): void; signal?: AbortSignal } = {}): Promise<SnapshotSummary> {
    const lock = await this.lock('write');
    try {
      const known = await this.knownChunks();
      const chunker = new Chunker(this.config.chunker.seed, this.config.chunker);
      const chunkList: [string, number][] = [];
      const inFlight = new Set<Promise<void>>();
      let failure: unknown;
      let totalBytes = 0;
      let newChunks = 0;
      let newBytes = 0;
      let uploadedBytes = 0;

      /** Chunks this snapshot dedups against while another snapshot is still uploading them. */
      const borrowed: Promise<void>[] = [];
      const store = async (chunk: Buffer) => {
        const id = this.sealer.id(chunk);
        chunkList.push([id, chunk.length]);
        if (known.has(id)) {
          const pending = this.uploading.get(id);
          if (pending) borrowed.push(pending);
          return;
        }
        // Counted as known now: the same chunk twice in one stream is uploaded once.
        known.add(id);
        newChunks++;
        newBytes += chunk.length;
        // At most `concurrency` chunks sealed or uploading: the source waits (bounded memory).
        while (inFlight.size >= this.concurrency) await Promise.race(inFlight);
        if (failure) throw failure;
        const put = (async () => {
          const sealed = await this.sealer.seal(chunk);
          await this.store.put(chunkKey(id), sealed, { signal: opts.signal });
          uploadedBytes += sealed.length;
        })();
        this.uploading.set(id, put);
        const upload = put.then(
          () => {
            inFlight.delete(upload);
            this.uploading.delete(id);
          },
          (error: unknown) => {
            inFlight.delete(upload);
            this.uploading.delete(id);
            known.delete(id);
            failure ??= error;
          },
        );
        put.catch(() => undefined);
        inFlight.add(upload);
      };

      for await (const data of source) {
        if (failure) throw failure;
        if (opts.signal?.aborted) throw new Error('snapshot cancelled');
        const buf = Buffer.isBuffer(data) ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
        totalBytes += buf.length;
        for (const chunk of chunker.push(buf)) await store(chunk);
        opts.onProgress?.(totalBytes);
      }
      for (const chunk of chunker.end()) await store(chunk);
      await Promise.all(inFlight);
      if (failure) throw failure;
      // A manifest never lists a chunk that is not stored: wait for those another snapshot uploads.
      await Promise.all(borrowed);

      const created = new Date().toISOString();
      const id = randomBytes(16).toString('hex');
      const manifest: Manifest = { id, meta, totalBytes, created, chunks: chunkList.length, chunkList };
      const body = JSON.stringify(manifest);
      await this.store.put(snapshotKey(id), body, { contentType: 'application/json', signal: opts.signal });
      uploadedBytes += Buffer.byteLength(body);
      return { id, totalBytes, chunks: chunkList.length, newChunks, newBytes, uploadedBytes };
    } finally {
      await lock.release();
    }
  }

  private async manifest(id: string): Promise<Manifest> {
    if (!/^[0-9a-f]{32}$/.test(id)) throw new RepositoryCorruptError(`"${id}" is not a snapshot id`);
    const manifest = await readJsonIfExists<Manifest>(this.store, snapshotKey(id));
    if (!manifest) throw new RepositoryCorruptError(`snapshot ${id} is not in the volume repository ${this.describe()}`);
    return manifest;
  }

  private async readChunk(snapshot: string, id: string): Promise<Buffer> {
    let stored: Buffer;
    try {
      stored = await readAll(await this.store.get(chunkKey(id)));
    } catch (error) {
      if (error instanceof ObjectNotFoundError) throw new RepositoryCorruptError(`snapshot ${snapshot} needs chunk ${id}, which is missing from the volume repository`);
      throw error;
    }
    try {
      return await this.sealer.open(id, stored);
    } catch (error) {
      if (error instanceof ChunkCorruptError) throw new RepositoryCorruptError(`snapshot ${snapshot}: ${error.message}`);
      throw error;
    }
  }

  /** The snapshot's bytes as written, chunk by chunk with a small read-ahead; every chunk is verified. */
  readSnapshot(id: string, opts: { signal?: AbortSignal } = {}): Readable {
    const self = this;
    const readAhead = Math.max(2, this.concurrency);
    async function* chunks(): AsyncGenerator<Buffer> {
      const manifest = await self.manifest(id);
      const pending: Promise<Buffer>[] = [];
      let next = 0;
      const fill = () => {
        while (pending.length < readAhead && next < manifest.chunkList.length) {
          const p = self.readChunk(id, manifest.chunkList[next++]![0]);
          p.catch(() => undefined);
          pending.push(p);
        }
      };
      fill();
      while (pending.length) {
        if (opts.signal?.aborted) throw new Error('restore of the snapshot cancelled');
        const chunk = await pending.shift()!;
        fill();
        yield chunk;
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

  /** Every chunk each snapshot needs exists and (reading data) opens and hashes right. */
  async check(opts: { readData?: boolean } = {}): Promise<CheckReport> {
    const users = new Map<string, { snapshot: string; backup: string }[]>();
    let snapshots = 0;
    for await (const key of this.store.list(SNAPSHOTS)) {
      if (!key.endsWith('.json')) continue;
      const m = await readJsonIfExists<Manifest>(this.store, key);
      if (!m) continue;
      snapshots++;
      for (const [chunk] of m.chunkList) {
        const list = users.get(chunk) ?? [];
        if (!list.some((u) => u.snapshot === m.id)) list.push({ snapshot: m.id, backup: m.meta.backup });
        users.set(chunk, list);
      }
    }
    const stored = new Set<string>();
    for await (const key of this.store.list(CHUNKS)) stored.add(key.slice(key.lastIndexOf('/') + 1));
    const problems: CheckProblem[] = [];
    const toRead: string[] = [];
    for (const [chunk, list] of users) {
      if (!stored.has(chunk)) for (const u of list) problems.push({ ...u, chunk, problem: 'chunk missing' });
      else if (opts.readData !== false) toRead.push(chunk);
    }
    let next = 0;
    const worker = async () => {
      while (next < toRead.length) {
        const chunk = toRead[next++]!;
        try {
          await this.sealer.open(chunk, await readAll(await this.store.get(chunkKey(chunk))));
        } catch (error) {
          for (const u of users.get(chunk)!) problems.push({ ...u, chunk, problem: (error as Error).message });
        }
      }
    };
    await Promise.all(Array.from({ length: this.concurrency }, worker));
    problems.sort((a, b) => a.snapshot.localeCompare(b.snapshot) || String(a.chunk).localeCompare(String(b.chunk)));
    return { snapshots, chunks: stored.size, chunksRead: toRead.length, problems };
  }

  /** Deletes the chunks no snapshot lists. Refuses while a backup is writing. */
  async prune(): Promise<PruneReport> {
    const lock = await this.lock('prune');
    try {
      const referenced = new Set<string>();
      for await (const key of this.store.list(SNAPSHOTS)) {
        if (!key.endsWith('.json')) continue;
        const m = await readJsonIfExists<Manifest>(this.store, key);
        for (const [chunk] of m?.chunkList ?? []) referenced.add(chunk);
      }
      let kept = 0;
      let deleted = 0;
      for await (const key of this.store.list(CHUNKS)) {
        const id = key.slice(key.lastIndexOf('/') + 1);
        if (referenced.has(id)) kept++;
        else {
          await this.store.delete(key);
          deleted++;
        }
      }
      this.known = undefined;
      return { chunksKept: kept, chunksDeleted: deleted };
    } finally {
      await lock.release();
    }
  }

  /** A lock object; refuses when the other kind holds a fresh one. */
  private async lock(kind: 'write' | 'prune'): Promise<{ release(): Promise<void> }> {
    const now = Date.now();
    for await (const key of this.store.list(LOCKS)) {
      const held = await readJsonIfExists<{ kind: string; time: number }>(this.store, key);
      if (!held || now - held.time > LOCK_FRESH_MS) continue;
      if (kind === 'prune') throw new RepositoryLockedError(`the volume repository is in use (${held.kind} lock ${key.slice(LOCKS.length)} from ${new Date(held.time).toISOString()}): prune again when no backup is running`);
      if (held.kind === 'prune') throw new RepositoryLockedError(`the volume repository is being pruned (since ${new Date(held.time).toISOString()}): back up again when it is done`);
    }
    const key = `${LOCKS}${randomUUID()}.json`;
    const write = () => this.store.put(key, JSON.stringify({ kind, time: Date.now() }), { contentType: 'application/json' });
    await write();
    const refresh = setInterval(() => void write().catch(() => undefined), LOCK_REFRESH_MS);
    refresh.unref();
    return {
      release: async () => {
        clearInterval(refresh);
        await this.store.delete(key).catch(() => undefined);
      },
    };
  }
}
