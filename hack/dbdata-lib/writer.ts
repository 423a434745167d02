// `hack/dbdata writer` and `verify`: the ledger (ledger.ts) written as a steady stream of
// transactions through one long `kubectl exec -i` client session, and checked from a copy.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { client, kubectl, kubectlBinary } from './kubectl.ts';
import { LAST_ID_SQL, ledgerProblems, parseVerify, setupSql, transactionSql, verifySql } from './ledger.ts';
import type { Db } from './rows.ts';

interface Target {
  db: Db;
  /** --kubeconfig and -n for every kubectl call. */
  common: string[];
  pod: string;
}

/** Transactions sent ahead of the last confirmed commit: while the database is frozen, the writer waits. */
const WINDOW = 4;
/** How long the writer keeps reconnecting to a database it cannot reach. */
const GIVE_UP_MS = 120_000;

async function query(t: Target, sql: string): Promise<string> {
  const res = await kubectl([...t.common, 'exec', t.pod, '-c', t.db, '--', ...client(t.db, 'dump', sql)]);
  if (res.code !== 0) throw new Error(`${sql.slice(0, 40)}… through kubectl exec failed: ${res.stderr.trim() || res.stdout.trim()}`);
  return res.stdout.trim();
}

export async function runWriter(t: Target & { rate: number }): Promise<number> {
  const setup = await kubectl([...t.common, 'exec', '-i', t.pod, '-c', t.db, '--', ...client(t.db, 'write')], `${setupSql(t.db)}\n`);
  if (setup.code !== 0) throw new Error(`creating the ledger failed: ${setup.stderr.trim() || setup.stdout.trim()}`);
  let stopping = false;
  let wake: (() => void) | undefined;
  const stop = () => {
    stopping = true;
    wake?.();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  let lastCommitted = Number(await query(t, LAST_ID_SQL));
  let printed = lastCommitted;
  let lastPrint = 0;
  const report = (force = false) => {
    if (lastCommitted === printed && !force) return;
    if (!force && Date.now() - lastPrint < 1000) return;
    console.log(`committed ${lastCommitted}`);
    printed = lastCommitted;
    lastPrint = Date.now();
  };
  const interval = 1000 / t.rate;
  let lastReachable = Date.now();
  while (!stopping) {
    // One client session; when it ends (connection cut, pod restarted) a new one goes on after the
    // last transaction the database has, so no id is skipped or written twice.
    const session = spawn(kubectlBinary(), [...t.common, 'exec', '-i', t.pod, '-c', t.db, '--', ...client(t.db, 'stream')], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    session.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    session.stdin.on('error', () => {});
    let ended = false;
    const exited = new Promise<number>((resolve) => session.on('exit', (code) => resolve(code ?? 1)));
    void exited.then(() => {
      ended = true;
      wake?.();
    });
    createInterface({ input: session.stdout }).on('line', (line) => {
      const m = /^committed (\d+)$/.exec(line.trim());
      if (!m) return;
      lastCommitted = Math.max(lastCommitted, Number(m[1]));
      report();
      wake?.();
    });
    let next = lastCommitted + 1;
    let due = Date.now();
    while (!stopping && !ended) {
      if (next - lastCommitted > WINDOW) {
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 1000);
        });
        wake = undefined;
        continue;
      }
      session.stdin.write(transactionSql(t.db, next++));
      due += interval;
      const wait = due - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      else due = Date.now();
    }
    session.stdin.end();
    const timer = setTimeout(() => session.kill('SIGKILL'), 15_000);
    const code = await exited;
    clearTimeout(timer);
    if (stopping) break;
    console.log(`session ended (exit ${code}${stderr.trim() ? `: ${stderr.trim().split('\n').at(-1)}` : ''}); reconnecting`);
    // A database (or cluster) gone for good ends the writer, rather than a loop that never stops.
    for (;;) {
      await new Promise((r) => setTimeout(r, 1000));
      try {
        lastCommitted = Number(await query(t, LAST_ID_SQL));
        lastReachable = Date.now();
        break;
      } catch (error) {
        if (stopping) break;
        if (Date.now() - lastReachable > GIVE_UP_MS) throw new Error(`the database has been unreachable for ${GIVE_UP_MS / 1000} s (last committed id ${lastCommitted}): ${(error as Error).message}`);
      }
    }
  }
  report(true);
  console.log(`last committed id ${lastCommitted}`);
  return 0;
}

export async function verifyLedger(t: Target): Promise<number> {
  const state = parseVerify(await query(t, verifySql(t.db)));
  const problems = ledgerProblems(state);
  if (problems.length) {
    for (const p of problems) console.log(`inconsistent: ${p}`);
    return 1;
  }
  console.log(`consistent: ${state.maxId} transactions, total ${state.total}`);
  console.log(String(state.maxId));
  return 0;
}
