// The pacer starts a full collection every N ticks: watched through Node's GC
// performance entries, not taken on trust.
import { constants, PerformanceObserver } from 'node:perf_hooks';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { GcPacer } from './gc-pacer.ts';

async function majorCollectionsDuring(work: () => void, waitMs: number): Promise<number> {
  let majors = 0;
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) if ((entry as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) majors++;
  });
  observer.observe({ entryTypes: ['gc'] });
  work();
  // Incremental marking finishes on the event loop; a little garbage moves it along.
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    void new Array(1000).fill(0).map((_, i) => ({ i }));
    await new Promise((r) => setTimeout(r, 10));
  }
  observer.disconnect();
  return majors;
}

test('a collection on every `every`th tick', async () => {
  const pacer = new GcPacer(1000);
  // "None before" is not asserted: in the unit suite's one process V8 may collect on its own then (seen in CI).
  for (let i = 0; i < 999; i++) pacer.tick();
  assert.ok((await majorCollectionsDuring(() => pacer.tick(), 2000)) >= 1, 'the 1,000th tick started a full collection');
  assert.ok((await majorCollectionsDuring(() => pacer.tick(1000), 2000)) >= 1, 'ticks count by n');
});

test('with a Buffer budget: a collection once Buffers grew by it', async () => {
  const pacer = new GcPacer(undefined, 16 * 1024 * 1024);
  // The first look sets the floor. "None without growth" is not asserted: V8 may collect on its own here.
  pacer.tick(500);
  const held = Array.from({ length: 24 }, () => Buffer.alloc(1024 * 1024, 1));
  assert.ok((await majorCollectionsDuring(() => pacer.tick(500), 2000)) >= 1, '24 MB more Buffers started one');
  assert.is(held.length, 24);
});

test.run();
