import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildRestoreSpec, parseNamespaceMappings } from './restore-flags.ts';

test('namespace mappings: old:new pairs; malformed ones are refused', () => {
  assert.equal(parseNamespaceMappings('shop:shop-b, db:db-b'), { shop: 'shop-b', db: 'db-b' });
  assert.is(parseNamespaceMappings(undefined), undefined);
  for (const bad of ['shop', 'shop:', ':x', 'a:b:c']) assert.throws(() => parseNamespaceMappings(bad), /use old:new/);
});

test("flags become Velero's Restore spec; unset fields are left out", () => {
  assert.equal(buildRestoreSpec({ backupName: 'b1' }), { backupName: 'b1', includedNamespaces: ['*'] });
  assert.equal(
    buildRestoreSpec({
      backupName: 'b1', includeNamespaces: ['shop,db'], excludeResources: ['secrets'], includeClusterResources: 'false', namespaceMappings: 'shop:s2',
      selector: 'app=web', statusIncludeResources: ['deployments'], existingResourcePolicy: 'update', preserveNodePorts: true, restoreVolumes: true, resourceModifierConfigMap: 'rules',
    }),
    {
      backupName: 'b1', includedNamespaces: ['shop', 'db'], excludedResources: ['secrets'], includeClusterResources: false, namespaceMapping: { shop: 's2' },
      labelSelector: { matchLabels: { app: 'web' } }, restoreStatus: { includedResources: ['deployments'], excludedResources: undefined }, existingResourcePolicy: 'update',
      preserveNodePorts: true, restorePVs: true, resourceModifier: { kind: 'ConfigMap', name: 'rules' },
    },
  );
  assert.equal(buildRestoreSpec({ backupName: 'b', orSelector: 'a=b or c=d' }).orLabelSelectors, [{ matchLabels: { a: 'b' } }, { matchLabels: { c: 'd' } }]);
});

test('bad flag values are refused with what to use', () => {
  assert.throws(() => buildRestoreSpec({ backupName: 'b', existingResourcePolicy: 'replace' }), /use none or update/);
  assert.throws(() => buildRestoreSpec({ backupName: 'b', selector: 'a=b', orSelector: 'c=d' }), /cannot be used together/);
  assert.throws(() => buildRestoreSpec({ backupName: 'b', includeClusterResources: 'maybe' }), /use true or false/);
});

test.run();
