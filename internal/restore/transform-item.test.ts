// The transformation a restore applies to each item, table-driven over Velero's restore actions.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubeObject } from '../kube/list.ts';
import { subsetDifferences } from './object-diff.ts';
import { restoreOrder } from './priorities.ts';
import { validLabelValue } from './reset-metadata.ts';
import { resourceSelected } from './run-restore.ts';
import { IncludesExcludes } from '../collections/includes-excludes.ts';
import { transformItem } from './transform-item.ts';

const ctx = { preserveNodePorts: false, namespaceMapping: { shop: 'shop-copy' }, backupName: 'b1', restoreName: 'r1' };
const meta = (extra: Record<string, unknown> = {}) => ({ name: 'x', namespace: 'shop', uid: 'u', resourceVersion: '9', creationTimestamp: 't', managedFields: [{}], ownerReferences: [{}], ...extra });
const run = (gr: string, item: Record<string, unknown>) => transformItem(gr, item as KubeObject, ctx);
const kept = (gr: string, item: Record<string, unknown>) => {
  const out = run(gr, item);
  if ('skip' in out) throw new Error(`unexpected skip: ${out.skip}`);
  return out.item as Record<string, any>;
};

test('metadata reset, restore labels, namespace mapping, status dropped', () => {
  const out = kept('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta({ labels: { a: 'b' } }), data: { k: 'v' }, status: { x: 1 } });
  assert.equal(out.metadata, { name: 'x', namespace: 'shop-copy', labels: { a: 'b', 'velero.io/backup-name': 'b1', 'velero.io/restore-name': 'r1' } });
  assert.is(out.status, undefined);
  assert.equal(out.data, { k: 'v' });
});

test('pods: no nodeName, no injected token volume or mounts, priority number dropped with a class', () => {
  const out = kept('pods', {
    apiVersion: 'v1', kind: 'Pod', metadata: meta(),
    spec: { nodeName: 'n1', priorityClassName: 'high', priority: 1000, volumes: [{ name: 'kube-api-access-abc' }, { name: 'data' }], containers: [{ name: 'c', volumeMounts: [{ name: 'kube-api-access-abc' }, { name: 'data' }] }] },
  });
  assert.equal(out.spec, { priorityClassName: 'high', volumes: [{ name: 'data' }], containers: [{ name: 'c', volumeMounts: [{ name: 'data' }] }] });
});

test('services: cluster IPs and node ports go, headless stays', () => {
  const svc = kept('services', { apiVersion: 'v1', kind: 'Service', metadata: meta(), spec: { clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1'], ports: [{ port: 80, nodePort: 30080 }] } });
  assert.equal(svc.spec, { ports: [{ port: 80 }] });
  const headless = kept('services', { apiVersion: 'v1', kind: 'Service', metadata: meta(), spec: { clusterIP: 'None', ports: [{ port: 80 }] } });
  assert.is(headless.spec.clusterIP, 'None');
  const keep = transformItem('services', { apiVersion: 'v1', kind: 'Service', metadata: meta(), spec: { ports: [{ port: 80, nodePort: 30080 }] } } as unknown as KubeObject, { ...ctx, preserveNodePorts: true });
  assert.ok(!('skip' in keep) && (keep.item as any).spec.ports[0].nodePort === 30080);
});

test('jobs lose their controller-uid selector and labels', () => {
  const job = kept('jobs.batch', { apiVersion: 'batch/v1', kind: 'Job', metadata: meta(), spec: { selector: { matchLabels: { 'controller-uid': 'u1' } }, template: { metadata: { labels: { 'controller-uid': 'u1', app: 'a' } } } } });
  assert.equal(job.spec, { template: { metadata: { labels: { app: 'a' } } } });
});

test('PVCs lose binding annotations and the old volume; Delete-policy PVs are not restored; Retain PVs follow the mapping', () => {
  const pvc = kept('persistentvolumeclaims', { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta({ annotations: { 'pv.kubernetes.io/bind-completed': 'yes', keep: '1' } }), spec: { volumeName: 'pv-1' } });
  assert.equal(pvc.metadata.annotations, { keep: '1' });
  assert.is(pvc.spec.volumeName, undefined);
  const gone = run('persistentvolumes', { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv-1' }, spec: { persistentVolumeReclaimPolicy: 'Delete' } });
  assert.ok('skip' in gone);
  const pv = kept('persistentvolumes', { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv-2' }, spec: { persistentVolumeReclaimPolicy: 'Retain', claimRef: { namespace: 'shop', name: 'c', uid: 'u' } } });
  assert.equal(pv.spec.claimRef, { namespace: 'shop-copy', name: 'c' });
});

test('role bindings: service-account subjects follow the mapping', () => {
  const rb = kept('rolebindings.rbac.authorization.k8s.io', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: meta(), subjects: [{ kind: 'ServiceAccount', name: 's', namespace: 'shop' }, { kind: 'User', name: 'u' }] });
  assert.equal(rb.subjects, [{ kind: 'ServiceAccount', name: 's', namespace: 'shop-copy' }, { kind: 'User', name: 'u' }]);
});

test('generated objects are skipped: root CA, SA tokens, managed EndpointSlices', () => {
  assert.ok('skip' in run('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta({ name: 'kube-root-ca.crt' }) }));
  assert.ok('skip' in run('secrets', { apiVersion: 'v1', kind: 'Secret', type: 'kubernetes.io/service-account-token', metadata: meta() }));
  assert.ok('skip' in run('endpointslices.discovery.k8s.io', { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: meta({ labels: { 'endpointslice.kubernetes.io/managed-by': 'x' } }) }));
});

test('a mapped namespace gets its new name and loses the server-set name label', () => {
  const ns = kept('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop', team: 'a' } } });
  assert.is(ns.metadata.name, 'shop-copy');
  assert.equal(ns.metadata.labels, { team: 'a', 'velero.io/backup-name': 'b1', 'velero.io/restore-name': 'r1' });
});

test("Velero's priorities: CRDs, namespaces, … pods late, then the rest alphabetically, then the low ones", () => {
  assert.equal(restoreOrder(['deployments.apps', 'pods', 'clusters.cluster.x-k8s.io', 'configmaps', 'namespaces', 'customresourcedefinitions.apiextensions.k8s.io', 'ingresses.networking.k8s.io']), [
    'customresourcedefinitions.apiextensions.k8s.io', 'namespaces', 'configmaps', 'pods', 'deployments.apps', 'ingresses.networking.k8s.io', 'clusters.cluster.x-k8s.io',
  ]);
});

test('label values over 63 characters are cut the way Velero cuts them', () => {
  const long = 'b'.repeat(70);
  const v = validLabelValue(long);
  assert.is(v.length, 63);
  assert.ok(v.startsWith('b'.repeat(57)));
  assert.is(validLabelValue('short'), 'short');
});

test('subset comparison: server-added fields are not differences; changed and missing ones are', () => {
  assert.equal(subsetDifferences({ a: 1, b: { c: [1, 2] }, e: {} }, { a: 1, b: { c: [1, 2], d: 3 }, z: 9 }), []);
  assert.equal(subsetDifferences({ a: 1, b: { c: [1, 2] } }, { a: 2, b: { c: [1] } }).map((d) => d.path), ['a', 'b.c']);
  assert.equal(subsetDifferences({ metadata: { resourceVersion: '1', name: 'n' } }, { metadata: { resourceVersion: '2', name: 'n' } }), []);
});

test('resource filters accept resource or resource.group; excludes win', () => {
  const only = new IncludesExcludes(['deployments', 'configmaps'], []);
  assert.ok(resourceSelected(only, 'deployments.apps'));
  assert.ok(resourceSelected(only, 'configmaps'));
  assert.not.ok(resourceSelected(only, 'secrets'));
  const noDeployments = new IncludesExcludes([], ['deployments']);
  assert.not.ok(resourceSelected(noDeployments, 'deployments.apps'));
  assert.ok(resourceSelected(noDeployments, 'configmaps'));
  assert.not.ok(resourceSelected(new IncludesExcludes(['*'], ['secrets']), 'secrets'));
});

test.run();
