import { createHash } from 'node:crypto';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { Chunker, type ChunkerParams } from './chunker.ts';

/** Deterministic pseudo-random bytes: the same boundaries on every run. */
function randomBytes(n: number, seed = 'data'): Buffer {
  const out = Buffer.alloc(n);
  for (let i = 0, block = 0; i < n; i += 32, block++) createHash('sha256').update(`${seed}:${block}`).digest().copy(out, i);
  return out;
}

const SMALL: ChunkerParams = { minSize: 2048, avgSize: 8192, maxSize: 32768 };

function cut(data: Buffer, pieceSize: number, params = SMALL, seed = 's'): Buffer[] {
  const c = new Chunker(seed, params);
  const out: Buffer[] = [];
  for (let i = 0; i < data.length; i += pieceSize) out.push(...c.push(data.subarray(i, i + pieceSize)));
  out.push(...c.end());
  return out;
}

test('chunks join back to the input, within the size bounds, whatever the read sizes', () => {
  const data = randomBytes(1 << 20);
  const a = cut(data, 1000);
  const b = cut(data, 65536);
  const c = cut(data, data.length);
  assert.equal(Buffer.concat(a), data);
  assert.equal(a.map((x) => x.length), b.map((x) => x.length));
  assert.equal(a.map((x) => x.length), c.map((x) => x.length));
  for (const chunk of a.slice(0, -1)) assert.ok(chunk.length >= SMALL.minSize && chunk.length <= SMALL.maxSize, `size ${chunk.length}`);
  const avg = data.length / a.length;
  assert.ok(avg > 4000 && avg < 20000, `average ${avg}`);
});

test('an insertion changes only the chunks around it', () => {
  const data = randomBytes(1 << 20);
  const changed = Buffer.concat([data.subarray(0, 500_000), Buffer.from('inserted bytes'), data.subarray(500_000)]);
  const before = new Set(cut(data, 4096).map((c) => c.toString('hex')));
  const after = cut(changed, 4096);
  const fresh = after.filter((c) => !before.has(c.toString('hex')));
  // The chunk holding the insertion, perhaps split, and at most a neighbour before the cuts line up again.
  assert.ok(fresh.length >= 1 && fresh.length <= 4, `${fresh.length} new chunks of ${after.length}`);
  const firstFresh = after.findIndex((c) => !before.has(c.toString('hex')));
  assert.ok(after.slice(firstFresh + fresh.length).every((c) => before.has(c.toString('hex'))), 'the new chunks are together');
});

test('zeros and repeated text still cut at maxSize; the seed changes the boundaries', () => {
  const zeros = cut(Buffer.alloc(200_000), 7000);
  assert.ok(zeros.every((c, i) => i === zeros.length - 1 || c.length === SMALL.maxSize));
  const data = randomBytes(300_000);
  assert.not.equal(cut(data, 4096, SMALL, 'a').map((c) => c.length), cut(data, 4096, SMALL, 'b').map((c) => c.length));
});

test.run();
