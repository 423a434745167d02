import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ByteBudget } from './byte-budget.ts';

test('work runs while its bytes fit; one item over the budget runs alone; order is kept', async () => {
  const budget = new ByteBudget(100);
  let inUse = 0;
  let peak = 0;
  const order: number[] = [];
  const job = (id: number, bytes: number) =>
    budget.run(bytes, async () => {
      inUse += bytes;
      peak = Math.max(peak, inUse);
      order.push(id);
      await new Promise((r) => setTimeout(r, 5));
      inUse -= bytes;
    });
  await Promise.all([job(1, 40), job(2, 40), job(3, 40), job(4, 500), job(5, 10)]);
  assert.is(peak <= 500, true);
  assert.equal(order, [1, 2, 3, 4, 5]);
  // Without the big one, never over the budget.
  peak = 0;
  await Promise.all(Array.from({ length: 20 }, (_, i) => job(i, 30)));
  assert.ok(peak <= 100, `peak ${peak}`);
});

test.run();
