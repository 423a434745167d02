import { gunzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RestoreResourceList } from './restore-resource-list.ts';

test("Velero's shape: keys sorted, each list `ns/name(action)` sorted as strings, cluster-scoped items bare", () => {
  const list = new RestoreResourceList();
  list.add('v1/ConfigMap', 'shop', 'b', 'created');
  list.add('v1/Namespace', undefined, 'shop', 'created');
  list.add('v1/ConfigMap', 'shop-b', 'a', 'failed');
  list.add('v1/ConfigMap', 'shop', 'a', 'updated');
  list.add('apps/v1/Deployment', 'shop', 'web', 'skipped');
  const json = list.toJSON();
  assert.equal(Object.keys(json), ['apps/v1/Deployment', 'v1/ConfigMap', 'v1/Namespace']);
  // 'shop-b/…' sorts before 'shop/…' ('-' < '/'), as the joined strings do, not by namespace first.
  assert.equal(json['v1/ConfigMap'], ['shop-b/a(failed)', 'shop/a(updated)', 'shop/b(created)']);
  assert.equal(json['v1/Namespace'], ['shop(created)']);
  assert.equal(json['apps/v1/Deployment'], ['shop/web(skipped)']);
  assert.equal(new RestoreResourceList().toJSON(), {});
});

test('the stored file is the JSON of toJSON, byte for byte, however names, namespaces and actions sort', () => {
  const list = new RestoreResourceList();
  const actions = ['created', 'updated', 'failed', 'skipped'] as const;
  // Names that start one another (with characters that sort before "(": a! and a'), namespaces that start one another ('a' and 'a-b': 'a-b/' sorts first),
  // a name needing JSON escapes, cluster-scoped items, and a key holding both kinds (not a real shape).
  const names = ['a', 'a-b', 'a.b', 'ab', 'b', 'a-', 'x"y', 'z', "a'", 'a!'];
  for (let i = 0; i < 400; i++) {
    const ns = ['a', 'a-b', 'ab', 'b-1', 'a0'][(i * 7) % 5]!;
    list.add('v1/ConfigMap', ns, `${names[i % names.length]}${i % 3 ? i % 11 : ''}`, actions[(i * 5) % 4]!);
    list.add('v1/PersistentVolume', undefined, `${names[(i * 3) % names.length]}${i % 13}`, actions[i % 4]!);
    if (i % 50 === 0) list.add('example.com/v1/Mixed', i % 100 ? 'ns' : undefined, `m${i}`, 'created');
  }
  for (const name of ['a', 'a!', "a'", 'a!b']) list.add('v1/ConfigMap', 'a', name, 'created');
  list.add('v1/ConfigMap', 'a', 'same', 'updated');
  list.add('v1/ConfigMap', 'a', 'same', 'created');
  const stored = gunzipSync(list.gzippedJson()).toString('utf8');
  assert.is(stored, JSON.stringify(list.toJSON()));
  assert.is(gunzipSync(new RestoreResourceList().gzippedJson()).toString('utf8'), '{}');
});

test.run();
