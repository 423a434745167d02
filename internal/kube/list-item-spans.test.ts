import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { listItemSpans } from './list-item-spans.ts';

const slices = (text: string): string[] | undefined => {
  const spans = listItemSpans(text);
  if (!spans) return undefined;
  const out: string[] = [];
  for (let i = 0; i < spans.length; i += 2) out.push(text.slice(spans[i], spans[i + 1]));
  return out;
};

test('each item exactly as sent, whatever its strings hold', () => {
  const items = [
    { metadata: { name: 'a', annotations: { 'x': 'quote " brace } bracket ] comma ,', 'y': 'back\\slash\\', 'z': '\\"' } }, data: { k: 'v' } },
    { metadata: { name: 'b' }, spec: { list: [1, -2.5e3, true, false, null, [], {}, [[{}]]] } },
    { metadata: { name: 'ünïcødé ✓', labels: {} }, data: { '}': '{', ']': '[' } },
  ];
  const compact = JSON.stringify({ kind: 'ConfigMapList', apiVersion: 'v1', metadata: { resourceVersion: '7', continue: 'abc"}' }, items });
  assert.equal(slices(compact), items.map((i) => JSON.stringify(i)));
  const pretty = JSON.stringify({ metadata: {}, items, kind: 'List' }, null, 2);
  assert.equal(slices(pretty)!.map((s) => JSON.parse(s)), items);
});

test('an empty list, and items that are not objects', () => {
  assert.equal(slices('{"kind":"ConfigMapList","metadata":{},"items":[]}'), []);
  assert.equal(slices('{"items":[ 1 , "two" ,null]}'), ['1', '"two"', 'null']);
});

test('anything else is undefined, for the caller to fall back on', () => {
  for (const text of ['', '[]', '{}', '{"kind":"Status"}', '{"items":[{"a":1}', '{"items":[{"a":"1}]}', '{"items":[1 2]}', '{"items":[1],}', '{"items":[1]} x', '{"items":{"a":1}}', '{"items":[,]}'])
    assert.is(slices(text), undefined, text);
});

test.run();
