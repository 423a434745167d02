// --resource-policies-configmap: the ConfigMap read from the Velero namespace, its one data value
// parsed; what stops the backup is one line naming the ConfigMap.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { buildBackupSpec } from '../../../internal/backup/spec.ts';
import { KubeApiError } from '../../../internal/kube/errors.ts';
import type { KubeRequester } from '../../../internal/kube/http-client.ts';
import { readVolumePolicies } from './volume-policies.ts';

const client = (configMaps: Record<string, object>): KubeRequester => ({
  async getJson<T>(path: string): Promise<T> {
    if (path.includes('/configmaps/locked')) throw new KubeApiError(403, 'Forbidden', path, 'configmaps "locked" is forbidden');
    const cm = configMaps[path];
    if (!cm) throw new KubeApiError(404, 'NotFound', path, 'not found');
    return cm as T;
  },
});

const POLICY = 'version: v1\nvolumePolicies:\n- conditions: { pvcLabels: { tier: cache } }\n  action: { type: skip }\n';

test('the one data value of the ConfigMap in the Velero namespace', async () => {
  const policies = await readVolumePolicies(client({ '/api/v1/namespaces/backups/configmaps/vp': { data: { 'policy.yaml': POLICY } } }), 'backups', 'vp');
  assert.is(policies.policies.length, 1);
  assert.is(policies.actionFor({ claim: { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'c', labels: { tier: 'cache' } } } })?.type, 'skip');
});

test('missing, forbidden, not one data key, invalid: one line naming the ConfigMap', async () => {
  const message = (name: string, cm?: object) => readVolumePolicies(client(cm ? { [`/api/v1/namespaces/velero/configmaps/${name}`]: cm } : {}), 'velero', name).then(() => 'read', (e: Error) => e.message);
  assert.is(await message('nope'), 'resource policies ConfigMap velero/nope not found (--resource-policies-configmap): create it in the Velero namespace (-n) first');
  assert.is(await message('locked'), 'cannot read the resource policies ConfigMap velero/locked: configmaps "locked" is forbidden');
  assert.is(await message('two', { data: { a: POLICY, b: POLICY } }), 'invalid resource policies in ConfigMap velero/two: the ConfigMap must have exactly one data key, it has 2');
  assert.is(await message('v2', { data: { p: 'version: v2\n' } }), 'invalid resource policies in ConfigMap velero/v2: incompatible version number "v2": the supported version is v1');
});

test('recorded in the spec as Velero does: resourcePolicy {kind: configmap, name}, after itemOperationTimeout', () => {
  const spec = buildBackupSpec({ storageLocation: 'default', resourcePolicies: 'vp' });
  assert.equal(spec.resourcePolicy, { kind: 'configmap', name: 'vp' });
  const keys = Object.keys(spec);
  assert.is(keys.indexOf('resourcePolicy'), keys.indexOf('itemOperationTimeout') + 1);
  assert.not.ok('resourcePolicy' in buildBackupSpec({ storageLocation: 'default' }));
});

test.run();
