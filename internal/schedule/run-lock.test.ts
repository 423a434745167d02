// The run lock over a store with no compare-and-set: whatever the interleaving, never two holders.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryStore } from '../backup/memory-store.test-helpers.ts';
import { acquireRunLock, type LockOutcome } from './run-lock.ts';

const fast = { sleep: () => new Promise<void>((r) => setTimeout(r, 1)) };

test('alone: held, and released', async () => {
  const store = new MemoryStore();
  const outcome = await acquireRunLock(store, 'daily', { ...fast, holder: 'a/1' });
  assert.ok('held' in outcome);
  const keys = [...store.objects.keys()];
  assert.is(keys.length, 1);
  assert.match(keys[0]!, /^plugins\/kubectl-velero\/schedule-locks\/daily\/[0-9a-z]+-[0-9a-f]{12}\.json$/);
  assert.is(JSON.parse(store.objects.get(keys[0]!)!.toString()).holder, 'a/1');
  if ('held' in outcome) await outcome.held.release();
  assert.is(store.objects.size, 0);
});

test('held by another: busy, naming the holder; free again once released', async () => {
  const store = new MemoryStore();
  const first = await acquireRunLock(store, 'daily', { ...fast, holder: 'a/1' });
  const second = await acquireRunLock(store, 'daily', { ...fast, holder: 'b/2' });
  assert.equal(second, { busy: 'a/1' });
  if ('held' in first) await first.held.release();
  assert.ok('held' in (await acquireRunLock(store, 'daily', { ...fast, holder: 'b/2' })));
});

test('another schedule\'s lock is no obstacle', async () => {
  const store = new MemoryStore();
  await acquireRunLock(store, 'daily', fast);
  assert.ok('held' in (await acquireRunLock(store, 'weekly', fast)));
});

test('a stale lock (its process died) is ignored and cleared', async () => {
  const store = new MemoryStore();
  store.objects.set('plugins/kubectl-velero/schedule-locks/daily/old.json', Buffer.from(JSON.stringify({ schedule: 'daily', holder: 'gone/9', heartbeat: '2026-01-01T00:00:00Z', renewSeconds: 30 })));
  const outcome = await acquireRunLock(store, 'daily', fast);
  assert.ok('held' in outcome);
  assert.not.ok(store.objects.has('plugins/kubectl-velero/schedule-locks/daily/old.json'));
});

test('many at once, in every interleaving the event loop gives: exactly one holds it', async () => {
  for (let round = 0; round < 30; round++) {
    const store = new MemoryStore();
    const outcomes: LockOutcome[] = await Promise.all(Array.from({ length: 4 }, (_, i) => acquireRunLock(store, 'daily', { holder: `p/${i}`, sleep: () => new Promise<void>((r) => setTimeout(r, Math.random() * 5)) })));
    const held = outcomes.filter((o) => 'held' in o);
    assert.ok(held.length <= 1, `round ${round}: ${held.length} holders`);
    for (const o of held) if ('held' in o) await o.held.release();
  }
});

test('a slow store: writes land between the other\'s write and list; still never two', async () => {
  for (let round = 0; round < 30; round++) {
    const store = new MemoryStore();
    const put = store.put.bind(store);
    store.put = async (...args) => {
      await new Promise((r) => setTimeout(r, Math.random() * 3));
      return put(...args);
    };
    const outcomes = await Promise.all([0, 1].map((i) => acquireRunLock(store, 'daily', { holder: `p/${i}`, sleep: () => new Promise<void>((r) => setTimeout(r, Math.random() * 5)) })));
    assert.ok(outcomes.filter((o) => 'held' in o).length <= 1, `round ${round}`);
  }
});

test('two at once: they step back for random whiles and one of them gets it', async () => {
  for (let round = 0; round < 20; round++) {
    const store = new MemoryStore();
    const outcomes = await Promise.all([0, 1].map((i) => acquireRunLock(store, 'daily', { holder: `p/${i}`, sleep: (ms) => new Promise<void>((r) => setTimeout(r, ms / 20)) })));
    assert.is(outcomes.filter((o) => 'held' in o).length, 1, `round ${round}`);
    const busy = outcomes.find((o) => 'busy' in o);
    assert.ok(busy && 'busy' in busy && /^p\/[01]$/.test(busy.busy));
    for (const o of outcomes) if ('held' in o) await o.held.release();
  }
});

test.run();
