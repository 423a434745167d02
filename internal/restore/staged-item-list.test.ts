import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StagedItemList } from './staged-item-list.ts';

test('items read back as pushed, past every growth of the columns, in order', () => {
  const list = new StagedItemList();
  const n = 1000;
  for (let i = 0; i < n; i++) list.push(i % 3 ? `ns-${i % 5}` : undefined, `item-${i}`, i * 5_000_000_000, i * 7);
  assert.is(list.length, n);
  assert.equal(list.at(0), { name: 'item-0', offset: 0, length: 0 });
  assert.equal(list.at(1), { namespace: 'ns-1', name: 'item-1', offset: 5_000_000_000, length: 7 });
  // Offsets past 4 GiB stay exact (a big backup's staging file).
  assert.is(list.at(n - 1).offset, (n - 1) * 5_000_000_000);
  assert.equal([...list].map((i) => i.name), Array.from({ length: n }, (_, i) => `item-${i}`));
  assert.is(list.namespaceAt(3), undefined);
  assert.is(list.nameAt(4), 'item-4');
  assert.throws(() => list.at(n), /no staged item 1000/);
  assert.is(StagedItemList.EMPTY.length, 0);
  assert.equal([...StagedItemList.EMPTY], []);
});

test.run();
