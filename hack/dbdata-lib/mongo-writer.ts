// `hack/dbdata writer|verify --db ferretdb`: the ledger for a MongoDB-compatible database, through
// `kubectl port-forward` with the official `mongodb` driver. FerretDB v1 has no multi-document
// transactions, so each ledger entry is one document carrying the running total up to itself:
// {_id: i, amount: amount(i), total: total(i-1) + amount(i)}. A copy is consistent when the ids are
// 1..N without a gap and every total is the previous one plus the amount.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Collection, MongoClient } from 'mongodb';
import { kubectlBinary } from './kubectl.ts';
import { amount } from './ledger.ts';
import { DATABASE } from './rows.ts';

interface Target {
  /** --kubeconfig and -n for every kubectl call. */
  common: string[];
  pod: string;
}

interface Entry {
  _id: number;
  amount: number;
  total: number;
}

const GIVE_UP_MS = 120_000;

/** `kubectl port-forward` to the pod's 27017 on a free local port; resolves once it listens. */
function portForward(t: Target): Promise<{ port: number; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(kubectlBinary(), [...t.common, 'port-forward', `pod/${t.pod}`, ':27017'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kubectl port-forward to ${t.pod} did not start: ${stderr.trim()}`));
    }, 30_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const m = /Forwarding from 127\.0\.0\.1:(\d+)/.exec(line);
      if (!m) return;
      clearTimeout(timer);
      resolve({ port: Number(m[1]), child });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kubectl port-forward to ${t.pod} exited with ${code}: ${stderr.trim()}`));
    });
  });
}

async function connect(t: Target): Promise<{ client: MongoClient; ledger: Collection<Entry>; close(): Promise<void> }> {
  const { MongoClient } = await import('mongodb');
  const { port, child } = await portForward(t);
  const client = new MongoClient(`mongodb://127.0.0.1:${port}/`, { directConnection: true, serverSelectionTimeoutMS: 10_000, socketTimeoutMS: 30_000 });
  try {
    await client.connect();
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return {
    client,
    ledger: client.db(DATABASE).collection<Entry>('ledger'),
    async close() {
      await client.close().catch(() => undefined);
      child.kill('SIGTERM');
    },
  };
}

async function lastEntry(ledger: Collection<Entry>): Promise<Entry | undefined> {
  return (await ledger.find().sort({ _id: -1 }).limit(1).toArray())[0] ?? undefined;
}

export async function runMongoWriter(t: Target & { rate: number }): Promise<number> {
  let stopping = false;
  const stop = () => (stopping = true);
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  let lastCommitted = 0;
  let lastPrint = 0;
  let printed = -1;
  const report = (force = false) => {
    if (lastCommitted === printed || (!force && Date.now() - lastPrint < 1000)) return;
    console.log(`committed ${lastCommitted}`);
    printed = lastCommitted;
    lastPrint = Date.now();
  };
  let lastReachable = Date.now();
  const interval = 1000 / t.rate;
  while (!stopping) {
    let session: Awaited<ReturnType<typeof connect>>;
    try {
      session = await connect(t);
    } catch (error) {
      if (Date.now() - lastReachable > GIVE_UP_MS) throw new Error(`the database has been unreachable for ${GIVE_UP_MS / 1000} s (last committed id ${lastCommitted}): ${(error as Error).message}`);
      await new Promise((r) => setTimeout(r, 1000));
      continue;
    }
    try {
      // Where a (re)started writer goes on: after the last entry the database has.
      const last = await lastEntry(session.ledger);
      let total = last?.total ?? 0;
      lastCommitted = last?._id ?? 0;
      let due = Date.now();
      while (!stopping) {
        const id = lastCommitted + 1;
        const a = amount(id);
        // Acknowledged (w: 1) means committed to the SQLite file's WAL.
        await session.ledger.insertOne({ _id: id, amount: a, total: total + a });
        total += a;
        lastCommitted = id;
        lastReachable = Date.now();
        report();
        due += interval;
        const wait = due - Date.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
        else due = Date.now();
      }
    } catch (error) {
      console.log(`session ended (${(error as Error).message.split('\n')[0]}); reconnecting`);
      if (Date.now() - lastReachable > GIVE_UP_MS) throw error;
      await new Promise((r) => setTimeout(r, 1000));
    } finally {
      await session.close();
    }
  }
  report(true);
  console.log(`last committed id ${lastCommitted}`);
  return 0;
}

export async function verifyMongoLedger(t: Target): Promise<number> {
  const session = await connect(t);
  try {
    let expected = 1;
    let total = 0;
    const problems: string[] = [];
    for await (const e of session.ledger.find().sort({ _id: 1 })) {
      if (e._id !== expected) {
        problems.push(`entry ${e._id} where ${expected} was expected: a gap`);
        break;
      }
      total += amount(e._id);
      if (e.amount !== amount(e._id) || e.total !== total) {
        problems.push(`entry ${e._id}: amount ${e.amount}, total ${e.total}; expected ${amount(e._id)}, ${total}`);
        break;
      }
      expected++;
    }
    if (problems.length) {
      for (const p of problems) console.log(`inconsistent: ${p}`);
      return 1;
    }
    console.log(`consistent: ${expected - 1} transactions, total ${total}`);
    console.log(String(expected - 1));
    return 0;
  } finally {
    await session.close();
  }
}
