import { gunzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { RestoreResourceList } from './restore-resource-list.ts';

test('entries are `ns/name(action)`, cluster-scoped ones `name(action)`, and the stored file is the same JSON', () => {
  const list = new RestoreResourceList();
  list.add('v1/ConfigMap', 'shop', 'b', 'created');
  list.add('v1/ConfigMap', 'shop', 'a', 'updated');
  list.add('v1/ConfigMap', 'shop', 'c', 'failed');
  list.add('v1/Namespace', undefined, 'shop', 'skipped');
  assert.equal(list.toJSON(), { 'v1/ConfigMap': ['shop/a(updated)', 'shop/b(created)', 'shop/c(failed)'], 'v1/Namespace': ['shop(skipped)'] });
  assert.is(gunzipSync(list.gzippedJson()).toString('utf8'), JSON.stringify(list.toJSON()));
});

test.run();
