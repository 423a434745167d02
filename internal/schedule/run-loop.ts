// `schedule run --loop`: a pass, then sleep until the earliest due time, and again, until the
// signal is aborted. The sleep is capped so that schedules created, paused or changed from
// another machine are seen within a minute (Velero's controller re-lists every minute too).
import type { RunOutcome } from './run-schedules.ts';

export interface LoopInput {
  runPass(): Promise<RunOutcome>;
  now(): Date;
  /** Resolves after `ms`, or at once when the signal is aborted. */
  sleep(ms: number, signal: AbortSignal): Promise<void>;
  signal: AbortSignal;
  /** Longest sleep between passes (default one minute). */
  recheckMs?: number;
  onSleep?(until: Date): void;
}

export interface LoopOutcome {
  passes: number;
  taken: number;
  failures: number;
}

const MIN_SLEEP_MS = 200;

export async function runScheduleLoop(input: LoopInput): Promise<LoopOutcome> {
  const recheck = input.recheckMs ?? 60_000;
  const total: LoopOutcome = { passes: 0, taken: 0, failures: 0 };
  while (!input.signal.aborted) {
    const pass = await input.runPass();
    total.passes++;
    total.taken += pass.taken.length;
    total.failures += pass.failures;
    if (input.signal.aborted) break;
    const now = input.now().getTime();
    const wait = Math.max(MIN_SLEEP_MS, Math.min(recheck, (pass.nextDue?.getTime() ?? Infinity) - now));
    input.onSleep?.(new Date(now + wait));
    await input.sleep(wait, input.signal);
  }
  return total;
}

/** A sleep that ends early when the signal is aborted. */
export function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}
