// The valid repository every fuzz case damages: a local directory store holding three snapshots of
// seeded tar streams (the second shares most of its chunks with the first), made once per run and
// flavour (plain or encrypted) and copied for each case. What was written is kept (ids, sizes,
// SHA-256 of each stream, where each chunk sits), so a read can be checked byte for byte and a
// damage can aim at one chunk, pack or manifest. Content, chunker seed and key salt come from the
// seed, so chunk ids and pack contents repeat from run to run; pack and snapshot ids, and the
// nonces, are the repository's own random ones.
import { createHash, createHmac, scryptSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import tar from 'tar-stream';
import { repoKeys } from '../../../storage/layout.ts';
import { LocalStore } from '../../../storage/local-store.ts';
import type { Prng } from '../../../restore/fuzz/prng.ts';
import type { ChunkerParams } from '../chunker.ts';
import { openRepository, type SnapshotMeta } from '../repository.ts';

/** Small chunks and packs: ~25 chunks in ~6 packs, so every damage has several targets, and a case stays cheap. */
export const FUZZ_CHUNKER: ChunkerParams = { minSize: 1024, avgSize: 4096, maxSize: 16 * 1024 };
export const FUZZ_PACK_SIZE = 12 * 1024;

export interface WrittenSnapshot {
  id: string;
  meta: SnapshotMeta;
  totalBytes: number;
  chunks: number;
  sha256: string;
  /** Chunk ids in stream order. */
  chunkList: string[];
}

export type IndexEntry = [id: string, offset: number, length: number];

export interface BaseRepository {
  /** The store's directory: every case starts from a copy of it. */
  dir: string;
  encrypted: boolean;
  key?: Buffer;
  snapshots: WrittenSnapshot[];
  /** Each pack's index, as written. */
  packs: { id: string; blobs: IndexEntry[] }[];
}

export const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

function tarStream(files: { name: string; body: Buffer }[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => void chunks.push(c as Buffer));
  const done = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  for (const f of files) pack.entry({ name: f.name, mtime: new Date(0), mode: 0o644 }, f.body);
  pack.finalize();
  return done.then(() => Buffer.concat(chunks));
}

/** Half text (compresses), half random (does not): both paths through zstd. */
function fileBody(rng: Prng, size: number): Buffer {
  if (rng.chance(0.5)) return rng.bytes(size);
  const line = `row ${rng.int(1000)} payload ${'x'.repeat(rng.int(40))}\n`;
  return Buffer.from(line.repeat(Math.ceil(size / line.length)).slice(0, size));
}

/** Three volumes: v1, v2 = v1 with one file changed and one added (dedup), v3 small and its own. */
async function volumes(rng: Prng): Promise<Buffer[]> {
  const v1 = Array.from({ length: 3 + rng.int(3) }, (_, i) => ({ name: `data/f${i}`, body: fileBody(rng, 1_000 + rng.int(15_000)) }));
  const v2 = v1.map((f) => ({ ...f }));
  v2[rng.int(v2.length)]!.body = fileBody(rng, 1_000 + rng.int(12_000));
  v2.push({ name: 'data/new', body: fileBody(rng, 3_000 + rng.int(7_000)) });
  const v3 = [{ name: 'logs/a', body: fileBody(rng, 1_000 + rng.int(6_000)) }];
  return Promise.all([v1, v2, v3].map(tarStream));
}

/**
 * The encryption block of config.json with a cheap scrypt cost: at the production cost (N = 2^15)
 * each open takes 100–300 ms here, and a run opens the repository thousands of times. The same
 * derivation as sealing.ts; were that to change, the base repository fails to open at once.
 */
function fastEncryption(key: Buffer, rng: Prng) {
  const params = { kdf: 'scrypt' as const, salt: rng.bytes(16).toString('hex'), N: 256, r: 8, p: 1 };
  const derived = scryptSync(key, Buffer.from(params.salt, 'hex'), 64, { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r });
  const keyCheck = createHmac('sha256', derived.subarray(32)).update('kubectl-velero repository key check').digest('hex');
  return { ...params, keyCheck };
}

async function* pieces(data: Buffer, size: number): AsyncIterable<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

/** Writes the base repository into `dir` (an empty directory). */
export async function writeBaseRepository(dir: string, rng: Prng, encrypted: boolean): Promise<BaseRepository> {
  const store = new LocalStore(dir);
  // Made by the real code, then given a seeded chunker seed (the same cuts on every run of a
  // seed) and, when encrypted, a key of the cheap cost.
  await openRepository({ store, chunker: FUZZ_CHUNKER, packSize: FUZZ_PACK_SIZE });
  const configPath = join(dir, repoKeys.config);
  const config = JSON.parse(readFileSync(configPath, 'utf8')) as { chunker: { seed: string }; encryption: unknown };
  config.chunker.seed = rng.bytes(16).toString('hex');
  const key = encrypted ? Buffer.from(`fuzz key ${rng.int(1e9)}\n`) : undefined;
  if (key) config.encryption = fastEncryption(key, rng);
  await store.put(repoKeys.config, JSON.stringify(config, null, 2));

  const repo = await openRepository({ store, encryptionKey: key, create: false });
  const snapshots: WrittenSnapshot[] = [];
  const streams = await volumes(rng);
  for (const [i, data] of streams.entries()) {
    const meta = { backup: `b${i + 1}`, namespace: 'shop', pod: `db-${i}`, volume: 'data' };
    const s = await repo.writeSnapshot(pieces(data, 3_000 + rng.int(9_000)), meta, { tar: true });
    const manifest = JSON.parse(readFileSync(join(dir, repoKeys.snapshot(s.id)), 'utf8')) as { chunkList: [string, number][] };
    snapshots.push({ id: s.id, meta, totalBytes: s.totalBytes, chunks: s.chunks, sha256: sha256(data), chunkList: manifest.chunkList.map(([id]) => id) });
  }
  const packs: BaseRepository['packs'] = [];
  for await (const k of store.list(repoKeys.indexes)) {
    const index = JSON.parse(readFileSync(join(dir, k), 'utf8')) as { pack: string; blobs: IndexEntry[] };
    packs.push({ id: index.pack, blobs: index.blobs });
  }
  // In the order their chunks were written, not by their (random) ids: damage aimed at "pack k"
  // hits the same chunks when a seed is replayed.
  const written = new Map<string, number>();
  for (const id of snapshots.flatMap((s) => s.chunkList)) if (!written.has(id)) written.set(id, written.size);
  const firstChunk = (p: BaseRepository['packs'][number]) => Math.min(...p.blobs.map(([id]) => written.get(id) ?? Infinity));
  packs.sort((a, b) => firstChunk(a) - firstChunk(b));
  if (packs.length < 3) throw new Error(`the fuzz base repository has ${packs.length} packs; the damages need at least 3`);
  return { dir, encrypted, key, snapshots, packs };
}
