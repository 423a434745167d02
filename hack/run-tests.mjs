// Runs the project's tests and ends with the plain line "N passed, N failed" that CI reads.
//   node hack/run-tests.mjs [all|unit|e2e] [filter]
// all = type-check (tsc --noEmit) + unit tests beside the code (cmd/, internal/, hack/) + e2e/.
// Exits non-zero when anything failed, or when no test ran at all.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const binDir = join(root, 'node_modules', '.bin');
const env = { ...process.env, PATH: `${binDir}:${process.env.PATH}` };
const [mode = 'all', filter] = process.argv.slice(2);

/** The test files a run takes: all, or those whose path matches the filter given. */
const pattern = filter ? `${filter}.*\\.test\\.ts$` : '\\.test\\.ts$';

const stripAnsi = (s) => s.replace(/\x1b\[[0-9;]*m/g, '');

/** Runs a command; `buffered` keeps its output until it ends (lanes running side by side). */
function run(cmd, args, buffered = false) {
  return new Promise((resolve) => {
    let out = '';
    const child = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => { if (!buffered) process.stdout.write(d); out += d; });
    child.stderr.on('data', (d) => { if (!buffered) process.stderr.write(d); out += d; });
    // 'close', not 'exit': all of the output has been read by then.
    child.on('close', (code, signal) => {
      if (buffered) process.stdout.write(out);
      resolve({ code: code ?? (signal ? 128 : 1), out: stripAnsi(out) });
    });
  });
}

/** The line hack/uvu-hook-errors.cjs prints above a before hook's error. */
const BEFORE_HOOK_FAILED = "the suite's before hook failed";

const totals = { passed: 0, failed: 0, skipped: 0 };
/** One line per failed test, repeated just above the summary: CI may keep only the end of the output. */
const failures = [];

/**
 * The tests uvu reported as failed in `out`, each with the first line of its message, and a before
 * hook that threw (uvu counts each of its suite's tests as failed and names none of them;
 * hack/uvu-hook-errors.cjs prints the error after a marker line).
 */
function failedTests(where, out) {
  const lines = out.split('\n');
  const found = [];
  lines.forEach((line, i) => {
    const next = () => lines.slice(i + 1).find((l) => l.trim())?.trim() ?? '';
    if (line.includes(BEFORE_HOOK_FAILED)) {
      found.push(`${where}: the before hook — ${next().slice(0, 1000)}`);
      return;
    }
    // `FAIL "test"`, or `FAIL suite "test"` for a test of a named suite.
    const [, suite, test] = /^\s*FAIL\s+(?:([^"\s].*?)\s+)?"(.*)"\s*$/.exec(line) ?? [];
    if (test === undefined) return;
    const name = suite ? `${suite} › ${test}` : test;
    const message = next();
    found.push(`${where}: ${name.slice(0, 160)}${message ? ` — ${message.slice(0, 200)}` : ''}`);
  });
  return found;
}

async function uvu(dir, pattern, buffered = false, label = dir) {
  const { code, out } = await run('uvu', ['-r', 'tsx', '-r', join(root, 'hack', 'uvu-hook-errors.cjs'), dir, pattern], buffered);
  const num = (field) => Number(new RegExp(`${field}:\\s+(\\d+)`).exec(out)?.[1] ?? 0);
  const total = num('Total');
  const passed = num('Passed');
  const skipped = num('Skipped');
  // A crash before uvu's summary (import error, unhandled rejection) counts as one failure.
  const failed = Math.max(total - passed - skipped, code !== 0 && total === passed + skipped ? 1 : 0);
  totals.passed += passed;
  totals.skipped += skipped;
  totals.failed += failed;
  const named = failedTests(label, out);
  failures.push(...named);
  if (failed > named.length && !out.includes(BEFORE_HOOK_FAILED)) failures.push(`${label}: ${failed - named.length} failure(s) not named by uvu (exit code ${code}; a crash before its summary?)`);
  return { passed, failed };
}

async function uvuGroup(dir) {
  if (!existsSync(join(root, dir))) return;
  console.log(`\n=== ${dir}: uvu ${pattern}`);
  await uvu(dir, pattern);
}

// Files that never run side by side: they rebuild or read the release outputs (`make image` wipes
// build/sea and rewrites dist/ and krew/velero.yaml, which the Krew install test reads).
const EXCLUSIVE_GROUPS = [['krew-install.test.ts', 'schedule-in-cluster.test.ts', 'schedule-in-cluster-csi.test.ts']];
const conflict = (a, b) => EXCLUSIVE_GROUPS.some((group) => group.includes(a) && group.includes(b));

// e2e files run one process each, so that each one's time is known (most of CI's time is here) and
// a crash in one file does not hide the others' results. E2E_JOBS=N runs N files side by side
// (each starts its own clusters on its own ports and node slot), longest first by the times in
// hack/e2e-durations.json, with each file's output printed whole when it ends.
async function e2eFiles() {
  const dir = 'e2e';
  const re = new RegExp(pattern);
  const expected = JSON.parse(readFileSync(join(root, 'hack', 'e2e-durations.json'), 'utf8'));
  // A file not in the table yet goes early: it may be long.
  const guess = (file) => expected[file] ?? 120;
  const files = readdirSync(join(root, dir)).filter((f) => re.test(f)).sort((a, b) => guess(b) - guess(a) || a.localeCompare(b));
  const jobs = Math.max(1, Math.min(files.length, Number(process.env.E2E_JOBS) || 1));
  console.log(`\n=== ${dir}: ${files.length} files, one uvu process each, ${jobs} at a time`);
  const times = [];
  const queue = [...files];
  const running = new Set();
  /** Lanes waiting for a file to end, so that one held back by a conflict may start. */
  const waiting = [];
  const finished = () => {
    for (const wake of waiting.splice(0)) wake();
  };
  const suiteStarted = Date.now();
  // The next file in the queue that may run beside those running, or undefined when none may yet.
  const next = () => {
    const i = queue.findIndex((file) => ![...running].some((other) => conflict(file, other)));
    return i < 0 ? undefined : queue.splice(i, 1)[0];
  };
  const lane = async () => {
    while (queue.length) {
      const file = next();
      if (!file) {
        await new Promise((resolve) => waiting.push(resolve));
        continue;
      }
      running.add(file);
      const started = Date.now();
      const { passed, failed } = await uvu(dir, `^${file.replace(/\./g, '\\.')}$`, jobs > 1, `${dir}/${file}`);
      running.delete(file);
      finished();
      const seconds = Math.round((Date.now() - started) / 1000);
      times.push({ file, seconds });
      console.log(`--- ${dir}/${file}: ${passed} passed, ${failed} failed in ${seconds} s`);
    }
  };
  await Promise.all(Array.from({ length: jobs }, lane));
  console.log(`\n=== ${dir} times, slowest first (all files: ${Math.round((Date.now() - suiteStarted) / 1000)} s)`);
  for (const { file, seconds } of times.sort((a, b) => b.seconds - a.seconds)) console.log(`${String(seconds).padStart(6)} s  ${file}`);
}

if (mode === 'all') {
  console.log('=== type-check: tsc --noEmit');
  const { code } = await run('tsc', ['--noEmit']);
  if (code === 0) totals.passed += 1;
  else {
    totals.failed += 1;
    failures.push('tsc --noEmit: type errors (above)');
  }
}
if (mode === 'all' || mode === 'unit') for (const dir of ['cmd', 'internal', 'hack']) await uvuGroup(dir);
if (mode === 'all' || mode === 'e2e') await e2eFiles();

const ran = totals.passed + totals.failed;
if (failures.length) console.log(`\n=== failed\n${failures.join('\n')}`);
console.log(`\n${totals.passed} passed, ${totals.failed} failed${totals.skipped ? `, ${totals.skipped} skipped` : ''}`);
if (ran === 0) console.error('no test ran');
process.exitCode = totals.failed > 0 || ran === 0 ? 1 : 0;
