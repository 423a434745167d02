// The resource list's file and the item keys: what Velero's file holds, whatever order items came in.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ItemKeys } from './item-keys.ts';
import { ResourceList } from './resource-list.ts';

test('values are `ns/name` (cluster-scoped: name), sorted as whole strings, keys sorted', () => {
  const list = new ResourceList();
  // `a/x` sorts after `a-b/y` ('/' > '-'): sorting by namespace, then name, would put it first.
  list.add('v1', 'ConfigMap', 'a', 'x');
  list.add('v1', 'ConfigMap', 'a-b', 'y');
  list.add('v1', 'ConfigMap', 'a', 'b');
  list.add('v1', 'Namespace', undefined, 'a-b');
  list.add('v1', 'Namespace', undefined, 'a');
  list.add('apps/v1', 'Deployment', 'a', 'web');
  assert.equal(JSON.stringify(list.toJSON()), JSON.stringify({ 'apps/v1/Deployment': ['a/web'], 'v1/ConfigMap': ['a-b/y', 'a/b', 'a/x'], 'v1/Namespace': ['a', 'a-b'] }));
});

test('item keys tell apart resources, namespaces and cluster scope, and forget a deleted key', () => {
  const keys = new ItemKeys();
  keys.add('configmaps', 'a', 'x');
  keys.add('namespaces', undefined, 'a');
  assert.ok(keys.has('configmaps', 'a', 'x'));
  assert.not.ok(keys.has('secrets', 'a', 'x'));
  assert.not.ok(keys.has('configmaps', 'b', 'x'));
  assert.not.ok(keys.has('configmaps', undefined, 'x'));
  assert.ok(keys.has('namespaces', undefined, 'a'));
  assert.not.ok(keys.has('namespaces', 'a', 'a'));
  keys.delete('configmaps', 'a', 'x');
  assert.not.ok(keys.has('configmaps', 'a', 'x'));
});

test.run();
