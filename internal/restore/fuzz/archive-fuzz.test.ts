// The fast subset of `make fuzz`: 1,100 seeded hostile and broken backup tarballs (100 of each
// kind) through staging and restore. A failure names its seed and case; replay it with
// `make fuzz FUZZ_SEED=<seed>`.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fuzzArchives } from './archive-fuzz.ts';
import { CASE_KINDS } from './archive-cases.ts';

test('1,100 hostile archives: no crash, no write outside the target, nothing unsafe printed', async () => {
  const report = await fuzzArchives({ seed: 20261202, cases: 100 * Object.keys(CASE_KINDS).length });
  assert.equal(report.failures, []);
  // Every kind ran, and the cases reached both the refusal and the restore paths.
  assert.is(Object.keys(report.byKind).length, Object.keys(CASE_KINDS).length);
  assert.ok((report.outcomes.refused ?? 0) > 100 && (report.outcomes['partially-failed'] ?? 0) > 100, JSON.stringify(report.outcomes));
  assert.ok(process.memoryUsage().rss < 1.5e9, `RSS ${process.memoryUsage().rss}`);
});

test.run();
