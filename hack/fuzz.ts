// `make fuzz`: the seeded fuzzers at full size. Backup tarballs (hostile and broken archives through
// staging and restore) and, where it is built, the volume repository (damaged packs, indexes,
// manifests, config). Prints each fuzzer's figures; the last line is one JSON object; exits 1 on
// any failure, listing the first ones with their seed and case number to replay.
//   node --import tsx hack/fuzz.ts [--seed N] [--cases N]
import { parseArgs } from 'node:util';
import { fuzzArchives } from '../internal/restore/fuzz/archive-fuzz.ts';

const { values } = parseArgs({ options: { seed: { type: 'string' }, cases: { type: 'string' } } });
const seed = Number(values.seed ?? Date.now() % 2 ** 31);
const cases = Number(values.cases ?? 11_000);
if (!Number.isSafeInteger(seed) || !Number.isSafeInteger(cases) || cases < 1) {
  console.error('error: --seed and --cases take whole numbers');
  process.exit(2);
}

const started = Date.now();
const archives = await fuzzArchives({ seed, cases, onCase: (i) => i % 1000 === 0 && console.error(`archives: case ${i} of ${cases}`) });
const archiveSeconds = (Date.now() - started) / 1000;
const failures = [...archives.failures];
for (const f of failures.slice(0, 20)) console.error(`FAIL ${f}`);
console.log(JSON.stringify({ bench: 'fuzz', seed, archives: { cases: archives.cases, outcomes: archives.outcomes, failures: archives.failures.length, seconds: archiveSeconds }, peak_rss_mb: Math.round(process.resourceUsage().maxRSS / 1024) }));
process.exitCode = failures.length ? 1 : 0;
