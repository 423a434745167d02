import { Readable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { NamedStore } from './named-store.ts';
import { type ObjectStore, StorageUnavailableError } from './object-store.ts';

/** A store whose one object's body breaks after its first bytes, as a killed store's does. */
function breakingStore(): ObjectStore {
  return {
    describe: () => 's3://velero/ at http://127.0.0.1:9000',
    async get() {
      const body = new Readable({ read() {} });
      body.push(Buffer.from('first bytes'));
      setTimeout(() => body.destroy(Object.assign(new Error('aborted'), { code: 'ECONNRESET' })), 10);
      return body;
    },
  } as unknown as ObjectStore;
}

test('a body cut part-way fails with an error naming the location, the store and the key', async () => {
  const body = await new NamedStore('minio', breakingStore()).get('backups/b/b.tar.gz');
  const chunks: Buffer[] = [];
  try {
    for await (const c of body) chunks.push(c as Buffer);
    assert.unreachable('the read should have failed');
  } catch (error) {
    assert.instance(error, StorageUnavailableError);
    assert.is((error as Error).message, 'backup storage location "minio": the object store s3://velero/ at http://127.0.0.1:9000 stopped sending backups/b/b.tar.gz part-way (aborted, ECONNRESET)');
  }
  assert.is(Buffer.concat(chunks).toString(), 'first bytes');
});

test.run();
