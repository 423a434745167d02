import { gunzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GzipBatches } from './gzip-batches.ts';

test('text in, one gzip stream out: batches become members, a text larger than a batch is kept whole, nothing is empty gzip', () => {
  assert.is(gunzipSync(new GzipBatches().gzipped()).toString('utf8'), '');
  const out = new GzipBatches();
  const parts = ['first line\n', 'x'.repeat(300 * 1024), '\n', ...Array.from({ length: 20_000 }, (_, i) => `line ${i} caf\u00e9\n`)];
  for (const part of parts) out.text(part);
  const gz = out.gzipped();
  let members = 0;
  for (let i = 0; i + 2 < gz.length; i++) if (gz[i] === 0x1f && gz[i + 1] === 0x8b && gz[i + 2] === 0x08) members++;
  assert.ok(members >= 3, `${members} members`);
  assert.ok(gunzipSync(gz).toString('utf8') === parts.join(''), 'the text read back whole');
  // More text after a read: the next read has all of it.
  out.text('after\n');
  assert.ok(gunzipSync(out.gzipped()).toString('utf8') === `${parts.join('')}after\n`);
});

test.run();
