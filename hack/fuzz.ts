// `make fuzz`: the seeded fuzzers at full size. Backup tarballs (hostile and broken archives through
// staging and restore) and the volume repository (damaged packs, indexes, manifests, config, locks
// and keys, then open, list, read, check and prune). Prints each fuzzer's figures; the last line is
// one JSON object; exits 1 on any failure, listing the first ones with their seed and case number
// to replay.
//   node --import tsx hack/fuzz.ts [--seed N] [--cases N] [--only archives|repository] [--case N]
// --cases sets both fuzzers' counts (default 11,000 archives, 100 of each repository damage kind);
// --case replays one repository case of the seed.
import { parseArgs } from 'node:util';
import { fuzzArchives } from '../internal/restore/fuzz/archive-fuzz.ts';
import { CASE_KINDS } from '../internal/volumes/repository/fuzz/repo-cases.ts';
import { fuzzRepository } from '../internal/volumes/repository/fuzz/repo-fuzz.ts';

const { values } = parseArgs({ options: { seed: { type: 'string' }, cases: { type: 'string' }, only: { type: 'string' }, case: { type: 'string' } } });
const seed = Number(values.seed ?? Date.now() % 2 ** 31);
const archiveCases = Number(values.cases ?? 11_000);
const repoCases = values.case !== undefined ? Number(values.case) + 1 : Number(values.cases ?? 100 * Object.keys(CASE_KINDS).length);
const only = values.case !== undefined ? 'repository' : values.only;
if (![seed, archiveCases, repoCases].every(Number.isSafeInteger) || archiveCases < 1 || repoCases < 1) {
  console.error('error: --seed, --cases and --case take whole numbers');
  process.exit(2);
}
if (only !== undefined && only !== 'archives' && only !== 'repository') {
  console.error('error: --only takes archives or repository');
  process.exit(2);
}

const summary: Record<string, unknown> = { bench: 'fuzz', seed };
let failed = 0;
const report = (name: string, failures: string[]) => {
  failed += failures.length;
  for (const f of failures.slice(0, 20)) console.error(`FAIL ${name}: ${f}`);
};

if (only !== 'repository') {
  const started = Date.now();
  const archives = await fuzzArchives({ seed, cases: archiveCases, onCase: (i) => i % 1000 === 0 && console.error(`archives: case ${i} of ${archiveCases}`) });
  report('archives', archives.failures);
  summary.archives = { cases: archives.cases, outcomes: archives.outcomes, failures: archives.failures.length, seconds: (Date.now() - started) / 1000 };
}

if (only !== 'archives') {
  const started = Date.now();
  const repository = await fuzzRepository({
    seed,
    cases: repoCases,
    only: values.case !== undefined ? Number(values.case) : undefined,
    onCase: (i) => i % 500 === 0 && console.error(`repository: case ${i} of ${repoCases}`),
  });
  report('repository', repository.failures);
  if (repository.failures.length) console.error(`replay one: node --import tsx hack/fuzz.ts --seed ${seed} --case <case number>`);
  summary.repository = { cases: repository.cases, kinds: Object.keys(repository.byKind).length, outcomes: repository.outcomes, failures: repository.failures.length, seconds: (Date.now() - started) / 1000, peak_rss_mb: repository.peakRssMb };
}

summary.peak_rss_mb = Math.round(process.resourceUsage().maxRSS / 1024);
console.log(JSON.stringify(summary));
process.exitCode = failed ? 1 : 0;
