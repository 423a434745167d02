import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { StagedItemList, StagedStrings } from './staged-item-list.ts';

test('items read back as pushed, names from the file, past every growth of the columns, in order', () => {
  const dir = mkdtempSync(join(tmpdir(), 'staged-list-test-'));
  try {
    const strings = new StagedStrings();
    const list = new StagedItemList(strings);
    const n = 1000;
    const chunks: Buffer[] = [];
    let offset = 0;
    const names = (i: number) => (i === 7 ? 'caf\u00e9-\u{1F600}' : `item-${i}`);
    for (let i = 0; i < n; i++) {
      const body = Buffer.from(`{"i":${i}}`.repeat(i % 4));
      const name = Buffer.from(names(i));
      chunks.push(body, name);
      list.push(i % 3 ? `ns-${i % 5}` : undefined, offset, body.length, name.length);
      offset += body.length + name.length;
    }
    assert.throws(() => list.nameAt(1), /not written yet/);
    const path = join(dir, 'items');
    writeFileSync(path, Buffer.concat(chunks));
    const fd = openSync(path, 'r');
    strings.attach(fd);
    assert.is(list.length, n);
    assert.equal(list.at(0), { name: 'item-0', offset: 0, length: 0 });
    assert.equal(list.at(1), { namespace: 'ns-1', name: 'item-1', offset: 6, length: 7 });
    assert.is(list.nameAt(7), 'caf\u00e9-\u{1F600}', 'a name in UTF-8 of several bytes per character');
    assert.equal([...list].map((i) => i.name), Array.from({ length: n }, (_, i) => names(i)));
    assert.equal([...list].map((i) => i.namespace), Array.from({ length: n }, (_, i) => (i % 3 ? `ns-${i % 5}` : undefined)));
    assert.is(list.namespaceAt(3), undefined);
    assert.is(list.nameAt(4), 'item-4');
    assert.throws(() => list.at(n), /no staged item 1000/);
    assert.throws(() => list.nameAt(-1), /no staged item -1/);
    assert.throws(() => list.push('x', 0, 0, 70_000), /a staged name of 70000 bytes/);
    assert.is(new StagedItemList(strings).length, 0);
    assert.equal([...new StagedItemList(strings)], []);
    closeSync(fd);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('offsets past 4 GiB stay exact (a big backup staging file, here sparse); namespaces are one string each', () => {
  const dir = mkdtempSync(join(tmpdir(), 'staged-list-test-'));
  const fd = openSync(join(dir, 'items'), 'w+');
  try {
    const strings = new StagedStrings();
    const list = new StagedItemList(strings);
    for (let i = 1; i <= 3; i++) {
      const offset = i * 5_000_000_000 + i;
      writeSync(fd, Buffer.from(`{}far-${i}`), 0, 7, offset);
      list.push('ns', offset, 2, 5);
    }
    strings.attach(fd);
    assert.equal(list.at(2), { namespace: 'ns', name: 'far-3', offset: 15_000_000_003, length: 2 });
    assert.equal([...list].map((i) => i.name), ['far-1', 'far-2', 'far-3']);
    assert.is(strings.namespaceId('ns'), 1);
    assert.is(strings.namespaceId(undefined), 0);
    assert.is(strings.namespaceId('other'), 2);
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
