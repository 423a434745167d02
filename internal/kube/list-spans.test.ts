import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { listSpans } from './list-spans.ts';

const slices = (text: string): { items: string[]; metadata?: string } | undefined => {
  const bytes = Buffer.from(text);
  const spans = listSpans(bytes);
  if (!spans) return undefined;
  const items: string[] = [];
  for (let i = 0; i < spans.items.length; i += 2) items.push(bytes.toString('utf8', spans.items[i], spans.items[i + 1]));
  return { items, ...(spans.metadata ? { metadata: bytes.toString('utf8', ...spans.metadata) } : {}) };
};

test('each item and the metadata exactly as sent, whatever their strings hold', () => {
  const items = [
    { metadata: { name: 'a', annotations: { 'x': 'quote " brace } bracket ] comma ,', 'y': 'back\\slash\\', 'z': '\\"' } }, data: { k: 'v' } },
    { metadata: { name: 'b' }, spec: { list: [1, -2.5e3, true, false, null, [], {}, [[{}]]] } },
    { metadata: { name: 'ünïcødé ✓ 𝄞', labels: {} }, data: { '}': '{', ']': '[' } },
  ];
  const metadata = { resourceVersion: '7', continue: 'abc"}' };
  const compact = JSON.stringify({ kind: 'ConfigMapList', apiVersion: 'v1', metadata, items });
  assert.equal(slices(compact), { items: items.map((i) => JSON.stringify(i)), metadata: JSON.stringify(metadata) });
  const pretty = slices(JSON.stringify({ items, metadata: {}, kind: 'List' }, null, 2))!;
  assert.equal(pretty.items.map((s) => JSON.parse(s)), items);
  assert.equal(JSON.parse(pretty.metadata!), {});
});

test('an empty list, no metadata, and items that are not objects', () => {
  assert.equal(slices('{"kind":"ConfigMapList","metadata":{},"items":[]}'), { items: [], metadata: '{}' });
  assert.equal(slices('{"items":[ 1 , "two" ,null]}'), { items: ['1', '"two"', 'null'] });
});

test('anything else is undefined, for the caller to parse the page whole', () => {
  for (const text of ['', '[]', '{}', '{"kind":"Status"}', '{"items":[{"a":1}', '{"items":[{"a":"1}]}', '{"items":[1 2]}', '{"items":[1],}', '{"items":[1]} x', '{"items":{"a":1}}', '{"items":[,]}', '{"metadata":{}}'])
    assert.is(slices(text), undefined, text);
});

test.run();
