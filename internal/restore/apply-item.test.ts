// One item against an existing object: Velero's already-exists rules, the SA merge, the update policy.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { discoverResources } from '../kube/discovery.ts';
import { KubeApiError } from '../kube/errors.ts';
import type { KubeObject } from '../kube/list.ts';
import { applyItem } from './apply-item.ts';
import { FakeApi } from './fake-api.test-helpers.ts';

const labels = { 'velero.io/backup-name': 'b1', 'velero.io/restore-name': 'r1' };
const resource = async (api: FakeApi, gr: string) => (await discoverResources(api)).resources.find((r) => r.groupResource === gr)!;
const withNs = () => {
  const api = new FakeApi();
  api.seed('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  return api;
};

test('a Service whose kept node port is taken answers 422; it exists, so it is compared, not failed', async () => {
  const api = withNs();
  const svc: KubeObject = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: 'shop', labels }, spec: { ports: [{ port: 80, nodePort: 30080 }] } };
  api.seed('services', { ...svc, metadata: { name: 'web', namespace: 'shop' }, spec: { clusterIP: '10.0.0.1', ports: [{ port: 80, nodePort: 30080 }] } });
  api.createError = () => new KubeApiError(422, 'Invalid', '/x', 'Service "web" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated');
  assert.equal(await applyItem(api, await resource(api, 'services'), svc, { policy: 'none', dryRun: false }), { action: 'unchanged' });
  api.objects.clear();
  api.seed('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  const failed = await applyItem(api, await resource(api, 'services'), svc, { policy: 'none', dryRun: false });
  assert.equal(failed, { action: 'failed', message: 'Service "web" is invalid: spec.ports[0].nodePort: Invalid value: 30080: provided port is already allocated' }, 'not there: the 422 stands');
});

test('an existing ServiceAccount gains the secrets and labels it lacks (merge), nothing is overwritten', async () => {
  const api = withNs();
  api.seed('serviceaccounts', { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'web', namespace: 'shop', labels: { a: 'live' } }, imagePullSecrets: [{ name: 'p1' }] } as KubeObject);
  const sa = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'web', namespace: 'shop', labels: { a: 'backup', ...labels } }, imagePullSecrets: [{ name: 'p2' }] } as KubeObject;
  const out = await applyItem(api, await resource(api, 'serviceaccounts'), sa, { policy: 'none', dryRun: false });
  assert.is(out.action, 'updated');
  const live = api.get('serviceaccounts', 'shop', 'web') as any;
  assert.equal(live.imagePullSecrets, [{ name: 'p1' }, { name: 'p2' }]);
  assert.is(live.metadata.labels.a, 'live');
  assert.equal(await applyItem(api, await resource(api, 'serviceaccounts'), sa, { policy: 'none', dryRun: false }), { action: 'unchanged' }, 'a second time there is nothing to add');
});

test('update policy on a dry run sends the patch as dryRun=All and changes nothing', async () => {
  const api = withNs();
  api.seed('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop' }, data: { k: 'live' } } as KubeObject);
  const out = await applyItem(api, await resource(api, 'configmaps'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop', labels }, data: { k: 'backup' } } as KubeObject, { policy: 'update', dryRun: true });
  assert.is(out.action, 'updated');
  assert.ok(api.writes.every((w) => w.dryRun));
  assert.is((api.get('configmaps', 'shop', 'c') as any).data.k, 'live');
});

test('update policy: a refused update is a warning, and the restore labels are still stamped', async () => {
  const api = withNs();
  api.seed('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop' }, data: { k: 'live' } } as KubeObject);
  api.patchError = (_path, body) => ((body as any).data ? new KubeApiError(422, 'Invalid', _path, 'field is immutable') : undefined);
  const out = await applyItem(api, await resource(api, 'configmaps'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'shop', labels }, data: { k: 'backup' } } as KubeObject, { policy: 'update', dryRun: false });
  assert.is(out.action, 'update-refused');
  assert.equal(out.warnings, ['could not update ConfigMap "c" to the backed-up version: field is immutable']);
  const live = api.get('configmaps', 'shop', 'c') as any;
  assert.is(live.data.k, 'live');
  assert.equal(live.metadata.labels, labels);
});

test('a failure that is not transient is reported with the server message', async () => {
  const api = new FakeApi();
  const out = await applyItem(api, await resource(api, 'configmaps'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'nowhere' } }, { policy: 'none', dryRun: false });
  assert.equal(out, { action: 'failed', message: 'namespaces "nowhere" not found' });
});

test('an object the API server answers with that is not the item is never patched (the ".." ServiceAccount that read as its Namespace)', async () => {
  const api = withNs();
  const sa = { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'web', namespace: 'shop', labels: { 'pod-security.kubernetes.io/enforce': 'privileged' } } } as KubeObject;
  api.createError = () => new KubeApiError(422, 'Invalid', '/x', 'invalid');
  // What a normalised path used to return: the Namespace itself.
  const realGet = api.getJson.bind(api);
  api.getJson = (async (path: string) => (path.includes('/serviceaccounts/') ? { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } } : realGet(path))) as typeof api.getJson;
  const out = await applyItem(api, await resource(api, 'serviceaccounts'), sa, { policy: 'update', dryRun: false });
  assert.is(out.action, 'failed');
  assert.match((out as { message: string }).message, /refusing to change ServiceAccount "web": the API server answered with another object \("Namespace shop"\)/);
  assert.equal(api.writes.filter((w) => w.method === 'PATCH'), []);
});

test.run();
