// The repository on a real directory store: byte-exact round trips, dedup across snapshots and
// after a small change, encryption and keys, damage found by check and by reads, and prune.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LocalStore } from '../../storage/local-store.ts';
import { readAll } from '../../storage/object-reads.ts';
import type { ChunkerParams } from './chunker.ts';
import { deleteSnapshotsOfBackup, listSnapshots, openRepository, REPO_PREFIX, RepositoryKeyError } from './repository.ts';

const SMALL: ChunkerParams = { minSize: 16 * 1024, avgSize: 64 * 1024, maxSize: 256 * 1024 };
const meta = (backup: string) => ({ backup, namespace: 'shop', pod: 'db-0', volume: 'data' });
let dir: string;
let store: LocalStore;

test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'kv-repo-'));
  store = new LocalStore(dir);
});
test.after.each(() => rmSync(dir, { recursive: true, force: true }));

/** Text and random data, like a database volume. */
function volume(mb: number): Buffer {
  const parts: Buffer[] = [];
  for (let i = 0; i < mb; i++) parts.push(i % 2 ? randomBytes(1 << 20) : Buffer.from(Array.from({ length: 30_000 }, (_, j) => `row ${i}-${j} payload\n`).join('').slice(0, 1 << 20)));
  return Buffer.concat(parts);
}

async function* pieces(data: Buffer, size = 100_000): AsyncIterable<Buffer> {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function keys(prefix: string): Promise<string[]> {
  const out: string[] = [];
  for await (const k of store.list(prefix)) out.push(k);
  return out;
}

test('round trip byte-exact; everything lives under plugins/kubectl-velero/repo/', async () => {
  const repo = await openRepository({ store, chunker: SMALL });
  const data = volume(8);
  let progress = 0;
  const s = await repo.writeSnapshot(pieces(data), meta('b1'), { onProgress: (n) => (progress = n) });
  assert.is(s.totalBytes, data.length);
  assert.is(progress, data.length);
  assert.ok(s.chunks > 50 && s.newChunks === s.chunks);
  assert.ok(s.uploadedBytes < data.length * 0.8, 'text compresses');
  assert.equal(await readAll(repo.readSnapshot(s.id)), data);
  assert.ok((await keys('')).every((k) => k.startsWith(REPO_PREFIX)));
  assert.equal((await keys(`${REPO_PREFIX}locks/`)).length, 0, 'lock released');
});

test('dedup: the same data again uploads only the manifest; a 1% change a small fraction', async () => {
  const repo = await openRepository({ store, chunker: SMALL });
  const data = volume(8);
  const first = await repo.writeSnapshot(pieces(data), meta('b1'));
  const again = await repo.writeSnapshot(pieces(data), meta('b2'));
  assert.is(again.newChunks, 0);
  assert.ok(again.uploadedBytes < 20_000, `${again.uploadedBytes}`);
  const changed = Buffer.from(data);
  for (let i = 0; i < 8; i++) randomBytes(10_000).copy(changed, i * 1_000_000 + 123_456);
  const reopened = await openRepository({ store });
  const third = await reopened.writeSnapshot(pieces(changed, 65_536), meta('b3'));
  // Each 10 kB overwrite touches the chunk it falls in (and at most the boundary chunks next to it).
  assert.ok(third.newChunks <= 8 * 3, `${third.newChunks} new chunks of ${third.chunks}`);
  assert.ok(third.newBytes < data.length * 0.3 && third.uploadedBytes < first.uploadedBytes * 0.35, `${third.newBytes} new bytes, ${third.uploadedBytes} uploaded of ${first.uploadedBytes}`);
  assert.equal(await readAll(reopened.readSnapshot(third.id)), changed);
  assert.equal(await readAll(reopened.readSnapshot(first.id)), data);
});

test('encryption: round trip, ids are not content hashes, wrong or missing keys refused', async () => {
  const key = Buffer.from('correct horse battery staple\n');
  const repo = await openRepository({ store, encryptionKey: key, chunker: SMALL });
  const data = Buffer.concat([Buffer.alloc(300_000, 'a'), randomBytes(300_000)]);
  const s = await repo.writeSnapshot(pieces(data), meta('b1'));
  assert.equal(await readAll(repo.readSnapshot(s.id)), data);
  const chunkFiles = (await keys(`${REPO_PREFIX}chunks/`)).map((k) => readFileSync(join(dir, k)));
  assert.ok(chunkFiles.every((c) => !c.includes(Buffer.alloc(64, 'a'))), 'no plaintext in the store');
  const plainDir = mkdtempSync(join(tmpdir(), 'kv-repo-p-'));
  const plain = await openRepository({ store: new LocalStore(plainDir), chunker: SMALL });
  await plain.writeSnapshot(pieces(data), meta('b1'));
  const idsIn = async (s: LocalStore) => {
    const out = new Set<string>();
    for await (const k of s.list(`${REPO_PREFIX}chunks/`)) out.add(k.split('/').at(-1)!);
    return out;
  };
  const plainIds = await idsIn(new LocalStore(plainDir));
  const encIds = await idsIn(store);
  assert.ok(encIds.size > 0 && [...encIds].every((id) => !plainIds.has(id)), 'keyed ids differ from content hashes');
  rmSync(plainDir, { recursive: true, force: true });
  const wrong = await openRepository({ store, encryptionKey: Buffer.from('wrong') }).then(() => undefined, (e: Error) => e);
  assert.instance(wrong, RepositoryKeyError);
  assert.match(wrong!.message, /wrong key/);
  const missing = await openRepository({ store }).then(() => undefined, (e: Error) => e);
  assert.match(String(missing?.message), /is encrypted: pass --encryption-key-file/);
});

test('damage: a deleted chunk and a flipped byte are named by check and fail the read', async () => {
  const repo = await openRepository({ store, chunker: SMALL });
  const a = await repo.writeSnapshot(pieces(randomBytes(2 << 20)), meta('b1'));
  const b = await repo.writeSnapshot(pieces(randomBytes(2 << 20)), meta('b2'));
  assert.equal((await repo.check()).problems, []);
  const chunkKeys = await keys(`${REPO_PREFIX}chunks/`);
  const manifestA = JSON.parse(readFileSync(join(dir, `${REPO_PREFIX}snapshots/${a.id}.json`), 'utf8'));
  const victim = manifestA.chunkList[3][0] as string;
  rmSync(join(dir, chunkKeys.find((k) => k.endsWith(victim))!));
  const flippedId = JSON.parse(readFileSync(join(dir, `${REPO_PREFIX}snapshots/${b.id}.json`), 'utf8')).chunkList[1][0] as string;
  const flippedPath = join(dir, chunkKeys.find((k) => k.endsWith(flippedId))!);
  const bytes = readFileSync(flippedPath);
  bytes.writeUInt8(bytes.readUInt8(bytes.length >> 1) ^ 0xff, bytes.length >> 1);
  writeFileSync(flippedPath, bytes);
  const report = await repo.check();
  assert.equal(report.problems.map((p) => [p.snapshot, p.backup, p.chunk]).sort(), [[a.id, 'b1', victim], [b.id, 'b2', flippedId]].sort());
  assert.match(report.problems.find((p) => p.snapshot === a.id)!.problem, /chunk missing/);
  assert.equal((await repo.check({ readData: false })).problems.length, 1, 'without reading data only the missing chunk');
  const readA = await readAll(repo.readSnapshot(a.id)).then(() => undefined, (e: Error) => e);
  assert.match(String(readA?.message), new RegExp(`snapshot ${a.id} needs chunk ${victim}, which is missing`));
  const readB = await readAll(repo.readSnapshot(b.id)).then(() => undefined, (e: Error) => e);
  assert.match(String(readB?.message), /does not (match its hash|decompress)/);
});

test('two snapshots written at once share a chunk: the second waits for its upload before its manifest', async () => {
  const repo = await openRepository({ store, chunker: SMALL, uploadConcurrency: 2 });
  const shared = randomBytes(1 << 20);
  const [a, b] = await Promise.all([repo.writeSnapshot(pieces(shared), meta('b1')), repo.writeSnapshot(pieces(shared), meta('b2'))]);
  assert.is(a.newChunks + b.newChunks, a.chunks, 'each chunk uploaded once');
  assert.equal((await repo.check()).problems, []);
  assert.equal(await readAll(repo.readSnapshot(b.id)), shared);
});

test('deleting a backup\'s snapshots and pruning removes exactly the chunks nobody uses', async () => {
  const repo = await openRepository({ store, chunker: SMALL });
  const shared = volume(2);
  const s1 = await repo.writeSnapshot(pieces(Buffer.concat([shared, randomBytes(500_000)])), meta('b1'));
  const s2 = await repo.writeSnapshot(pieces(Buffer.concat([shared, randomBytes(500_000)])), meta('b2'));
  const before = (await keys(`${REPO_PREFIX}chunks/`)).length;
  assert.is(await deleteSnapshotsOfBackup(store, 'b1'), 1);
  assert.equal((await collect(listSnapshots(store))).map((s) => s.id), [s2.id]);
  const pruned = await repo.prune();
  assert.ok(pruned.chunksDeleted > 0 && pruned.chunksDeleted < before);
  const kept = new Set(JSON.parse(readFileSync(join(dir, `${REPO_PREFIX}snapshots/${s2.id}.json`), 'utf8')).chunkList.map((c: [string, number]) => c[0]));
  assert.is(pruned.chunksKept, kept.size);
  assert.is(pruned.chunksDeleted, before - kept.size);
  assert.equal((await repo.check()).problems, []);
  const gone = await readAll(repo.readSnapshot(s1.id)).then(() => undefined, (e: Error) => e);
  assert.match(String(gone?.message), /is not in the volume repository/);
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

test.run();
