// One `schedule run` at a time takes a schedule's backup, across processes and machines, with
// nothing but the object store's put, list and delete (no compare-and-set there): write your own
// lock first, then list; alone, you hold it; not alone, remove yours, wait a random moment and
// look again. Two that write at once both see each other and both step back, never both go on:
// whoever listed first cannot have missed a lock written before its own. A lock is renewed while
// held and ignored once stale (its process died), like a backup's heartbeat (backup/in-progress.ts).
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { renewSeconds as defaultRenewSeconds } from '../backup/in-progress.ts';
import { scheduleKeys } from '../storage/layout.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { readJsonIfExists } from '../storage/object-reads.ts';

export interface LockRecord {
  schedule: string;
  /** host/pid, for the message another process prints. */
  holder: string;
  /** When the holder last renewed it (RFC 3339). */
  heartbeat: string;
  renewSeconds: number;
}

export interface RunLock {
  /** Stops renewing and removes the lock. */
  release(): Promise<void>;
}

export type LockOutcome = { held: RunLock } | { busy: string };

export interface LockOptions {
  /** How many times to step back and look again after meeting another lock being written (default 6). */
  attempts?: number;
  renewSeconds?: number;
  holder?: string;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const STALE_AFTER_BEATS = 4;

export function isStaleLock(record: LockRecord, now: number): boolean {
  const beat = Date.parse(record.heartbeat);
  return !Number.isFinite(beat) || now - beat > STALE_AFTER_BEATS * Math.max(1, record.renewSeconds) * 1000;
}

/** The live locks of the schedule other than `mine`; stale ones are removed on the way. */
async function otherLocks(store: ObjectStore, schedule: string, mine: string | undefined, now: number): Promise<LockRecord[]> {
  const out: LockRecord[] = [];
  for await (const key of store.list(scheduleKeys(schedule).locks)) {
    if (key === mine) continue;
    const record = await readJsonIfExists<LockRecord>(store, key).catch(() => undefined);
    if (!record) continue;
    if (isStaleLock(record, now)) await store.delete(key).catch(() => undefined);
    else out.push(record);
  }
  return out;
}

export async function acquireRunLock(store: ObjectStore, schedule: string, options: LockOptions = {}): Promise<LockOutcome> {
  const attempts = options.attempts ?? 6;
  const every = options.renewSeconds ?? defaultRenewSeconds();
  const holder = options.holder ?? `${hostname()}/${process.pid}`;
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const key = scheduleKeys(schedule).lock(`${now().toString(36)}-${randomBytes(6).toString('hex')}`);
  const write = () => store.put(key, JSON.stringify({ schedule, holder, heartbeat: new Date(now()).toISOString(), renewSeconds: every } satisfies LockRecord), { contentType: 'application/json' });

  let seen: LockRecord[] = [];
  for (let attempt = 0; attempt < attempts; attempt++) {
    // Someone holds it already (or is about to): theirs to take.
    seen = await otherLocks(store, schedule, undefined, now());
    if (seen.length) return { busy: seen[0]!.holder };
    await write();
    seen = await otherLocks(store, schedule, key, now());
    if (!seen.length) return { held: renewed(store, key, write, every) };
    // Written at the same moment as another: both step back, for a random while so one goes first.
    await store.delete(key);
    await sleep(Math.round((100 + random() * 400) * (attempt + 1)));
  }
  return { busy: seen[0]?.holder ?? 'another schedule run' };
}

function renewed(store: ObjectStore, key: string, write: () => Promise<void>, every: number): RunLock {
  let writing: Promise<void> = Promise.resolve();
  const timer = setInterval(() => {
    writing = writing.then(write).catch(() => undefined);
  }, every * 1000);
  timer.unref();
  return {
    async release() {
      clearInterval(timer);
      await writing;
      await store.delete(key).catch(() => undefined);
    },
  };
}
