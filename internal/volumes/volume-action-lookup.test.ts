// The policies bound to a cluster: which objects a claim, a PV and a pod's volume are matched by,
// read once each, and missing or forbidden ones matched without.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KubeApiError } from '../kube/errors.ts';
import type { KubeRequester } from '../kube/http-client.ts';
import type { KubeObject } from '../kube/list.ts';
import { VolumeActionLookup } from './volume-action-lookup.ts';
import { parseVolumePolicies } from './volume-policy.ts';

const POLICIES = parseVolumePolicies(
  `version: v1
volumePolicies:
- conditions: { pvcLabels: { backup: skip } }
  action: { type: skip }
- conditions: { storageClass: [csi-hostpath], capacity: "0,2Gi" }
  action: { type: fs-backup }
- conditions: { pvcPhase: [Pending] }
  action: { type: snapshot }
- conditions: { volumeTypes: [emptyDir] }
  action: { type: custom }
`,
  'test',
);

function cluster(objects: Record<string, object>) {
  const gets: string[] = [];
  const client: KubeRequester = {
    async getJson<T>(path: string): Promise<T> {
      gets.push(path);
      if (path.includes('forbidden')) throw new KubeApiError(403, 'Forbidden', path, 'forbidden');
      const o = objects[path];
      if (!o) throw new KubeApiError(404, 'NotFound', path, `${path} not found`);
      return structuredClone(o) as T;
    },
  };
  return { gets, lookup: new VolumeActionLookup(POLICIES, client) };
}

const claim = (name: string, extra: { labels?: Record<string, string>; volumeName?: string; phase?: string }): KubeObject => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'shop', labels: extra.labels }, spec: { volumeName: extra.volumeName }, status: { phase: extra.phase ?? 'Bound' },
});
const pv = (name: string, claimName: string, storage = '1Gi'): KubeObject => ({
  apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name }, spec: { capacity: { storage }, storageClassName: 'csi-hostpath', csi: { driver: 'hostpath.csi.k8s.io' }, claimRef: { namespace: 'shop', name: claimName } },
});
const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'app', namespace: 'shop' } };

test('a PV is matched with its claim read through claimRef, a claim with its PV; each read once', async () => {
  const { gets, lookup } = cluster({
    '/api/v1/namespaces/shop/persistentvolumeclaims/logs': claim('logs', { labels: { backup: 'skip' }, volumeName: 'pv-logs' }),
    '/api/v1/persistentvolumes/pv-files': pv('pv-files', 'files'),
    '/api/v1/persistentvolumes/pv-big': pv('pv-big', 'big', '5Gi'),
  });
  assert.is(await lookup.ofVolume({ pv: pv('pv-logs', 'logs') }), 'skip');
  assert.is(await lookup.ofVolume({ pv: pv('pv-logs', 'logs') }), 'skip');
  assert.is(await lookup.ofVolume({ claim: claim('files', { volumeName: 'pv-files' }) }), 'fs-backup');
  assert.is(await lookup.ofVolume({ claim: claim('big', { volumeName: 'pv-big' }) }), undefined);
  assert.is(await lookup.ofVolume({ claim: claim('new', { phase: 'Pending' }) }), 'snapshot');
  assert.equal(gets, ['/api/v1/namespaces/shop/persistentvolumeclaims/logs', '/api/v1/persistentvolumes/pv-files', '/api/v1/persistentvolumes/pv-big']);
});

test('a pod volume: by its bound claim\'s PV, else by the volume itself; missing or forbidden objects are matched without', async () => {
  const { lookup } = cluster({
    '/api/v1/namespaces/shop/persistentvolumeclaims/files': claim('files', { volumeName: 'pv-files' }),
    '/api/v1/persistentvolumes/pv-files': pv('pv-files', 'files'),
    '/api/v1/namespaces/shop/persistentvolumeclaims/gone-pv': claim('gone-pv', { volumeName: 'pv-gone', labels: { backup: 'skip' } }),
  });
  assert.is(await lookup.ofPodVolume(pod, { name: 'files', persistentVolumeClaim: { claimName: 'files' } }), 'fs-backup');
  assert.is(await lookup.ofPodVolume(pod, { name: 'scratch', emptyDir: {} }), 'custom');
  // The PV is gone: the claim's labels still count.
  assert.is(await lookup.ofPodVolume(pod, { name: 'g', persistentVolumeClaim: { claimName: 'gone-pv' } }), 'skip');
  assert.is(await lookup.ofPodVolume(pod, { name: 'm', persistentVolumeClaim: { claimName: 'missing' } }), undefined);
  assert.is(await lookup.ofPodVolume(pod, { name: 'f', persistentVolumeClaim: { claimName: 'forbidden' } }), undefined);
});

test('any other API failure is thrown, and asked again next time', async () => {
  let calls = 0;
  const lookup = new VolumeActionLookup(POLICIES, {
    async getJson<T>(): Promise<T> {
      calls++;
      throw new KubeApiError(500, 'InternalError', '/x', 'etcd timeout');
    },
  });
  const failure = () => lookup.ofPodVolume(pod, { name: 'f', persistentVolumeClaim: { claimName: 'files' } }).then(() => 'resolved', (e: Error) => e.message);
  assert.is(await failure(), 'etcd timeout');
  assert.is(await failure(), 'etcd timeout');
  assert.is(calls, 2);
});

test.run();
