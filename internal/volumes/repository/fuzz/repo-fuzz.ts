// The volume-repository fuzzer: seeded damage to a real repository on a local directory store,
// then the readers (repo-case.ts says what must hold for each). Around every case: a time limit
// (a hang is a failure, not a stuck run), a memory bound, no file written beside the store's
// directory, and no unhandled rejection or uncaught exception while it runs.
// Cases run two at a time, each in its own copy with its own seed.
//
// The base repositories are made once per run from the seed; the repository's own random ids
// (packs, snapshots, nonces) differ between runs, so a replay hits the same kind of damage at the
// same place (the same chunk, pack or manifest by position), not byte-identical files.
import { accessSync, constants, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { pool } from '../../../collections/pool.ts';
import { Prng } from '../../../restore/fuzz/prng.ts';
import { REPO_PREFIX } from '../../../storage/layout.ts';
import { RepoFiles } from './damage-kit.ts';
import { writeBaseRepository, type BaseRepository } from './repo-base.ts';
import { runRepoCase } from './repo-case.ts';
import { CASE_KINDS, encryptedShare } from './repo-cases.ts';

const CANARY = 'outside/canary.txt';
const DEFAULT_CASE_TIMEOUT_MS = 30_000;
/** Two cases at once: while one waits for the file system, the other runs. */
const DEFAULT_CONCURRENCY = 2;
const RSS_LIMIT = 1.5e9;

export interface RepoFuzzReport {
  cases: number;
  byKind: Record<string, number>;
  /** How cases ended: refused / read-failed / read-ok, and what check, listing and prune did. */
  outcomes: Record<string, number>;
  failures: string[];
  peakRssMb: number;
}

export interface RepoFuzzOptions {
  seed: number;
  cases: number;
  /** Run only this case number (the others are drawn and skipped): a replay. */
  only?: number;
  /** Cases run at once (each in its own directory, with its own seed): 2 by default. */
  concurrency?: number;
  caseTimeoutMs?: number;
  onCase?: (i: number, kind: string) => void;
}

/** Files in `caseDir` other than the store's repository and the canary: writes outside the target. */
function strayFiles(caseDir: string): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const full = join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else out.push(relative(caseDir, full).split(sep).join('/'));
    }
  };
  walk(caseDir);
  return out.filter((f) => f !== CANARY && !f.startsWith(`store/${REPO_PREFIX}`));
}

/**
 * Where the cases' copies go: a memory file system where there is one. Each case copies, damages
 * and removes a directory of ~30 files; on a busy disk the removal alone took ~30 ms a case.
 */
function workRoot(): string {
  try {
    accessSync('/dev/shm', constants.W_OK);
    return '/dev/shm';
  } catch {
    return tmpdir();
  }
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer!: NodeJS.Timeout;
  const timeout = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), ms)));
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export async function fuzzRepository(opts: RepoFuzzOptions): Promise<RepoFuzzReport> {
  const rng = new Prng(opts.seed);
  const kinds = Object.keys(CASE_KINDS);
  const report: RepoFuzzReport = { cases: 0, byKind: {}, outcomes: {}, failures: [], peakRssMb: 0 };
  const work = mkdtempSync(join(workRoot(), 'kv-repo-fuzz-'));
  /** The cases in flight: an unhandled rejection or uncaught exception is laid at their door. */
  const running = new Set<string>();
  const stray = (what: string) => (error: unknown) => {
    const where = [...running].join(' or ') || `seed ${opts.seed} (setting up)`;
    report.failures.push(`${where}: ${what}: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`.slice(0, 600));
  };
  const onRejection = stray('unhandled rejection');
  const onException = stray('uncaught exception');
  process.on('unhandledRejection', onRejection);
  process.on('uncaughtException', onException);
  const timeoutMs = opts.caseTimeoutMs ?? DEFAULT_CASE_TIMEOUT_MS;
  try {
    const bases: BaseRepository[] = [];
    for (const encrypted of [false, true]) {
      const dir = join(work, encrypted ? 'base-encrypted' : 'base-plain');
      mkdirSync(dir);
      bases.push(await writeBaseRepository(dir, new Prng(rng.int(2 ** 32)), encrypted));
    }
    // Each case's seed is drawn in order, so case i is the same whatever runs beside it.
    const seeds = Array.from({ length: opts.cases }, () => rng.int(2 ** 32));
    const runCase = async (i: number) => {
      const kind = kinds[i % kinds.length]!;
      const caseRng = new Prng(seeds[i]!);
      const base = bases[caseRng.chance(encryptedShare(kind)) ? 1 : 0]!;
      const label = `seed ${opts.seed} case ${i} (${kind}, ${base.encrypted ? 'encrypted' : 'plain'})`;
      opts.onCase?.(i, kind);
      running.add(label);
      const caseDir = join(work, `case-${i}`);
      const storeDir = join(caseDir, 'store');
      cpSync(base.dir, storeDir, { recursive: true });
      mkdirSync(join(caseDir, 'outside'));
      writeFileSync(join(caseDir, CANARY), 'canary');
      const setup = CASE_KINDS[kind]!({ rng: caseRng, files: new RepoFiles(storeDir), base }) ?? {};
      const run = runRepoCase(label, storeDir, base, setup, caseRng, report.failures).catch((error: unknown) => {
        report.failures.push(`${label}: the fuzzer's own checks threw: ${String((error as Error)?.stack ?? error).slice(0, 600)}`);
        return ['fuzzer-error'];
      });
      const tags = await withTimeout(run, timeoutMs);
      running.delete(label);
      if (tags === 'timeout') report.failures.push(`${label}: no end after ${timeoutMs / 1000} s (a hang)`);
      for (const tag of tags === 'timeout' ? ['timeout'] : new Set(tags)) report.outcomes[tag] = (report.outcomes[tag] ?? 0) + 1;
      const strays = strayFiles(caseDir);
      if (strays.length) report.failures.push(`${label}: files written outside the repository: ${strays.slice(0, 3).join(', ')}`);
      if (readFileSync(join(caseDir, CANARY), 'utf8') !== 'canary') report.failures.push(`${label}: the file beside the store changed`);
      // A timed-out case may still be running: its directory stays until the run ends.
      if (tags !== 'timeout') rmSync(caseDir, { recursive: true, force: true });
      const rss = process.memoryUsage().rss;
      report.peakRssMb = Math.max(report.peakRssMb, Math.round(rss / 1e6));
      if (rss > RSS_LIMIT) report.failures.push(`${label}: RSS ${Math.round(rss / 1e6)} MB after the case`);
      report.cases++;
      report.byKind[kind] = (report.byKind[kind] ?? 0) + 1;
    };
    const numbers = [...seeds.keys()].filter((i) => opts.only === undefined || i === opts.only);
    await pool(numbers, opts.concurrency ?? DEFAULT_CONCURRENCY, runCase);
  } finally {
    process.off('unhandledRejection', onRejection);
    process.off('uncaughtException', onException);
    rmSync(work, { recursive: true, force: true });
  }
  return report;
}
