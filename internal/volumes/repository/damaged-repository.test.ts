// A damaged repository, one defect at a time (each found by the repository fuzzer, fuzz/): every
// reader ends in a RepositoryCorruptError that names the damaged object — never a raw
// SyntaxError/TypeError, a crash, a new config.json over the old one, or another backup's
// snapshot deleted — and check, prune and listing agree on what is there.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LocalStore } from '../../storage/local-store.ts';
import { repoKeys } from '../../storage/layout.ts';
import { readAll } from '../../storage/object-reads.ts';
import type { ChunkerParams } from './chunker.ts';
import { deleteSnapshotsOfBackup, listSnapshots, openRepository, RepositoryCorruptError, RepositoryLockedError } from './repository.ts';

const SMALL: ChunkerParams = { minSize: 1024, avgSize: 4096, maxSize: 16 * 1024 };
const meta = (backup: string) => ({ backup, namespace: 'shop', pod: 'db-0', volume: 'data' });
let dir: string;
let store: LocalStore;

test.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'kv-repo-damaged-'));
  store = new LocalStore(dir);
});
test.after.each(() => rmSync(dir, { recursive: true, force: true }));

const file = (key: string) => join(dir, ...key.split('/'));
const json = (key: string) => JSON.parse(readFileSync(file(key), 'utf8'));
async function* once(data: Buffer): AsyncIterable<Buffer> {
  yield data;
}

/** A repository with two snapshots (b1, b2) of 40 kB each, in ~10 packs of a few chunks. */
async function twoSnapshots() {
  const repo = await openRepository({ store, chunker: SMALL, packSize: 8 * 1024 });
  const data = [randomBytes(40_000), randomBytes(40_000)] as const;
  const s1 = await repo.writeSnapshot(once(data[0]), meta('b1'));
  const s2 = await repo.writeSnapshot(once(data[1]), meta('b2'));
  const indexes: { pack: string; blobs: [string, number, number][] }[] = [];
  for await (const k of store.list(repoKeys.indexes)) indexes.push(json(k));
  return { repo, s1, s2, indexes, data };
}

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error, got none');
}
async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

test('a pack index that is not JSON, null, or has no blob list: reads and check name it (was a raw SyntaxError/TypeError)', async () => {
  const { s1, indexes } = await twoSnapshots();
  for (const body of ['{"pack": "', 'null', JSON.stringify({ pack: indexes[0]!.pack, blobs: { a: 1 } })]) {
    writeFileSync(file(repoKeys.index(indexes[0]!.pack)), body);
    const repo = await openRepository({ store, create: false });
    for (const error of [await rejection(readAll(repo.readSnapshot(s1.id))), await rejection(repo.check())]) {
      assert.instance(error, RepositoryCorruptError);
      assert.match(error.message, new RegExp(`^the pack index plugins/kubectl-velero/repo/index/${indexes[0]!.pack}\\.json in .* is damaged: `));
    }
  }
});

test('an index entry longer than any sealed chunk is refused before it becomes a read of that size (2 GiB aborted the process)', async () => {
  const { s1, indexes } = await twoSnapshots();
  const index = indexes.find((i) => i.blobs.length)!;
  index.blobs[0]![2] = 2 ** 31;
  writeFileSync(file(repoKeys.index(index.pack)), JSON.stringify(index));
  const repo = await openRepository({ store, create: false });
  const error = await rejection(readAll(repo.readSnapshot(s1.id)));
  assert.match(error.message, /has length 2147483648, not 1 to \d+$/);
});

test('a damaged manifest: listing and its read refuse naming it, check reports it and checks the rest, prune waits, other backups still delete', async () => {
  const { repo, s1, s2, data } = await twoSnapshots();
  for (const body of ['', 'null', JSON.stringify({ ...json(repoKeys.snapshot(s1.id)), chunkList: undefined })]) {
    writeFileSync(file(repoKeys.snapshot(s1.id)), body);
    const listed = await rejection(collect(listSnapshots(store)));
    assert.instance(listed, RepositoryCorruptError);
    assert.match(listed.message, new RegExp(`^the snapshot manifest plugins/kubectl-velero/repo/snapshots/${s1.id}\\.json in .* is damaged: .*; run repo check$`));
    assert.instance(await rejection(readAll(repo.readSnapshot(s1.id))), RepositoryCorruptError);
    const report = await repo.check();
    assert.equal(report.problems.map((p) => p.snapshot), [s1.id]);
    assert.match(report.problems[0]!.problem, /^its manifest is damaged: /);
    assert.match((await rejection(repo.prune())).message, /^prune stopped: the snapshot manifest .* is damaged/);
  }
  assert.equal(await readAll(repo.readSnapshot(s2.id)), data[1]);
  assert.is(await deleteSnapshotsOfBackup(store, 'b2'), 1);
});

test('a manifest that says it is another snapshot: refused, and deleting its backup leaves the other snapshot alone', async () => {
  const { repo, s1, s2, data } = await twoSnapshots();
  writeFileSync(file(repoKeys.snapshot(s1.id)), JSON.stringify({ ...json(repoKeys.snapshot(s1.id)), id: s2.id }));
  assert.match((await rejection(collect(listSnapshots(store)))).message, new RegExp(`is damaged: it says it is snapshot ${s2.id}`));
  // It used to be deleted by the id it claimed: b1's delete removed b2's manifest.
  assert.is(await deleteSnapshotsOfBackup(store, 'b1'), 0);
  assert.equal(await readAll(repo.readSnapshot(s2.id)), data[1]);
});

test('config.json damaged or gone while data is there: open refuses and writes nothing (null or a deletion made a new config)', async () => {
  await twoSnapshots();
  writeFileSync(file(repoKeys.config), 'null');
  for (const create of [undefined, false]) {
    const error = await rejection(openRepository({ store, create }));
    assert.match(error.message, /^the config\.json of the volume repository in .* is damaged: it is null, not an object$/);
  }
  assert.is(readFileSync(file(repoKeys.config), 'utf8'), 'null');
  writeFileSync(file(repoKeys.config), '{"version": 2,');
  assert.match((await rejection(openRepository({ store }))).message, /is damaged: it is not JSON \(/);
  rmSync(file(repoKeys.config));
  const gone = await rejection(openRepository({ store }));
  assert.instance(gone, RepositoryCorruptError);
  assert.match(gone.message, /has no config\.json but holds packs, indexes or snapshots: restore config\.json/);
  assert.is(await store.exists(repoKeys.config), false);
});

test('config.json asking for scrypt settings no repository is made with is refused before the key is derived (2^30 was a raw RangeError, 2^20 1 GiB)', async () => {
  await openRepository({ store, encryptionKey: Buffer.from('k'), chunker: SMALL });
  const config = json(repoKeys.config);
  for (const N of [2 ** 30, 2 ** 20, 3, '1024']) {
    writeFileSync(file(repoKeys.config), JSON.stringify({ ...config, encryption: { ...config.encryption, N } }));
    const error = await rejection(openRepository({ store, encryptionKey: Buffer.from('k') }));
    assert.instance(error, RepositoryCorruptError);
    assert.match(error.message, /is damaged: its scrypt settings N=/);
  }
});

test('garbage locks and locks with impossible times are ignored; a fresh one from the future still stops prune, with its date', async () => {
  const { repo } = await twoSnapshots();
  for (const [i, body] of ['{', 'null', '{"kind":"write","time":"y"}', '{"kind":"write","time":1e300}'].entries()) await store.put(repoKeys.lock(`garbage-${i}`), body);
  await repo.prune();
  await store.put(repoKeys.lock('future'), JSON.stringify({ kind: 'write', time: Date.UTC(2100, 0, 1) }));
  const error = await rejection(repo.prune());
  assert.instance(error, RepositoryLockedError);
  assert.match(error.message, /\(write lock future\.json from 2100-01-01T00:00:00\.000Z\)/);
});

test('a chunk two indexes list: read, check and prune use the first listed, and prune drops the other copy instead of rewriting it', async () => {
  const { repo, s1, indexes, data } = await twoSnapshots();
  // A pack that sorts last, whose index also lists a chunk of s1 — at bytes that are another chunk.
  const chunk = json(repoKeys.snapshot(s1.id)).chunkList[0][0] as string;
  const other = indexes.find((i) => !i.blobs.some(([id]) => id === chunk))!;
  const last = 'f'.repeat(32);
  await store.put(repoKeys.pack(last), readFileSync(file(repoKeys.pack(other.pack))));
  await store.put(repoKeys.index(last), JSON.stringify({ pack: last, blobs: [[chunk, other.blobs[0]![1], other.blobs[0]![2]]] }));
  const reopened = await openRepository({ store, create: false });
  assert.equal(await readAll(reopened.readSnapshot(s1.id)), data[0]);
  assert.equal((await reopened.check()).problems, []);
  const pruned = await reopened.prune();
  assert.is(pruned.packsRewritten, 0, 'the pack holding only the second copy is deleted, not rewritten');
  assert.is(await store.exists(repoKeys.pack(last)), false);
  assert.equal(await readAll((await openRepository({ store, create: false })).readSnapshot(s1.id)), data[0]);
  assert.equal((await repo.check()).problems, []);
});

test.run();
