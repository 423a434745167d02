// The fast subset of `make fuzz` for the volume repository: 990 seeded damages (18 of each of the
// 55 kinds) to a real repository, plain and encrypted, then open, list, read, check and prune. A
// failure names its seed and case; replay it with
// `node --import tsx hack/fuzz.ts --seed <seed> --case <case>`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { unclearError } from './clear-errors.ts';
import { CASE_KINDS } from './repo-cases.ts';
import { fuzzRepository } from './repo-fuzz.ts';

const PER_KIND = 18;

test(`${PER_KIND} damages of each of the ${Object.keys(CASE_KINDS).length} kinds: clear errors or the bytes written, and check names the damage`, async () => {
  const report = await fuzzRepository({ seed: 20261203, cases: PER_KIND * Object.keys(CASE_KINDS).length });
  assert.equal(report.failures, []);
  assert.is(Object.keys(report.byKind).length, Object.keys(CASE_KINDS).length);
  // The cases reach every ending: refused at open, reads that fail, reads that survive, check
  // reporting, prune done and refused.
  for (const outcome of ['refused', 'read-failed', 'read-ok', 'check-reported', 'check-clean', 'pruned', 'prune-refused']) assert.ok((report.outcomes[outcome] ?? 0) > 10, `${outcome}: ${JSON.stringify(report.outcomes)}`);
  assert.ok(report.peakRssMb < 1500, `peak RSS ${report.peakRssMb} MB`);
});

test('what the fuzzer counts as a clear error', () => {
  assert.is(unclearError(new Error('the pack index x in y is damaged: it is null, not an object')), undefined);
  for (const raw of [new TypeError('index.blobs is not iterable'), new SyntaxError('Unexpected end of JSON input'), new RangeError('Invalid time value'), 'a string', Object.assign(new Error('ENOENT: no such file'), { syscall: 'open' }), new Error(''), new Error('two\nlines'), new Error('bidi \u202e'), new Error('x'.repeat(2000))]) {
    assert.type(unclearError(raw), 'string', String(raw));
  }
});

test.run();
