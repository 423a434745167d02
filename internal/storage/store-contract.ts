// The behaviour every ObjectStore provider must show (kopia's shared blob-storage suite, in small):
// registered once per provider, against a real backend — a directory, a real MinIO.
import { Readable } from 'node:stream';
import type { Test } from 'uvu';
import * as assert from 'uvu/assert';
import { ObjectNotFoundError, type ObjectStore } from './object-store.ts';

async function text(stream: Readable): Promise<string> {
  let out = '';
  for await (const chunk of stream) out += String(chunk);
  return out;
}

async function collect(keys: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const key of keys) out.push(key);
  return out;
}

export function registerStoreContract(suite: Test, open: () => ObjectStore | Promise<ObjectStore>): void {
  suite('put and get a buffer, a string and a stream', async () => {
    const store = await open();
    await store.put('backups/a/one.txt', Buffer.from('one'));
    await store.put('backups/a/two.txt', 'two');
    await store.put('backups/a/three.txt', Readable.from(['th', 'r', 'ee']));
    assert.is(await text(await store.get('backups/a/one.txt')), 'one');
    assert.is(await text(await store.get('backups/a/two.txt')), 'two');
    assert.is(await text(await store.get('backups/a/three.txt')), 'three');
  });

  suite('a large stream round-trips byte for byte', async () => {
    const store = await open();
    const chunk = Buffer.alloc(1024 * 1024);
    for (let i = 0; i < chunk.length; i++) chunk[i] = (i * 7) % 251;
    async function* source() {
      for (let i = 0; i < 12; i++) yield chunk;
    }
    await store.put('big/blob', Readable.from(source()));
    let size = 0;
    let same = true;
    let offset = 0;
    for await (const piece of await store.get('big/blob')) {
      const buf = piece as Buffer;
      for (let i = 0; i < buf.length && same; i++) same = buf[i] === chunk[(offset + i) % chunk.length];
      offset += buf.length;
      size += buf.length;
    }
    assert.is(size, 12 * 1024 * 1024);
    assert.ok(same, 'content differs');
  });

  suite('getRange: the bytes asked for, short at the end, empty past it; a missing key rejects', async () => {
    const store = await open();
    const body = Buffer.from(Array.from({ length: 100_000 }, (_, i) => i % 251));
    await store.put('packs/p1', body);
    assert.equal(await store.getRange('packs/p1', 0, 10), body.subarray(0, 10));
    assert.equal(await store.getRange('packs/p1', 12_345, 50_000), body.subarray(12_345, 62_345));
    assert.equal(await store.getRange('packs/p1', 99_990, 100), body.subarray(99_990));
    assert.is((await store.getRange('packs/p1', 200_000, 10)).length, 0);
    await store.getRange('packs/missing', 0, 10).then(
      () => assert.unreachable('getRange of a missing key must reject'),
      (error: unknown) => assert.instance(error, ObjectNotFoundError),
    );
  });

  suite('a missing key: get rejects with ObjectNotFoundError, exists is false, delete is fine', async () => {
    const store = await open();
    assert.is(await store.exists('nope/missing'), false);
    try {
      await store.get('nope/missing');
      assert.unreachable('get of a missing key must reject');
    } catch (error) {
      assert.instance(error, ObjectNotFoundError);
    }
    await store.delete('nope/missing');
  });

  suite('list is recursive and sorted; common prefixes are the folders', async () => {
    const store = await open();
    for (const key of ['backups/b2/x.json', 'backups/b1/velero-backup.json', 'backups/b1/b1.tar.gz', 'restores/r1/log.gz']) await store.put(key, key);
    const keys = await collect(store.list('backups/b'));
    assert.equal(keys.filter((k) => /^backups\/b\d\//.test(k)), ['backups/b1/b1.tar.gz', 'backups/b1/velero-backup.json', 'backups/b2/x.json']);
    const folders = await store.listCommonPrefixes('backups/');
    assert.ok(folders.includes('backups/b1/') && folders.includes('backups/b2/'), String(folders));
    assert.ok(folders.every((f) => f.startsWith('backups/') && f.endsWith('/')));
    assert.equal(await store.listCommonPrefixes('no-such-folder/'), []);
  });

  suite('delete removes the key; exists follows', async () => {
    const store = await open();
    await store.put('del/me', 'x');
    assert.is(await store.exists('del/me'), true);
    await store.delete('del/me');
    assert.is(await store.exists('del/me'), false);
  });

  suite('an aborted stream upload leaves no object behind', async () => {
    const store = await open();
    const controller = new AbortController();
    async function* slow() {
      yield Buffer.alloc(64 * 1024, 1);
      controller.abort(new Error('stop'));
      await new Promise((r) => setTimeout(r, 50));
      yield Buffer.alloc(64 * 1024, 2);
    }
    await store.put('aborted/blob', Readable.from(slow()), { signal: controller.signal }).then(
      () => assert.unreachable('an aborted put must reject'),
      () => undefined,
    );
    assert.is(await store.exists('aborted/blob'), false);
  });

  suite('keys that escape the location are refused', async () => {
    const store = await open();
    for (const key of ['../outside', 'a/../../b', '/abs']) {
      await store.put(key, 'x').then(() => assert.unreachable(`put ${key} must be refused`), () => undefined);
    }
  });
}
