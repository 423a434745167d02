// The reader on good archives (ours, and Velero's older version markers) and on hostile ones.
import { Readable } from 'node:stream';
import { gzipSync } from 'node:zlib';
import tar from 'tar-stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { type ArchiveEntry, CorruptArchiveError, UnsafeArchiveEntryError, readBackupArchive } from './reader.ts';
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

async function readAll(data: Buffer): Promise<ArchiveEntry[]> {
  const out: ArchiveEntry[] = [];
  for await (const entry of readBackupArchive(Readable.from([data]))) out.push(entry);
  return out;
}

async function rejects(data: Buffer, type: typeof CorruptArchiveError, pattern: RegExp): Promise<void> {
  try {
    await readAll(data);
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

test('bytes that are not gzip are a clear error', async () => {
  await rejects(Buffer.from('this is not a backup at all, just text'.repeat(20)), CorruptArchiveError, /not gzip data/);
});

test('gzip of something that is not tar is a clear error', async () => {
  await rejects(gzipSync(Buffer.alloc(2048, 7)), CorruptArchiveError, /corrupt/);
});

test.run();
