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

test.run();
