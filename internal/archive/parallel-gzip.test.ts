import { gunzipSync } from 'node:zlib';
import { randomBytes } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ParallelGzip } from './parallel-gzip.ts';

function collect(gz: ParallelGzip): Promise<Buffer> {
  const chunks: Buffer[] = [];
  gz.stream.on('data', (c: Buffer) => chunks.push(c));
  return new Promise((resolve) => gz.stream.on('end', () => resolve(Buffer.concat(chunks))));
}

test('chunks come out as gzip members in the order written, and gunzip reads them as one stream', async () => {
  const gz = new ParallelGzip({ level: 1, parallel: 3 });
  const out = collect(gz);
  // Sizes that compress in very different times, so members finish out of order on the pool.
  const chunks = [randomBytes(3_000_000), Buffer.from('small'), Buffer.alloc(2_000_000, 7), randomBytes(10), Buffer.from('end')];
  for (const c of chunks) await gz.write(c);
  await gz.end();
  const bytes = await out;
  let members = 0;
  for (let i = 0; i + 2 < bytes.length; i++) if (bytes[i] === 0x1f && bytes[i + 1] === 0x8b && bytes[i + 2] === 8) members++;
  assert.ok(members >= chunks.length, `${members} member headers`);
  assert.ok(gunzipSync(bytes).equals(Buffer.concat(chunks)));
});

test('no more than `parallel` chunks are held: a write waits for the oldest to be emitted', async () => {
  const gz = new ParallelGzip({ level: 1, parallel: 2 });
  // Nobody reads the stream: the third 1 MiB member fills the output's buffer and the writes must stop.
  const pending = (async () => {
    for (let i = 0; i < 10; i++) await gz.write(randomBytes(1024 * 1024));
    return 'all written';
  })();
  const first = await Promise.race([pending, new Promise((r) => setTimeout(() => r('waiting'), 500))]);
  assert.is(first, 'waiting');
  gz.destroy(new Error('upload failed'));
  await pending.then(
    () => assert.unreachable('a write after destroy must fail'),
    (error: Error) => assert.is(error.message, 'upload failed'),
  );
});

test.run();
