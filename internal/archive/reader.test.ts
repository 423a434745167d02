// The reader on good archives (ours, and Velero's older version markers) and on hostile ones.
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type ArchiveEntry, ArchiveLimitError, CorruptArchiveError, UnsafeArchiveEntryError, type ReadOptions, readBackupArchive } from './reader.ts';
import { BackupArchiveWriter } from './writer.ts';

type Spec = { name: string; body?: string; type?: 'file' | 'symlink' | 'link' | 'directory' | 'character-device'; linkname?: string };

async function tarball(entries: Spec[]): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => void chunks.push(c as Buffer));
  const done = new Promise<void>((r) => pack.on('end', () => r()));
  for (const e of entries) {
    if (e.type && e.type !== 'file') pack.entry({ name: e.name, type: e.type, linkname: e.linkname });
    else pack.entry({ name: e.name, mode: 0o755 }, e.body ?? '');
  }
  pack.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

async function readAll(data: Buffer, options?: ReadOptions): Promise<ArchiveEntry[]> {
  const out: ArchiveEntry[] = [];
  for await (const entry of readBackupArchive(Readable.from([data]), options)) out.push(entry);
  return out;
}

async function rejects(data: Buffer, type: typeof CorruptArchiveError, pattern: RegExp, options?: ReadOptions): Promise<void> {
  try {
    await readAll(data, options);
    assert.unreachable('the archive should have been refused');
  } catch (error) {
    assert.instance(error, type);
    assert.match((error as Error).message, pattern);
  }
}

async function written(): Promise<Buffer> {
  const writer = new BackupArchiveWriter(() => 1_700_000_000);
  const chunks: Buffer[] = [];
  writer.stream.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise((r) => writer.stream.on('end', r));
  await writer.writeVersion();
  await writer.addItem({ groupResource: 'configmaps', version: 'v1', preferred: true, namespace: 'shop', name: 'prices' }, '{"kind":"ConfigMap"}');
  await writer.addItem({ groupResource: 'namespaces', version: 'v1', preferred: true, name: 'shop' }, '{"kind":"Namespace"}');
  await writer.addItem({ groupResource: 'horizontalpodautoscalers.autoscaling', version: 'v1', preferred: false, namespace: 'shop', name: 'web' }, '{}');
  await writer.finish();
  await ended;
  return Buffer.concat(chunks);
}

test('what the writer writes, the reader reads back, with parsed item coordinates', async () => {
  const entries = await readAll(await written());
  assert.equal(entries.map((e) => e.path), [
    'metadata/version',
    'resources/configmaps/namespaces/shop/prices.json',
    'resources/configmaps/v1-preferredversion/namespaces/shop/prices.json',
    'resources/namespaces/cluster/shop.json',
    'resources/namespaces/v1-preferredversion/cluster/shop.json',
    'resources/horizontalpodautoscalers.autoscaling/v1/namespaces/shop/web.json',
  ]);
  assert.is(entries[0]!.body.toString(), '1.1.0\n');
  assert.equal(entries[1]!.item, { groupResource: 'configmaps', versionDir: '', namespace: 'shop', name: 'prices' });
  assert.equal(entries[4]!.item, { groupResource: 'namespaces', versionDir: 'v1-preferredversion', name: 'shop' });
  assert.equal(entries[5]!.item, { groupResource: 'horizontalpodautoscalers.autoscaling', versionDir: 'v1', namespace: 'shop', name: 'web' });
  assert.is(entries[1]!.body.toString(), '{"kind":"ConfigMap"}');
});

test("Velero's older format markers 1 and 1.0.0 are accepted; directories are skipped", async () => {
  for (const version of ['1', '1.0.0']) {
    const entries = await readAll(await tarball([{ name: 'metadata/', type: 'directory' }, { name: 'metadata/version', body: `${version}\n` }, { name: 'resources/pods/namespaces/a/p.json', body: '{}' }]));
    assert.equal(entries.map((e) => e.path), ['metadata/version', 'resources/pods/namespaces/a/p.json']);
  }
});

test('an unknown format version or none at all is refused', async () => {
  await rejects(await tarball([{ name: 'metadata/version', body: '9.9.9\n' }]), CorruptArchiveError, /unsupported backup format version "9\.9\.9"/);
  await rejects(await tarball([{ name: 'resources/pods/namespaces/a/p.json', body: '{}' }]), CorruptArchiveError, /no metadata\/version/);
});

test('path traversal, absolute paths and links are refused', async () => {
  const version = { name: 'metadata/version', body: '1.1.0\n' };
  await rejects(await tarball([version, { name: 'resources/../../etc/passwd', body: 'x' }]), UnsafeArchiveEntryError, /climbs out/);
  await rejects(await tarball([version, { name: '/etc/passwd', body: 'x' }]), UnsafeArchiveEntryError, /absolute/);
  await rejects(await tarball([version, { name: 'resources/evil', type: 'symlink', linkname: '/etc/passwd' }]), UnsafeArchiveEntryError, /symlink/);
  await rejects(await tarball([version, { name: 'resources/hard', type: 'link', linkname: 'metadata/version' }]), UnsafeArchiveEntryError, /link/);
});

test('a truncated archive is a clear error', async () => {
  const good = await written();
  await rejects(good.subarray(0, Math.floor(good.length / 2)), CorruptArchiveError, /truncated/);
});

test('a source that fails part-way (a download cut) is its own error, not a damaged archive', async () => {
  const good = await written();
  const cut = new Error('the object store stopped sending it part-way (aborted)');
  const source = new Readable({ read() {} });
  source.push(good.subarray(0, 40));
  setTimeout(() => source.destroy(cut), 20);
  try {
    for await (const _ of readBackupArchive(source)) void _;
    assert.unreachable('the read should have failed');
  } catch (error) {
    assert.is(error, cut);
  }
});

test('bytes that are not gzip are a clear error', async () => {
  await rejects(Buffer.from('this is not a backup at all, just text'.repeat(20)), CorruptArchiveError, /not gzip data/);
});

test('gzip of something that is not tar is a clear error', async () => {
  await rejects(gzipSync(Buffer.alloc(2048, 7)), CorruptArchiveError, /corrupt/);
});

async function plainTar(entries: Spec[], finalize = true): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (c: unknown) => void chunks.push(c as Buffer));
  for (const e of entries) pack.entry({ name: e.name }, e.body ?? '');
  if (!finalize) return new Promise((r) => setImmediate(() => r(Buffer.concat(chunks))));
  const done = new Promise<void>((r) => pack.on('end', () => r()));
  pack.finalize();
  await done;
  return Buffer.concat(chunks);
}

test('a tar cut at a block boundary inside a complete gzip is refused as truncated', async () => {
  const entries = [{ name: 'metadata/version', body: '1.1.0\n' }, { name: 'resources/configmaps/namespaces/a/b.json', body: '{"kind":"ConfigMap"}' }];
  const whole = await plainTar(entries);
  assert.equal((await readAll(gzipSync(whole))).length, 2);
  // Drop the end-of-archive marker (the last 1024 zero bytes): every entry is still whole.
  await rejects(gzipSync(whole.subarray(0, whole.length - 1024)), CorruptArchiveError, /truncated: the tar stream ends without its end-of-archive marker after entry "resources\/configmaps/);
});

test('a damaged tar header inside sound gzip is said to be a tar header, not gzip', async () => {
  const whole = Buffer.from(await plainTar([{ name: 'metadata/version', body: '1.1.0\n' }, { name: 'resources/x/cluster/y.json', body: '{}' }]));
  whole[1024 + 100] = whole[1024 + 100]! ^ 0xff; // the second header's mode field: its checksum no longer matches
  await rejects(gzipSync(whole), CorruptArchiveError, /a tar header is damaged after entry "metadata\/version"/);
});

test('the entry-size, entry-count and total-size bounds say which was hit', async () => {
  const data = await tarball([{ name: 'metadata/version', body: '1.1.0\n' }, { name: 'resources/a/cluster/1.json', body: 'x'.repeat(300) }, { name: 'resources/a/cluster/2.json', body: 'y'.repeat(300) }]);
  const limit = async (options: ReadOptions, which: ArchiveLimitError['limit'], pattern: RegExp) => {
    try {
      await readAll(data, options);
      assert.unreachable('a bound should have been hit');
    } catch (error) {
      assert.instance(error, ArchiveLimitError);
      assert.is((error as ArchiveLimitError).limit, which);
      assert.match((error as Error).message, pattern);
    }
  };
  await limit({ maxEntryBytes: 100 }, 'entry-bytes', /entry "resources\/a\/cluster\/1.json" is 300 bytes, over the 100-byte limit/);
  await limit({ maxEntries: 2 }, 'entries', /more than 2 entries/);
  await limit({ maxTotalBytes: 500 }, 'total-bytes', /expands to more than 500 bytes/);
  assert.equal((await readAll(data, { maxEntries: 3, maxTotalBytes: 606 })).length, 3);
});

test('names quoted in errors are escaped and cut', async () => {
  const evil = `resources/\u202e\r\x1b[2J${'n'.repeat(5000)}`;
  try {
    await readAll(await tarball([{ name: 'metadata/version', body: '1.1.0\n' }, { name: evil, type: 'symlink', linkname: 'x' }]));
    assert.unreachable();
  } catch (error) {
    const message = (error as Error).message;
    assert.not.match(message, /[\u202e\r\x1b]/);
    assert.match(message, /\\u202e\\r\\x1b/);
    assert.ok(message.length < 400, `message is ${message.length} characters`);
  }
  const bigVersion = await tarball([{ name: 'metadata/version', body: 'v'.repeat(1 << 20) }]);
  try {
    await readAll(bigVersion);
    assert.unreachable();
  } catch (error) {
    assert.ok((error as Error).message.length < 200);
  }
});

test.run();
