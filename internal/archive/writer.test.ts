import { gunzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import tar from 'tar-stream';
import { itemPaths } from './item-paths.ts';
import { BackupArchiveWriter, windowFor } from './writer.ts';

async function entriesOf(buffer: Buffer): Promise<Map<string, { mode?: number; type?: string | null; body: string }>> {
  const out = new Map<string, { mode?: number; type?: string | null; body: string }>();
  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (h, stream, next) => {
      let body = '';
      stream.on('data', (d: unknown) => (body += String(d)));
      stream.on('end', () => {
        out.set(h.name, { mode: h.mode, type: h.type, body });
        next();
      });
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  extract.end(gunzipSync(buffer));
  await done;
  return out;
}

test('item paths: preferred version twice, core without group suffix, cluster scope', () => {
  assert.equal(itemPaths({ groupResource: 'configmaps', version: 'v1', preferred: true, namespace: 'shop', name: 'prices' }), [
    'resources/configmaps/namespaces/shop/prices.json',
    'resources/configmaps/v1-preferredversion/namespaces/shop/prices.json',
  ]);
  assert.equal(itemPaths({ groupResource: 'horizontalpodautoscalers.autoscaling', version: 'v1', preferred: false, namespace: 'a', name: 'h' }), ['resources/horizontalpodautoscalers.autoscaling/v1/namespaces/a/h.json']);
  assert.equal(itemPaths({ groupResource: 'persistentvolumes', version: 'v1', preferred: true, name: 'pv-1' })[0], 'resources/persistentvolumes/cluster/pv-1.json');
});

test('the tarball holds metadata/version and each item twice, regular files with mode 0755, long names intact', async () => {
  const sink = new BackupArchiveWriter();
  const chunks: Buffer[] = [];
  sink.stream.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise((resolve) => sink.stream.on('end', resolve));
  await sink.writeVersion();
  await sink.addItem({ groupResource: 'configmaps', version: 'v1', preferred: true, namespace: 'shop', name: 'prices' }, '{"a":1}');
  const longName = `${'x'.repeat(120)}.example.com`;
  await sink.addItem({ groupResource: 'customresourcedefinitions.apiextensions.k8s.io', version: 'v1', preferred: true, name: longName }, '{}');
  await sink.finish();
  await ended;
  const entries = await entriesOf(Buffer.concat(chunks));
  assert.is(entries.get('metadata/version')?.body, '1.1.0\n');
  assert.is(entries.get('resources/configmaps/namespaces/shop/prices.json')?.body, '{"a":1}');
  assert.is(entries.get('resources/configmaps/v1-preferredversion/namespaces/shop/prices.json')?.mode, 0o755);
  assert.ok(entries.has(`resources/customresourcedefinitions.apiextensions.k8s.io/v1-preferredversion/cluster/${longName}.json`));
  assert.is(entries.size, 5);
  for (const e of entries.values()) assert.is(e.type, 'file');
});

test('an object larger than a batch, many small ones around it, and names ustar cannot hold come back byte for byte, whole or given in parts', async () => {
  const sink = new BackupArchiveWriter();
  const chunks: Buffer[] = [];
  sink.stream.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise((resolve) => sink.stream.on('end', resolve));
  await sink.writeVersion();
  const big = JSON.stringify({ data: 'x'.repeat(3 * 1024 * 1024) });
  const expected = new Map<string, string>();
  const add = async (name: string, json: string, namespace = 'shop') => {
    const item = { groupResource: 'configmaps', version: 'v1', preferred: true, namespace, name };
    // Every other item in parts, text and bytes, cut inside its multi-byte characters' string, as a raw listed item comes.
    const cut = Math.floor(json.length / 3);
    await sink.addItem(item, expected.size % 4 ? json : [json.slice(0, cut), Buffer.from(json.slice(cut, 2 * cut)), json.slice(2 * cut)]);
    for (const path of itemPaths(item)) expected.set(path, json);
  };
  for (let i = 0; i < 600; i++) await add(`cm-${i}`, JSON.stringify({ i, pad: 'é'.repeat(i) }));
  await add('big', big);
  // 140 bytes of two-byte characters: no slash split fits, so a PAX record carries the name.
  await add('ü'.repeat(70), '{"long":true}', 'n');
  // Items whose two copies lie farther apart than the smaller gzip windows reach.
  for (const kib of [6, 7.5, 9, 15, 17, 31, 40]) await add(`sized-${kib}`, JSON.stringify({ pad: 'ab'.repeat(kib * 512) }));
  for (let i = 600; i < 1200; i++) await add(`cm-${i}`, JSON.stringify({ i }));
  await sink.finish();
  await ended;
  const entries = await entriesOf(Buffer.concat(chunks));
  assert.is(entries.size, expected.size + 1);
  for (const [path, json] of expected) assert.is(entries.get(path)?.body, json, path);
});

test("gzip's window: the smallest that reaches an item's second copy", () => {
  assert.is(windowFor(0), 13);
  assert.is(windowFor(8192 - 262), 13);
  assert.is(windowFor(8192 - 261), 14);
  assert.is(windowFor(16384 - 262), 14);
  assert.is(windowFor(16384), 15);
  assert.is(windowFor(Infinity), 15);
});

test('the second copy of an item costs next to nothing, small or large', async () => {
  const { randomBytes } = await import('node:crypto');
  for (const bytes of [1500, 6000, 12_000, 30_000]) {
    const jsons = Array.from({ length: 20 }, () => JSON.stringify({ data: randomBytes(bytes / 2).toString('hex') }));
    const sizeOf = async (copies: 'both' | 'one') => {
      const sink = new BackupArchiveWriter();
      let size = 0;
      sink.stream.on('data', (c: Buffer) => (size += c.length));
      const ended = new Promise((resolve) => sink.stream.on('end', resolve));
      for (let i = 0; i < 20; i++) await sink.addItem({ groupResource: 'configmaps', version: 'v1', preferred: copies === 'both', namespace: 'shop', name: `cm-${i}` }, jsons[i]!);
      await sink.finish();
      await ended;
      return size;
    };
    const one = await sizeOf('one');
    assert.ok((await sizeOf('both')) < one * 1.1, `${bytes}-byte items: two copies compress to about one`);
  }
});

test.run();
