import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { abortableSleep, runScheduleLoop } from './run-loop.ts';
import type { RunOutcome } from './run-schedules.ts';

test('sleeps until the next due time, capped, and stops when aborted', async () => {
  let clock = 0;
  const sleeps: number[] = [];
  const stop = new AbortController();
  const dues = [5_000, 500_000, undefined];
  let pass = 0;
  const outcome = await runScheduleLoop({
    now: () => new Date(clock),
    runPass: async (): Promise<RunOutcome> => {
      const due = dues[pass++];
      if (pass === 3) stop.abort();
      return { taken: [], failures: pass === 2 ? 1 : 0, nextDue: due === undefined ? undefined : new Date(clock + due) };
    },
    sleep: async (ms) => {
      sleeps.push(ms);
      clock += ms;
    },
    signal: stop.signal,
  });
  assert.equal(sleeps, [5_000, 60_000]);
  assert.equal(outcome, { passes: 3, taken: 0, failures: 1 });
});

test('a due time already past: the next pass comes at once (after a breath)', async () => {
  const stop = new AbortController();
  const sleeps: number[] = [];
  await runScheduleLoop({
    now: () => new Date(10_000),
    runPass: async () => ({ taken: [], failures: 0, nextDue: new Date(9_000) }),
    sleep: async (ms) => {
      sleeps.push(ms);
      stop.abort();
    },
    signal: stop.signal,
  });
  assert.equal(sleeps, [200]);
});

test('abortableSleep ends early on abort', async () => {
  const stop = new AbortController();
  const started = Date.now();
  setTimeout(() => stop.abort(), 20);
  await abortableSleep(10_000, stop.signal);
  assert.ok(Date.now() - started < 1000);
});

test.run();
