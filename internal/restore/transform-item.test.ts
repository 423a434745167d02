// The whole transformation of one item: Velero's metadata reset, actions, modifiers on the original
// namespace, then mapping and labels. Per-action cases live beside each action.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubeObject } from '../kube/list.ts';
import { parseResourceModifiers } from './modifiers/rules.ts';
import { validLabelValue } from './reset-metadata.ts';
import { type TransformContext, transformItem } from './transform-item.ts';

const ctx: TransformContext = { preserveNodePorts: false, namespaceMapping: { shop: 'shop-copy' }, volumesProvisionedAnew: new Set(), restoreUid: 'r1', restorePVs: true, backupName: 'b1', restoreName: 'r1' };
const meta = (extra: Record<string, unknown> = {}) => ({
  name: 'x', namespace: 'shop', uid: 'u', resourceVersion: '9', generation: 2, creationTimestamp: 't', selfLink: '/x', generateName: 'x-',
  deletionTimestamp: 'd', deletionGracePeriodSeconds: 30, managedFields: [{}], ownerReferences: [{}], finalizers: ['keep/me'], ...extra,
});
const kept = (gr: string, item: Record<string, unknown>, c = ctx) => {
  const out = transformItem(gr, item as KubeObject, c);
  if ('skip' in out) throw new Error(`unexpected skip: ${out.skip}`);
  return out.item as Record<string, any>;
};

test("metadata reset (Velero's list), managedFields and status dropped, finalizers and annotations kept, labels added, namespace mapped", () => {
  const out = kept('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta({ labels: { a: 'b' }, annotations: { n: '1' } }), data: { k: 'v' }, status: { x: 1 } });
  assert.equal(out.metadata, { name: 'x', namespace: 'shop-copy', finalizers: ['keep/me'], annotations: { n: '1' }, labels: { a: 'b', 'velero.io/backup-name': 'b1', 'velero.io/restore-name': 'r1' } });
  assert.is(out.status, undefined);
  assert.equal(out.data, { k: 'v' });
});

test('an unmapped namespace stays; cluster-scoped items get labels only', () => {
  assert.is(kept('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta({ namespace: 'other' }) }).metadata.namespace, 'other');
  const crb = kept('clusterroles.rbac.authorization.k8s.io', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r', uid: 'u' } });
  assert.equal(crb.metadata, { name: 'r', labels: { 'velero.io/backup-name': 'b1', 'velero.io/restore-name': 'r1' } });
});

test('a mapped namespace gets its new name, and the server-set name label follows', () => {
  const ns = kept('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { 'kubernetes.io/metadata.name': 'shop', team: 'a' } }, spec: { finalizers: ['kubernetes'] } });
  assert.is(ns.metadata.name, 'shop-copy');
  assert.equal(ns.metadata.labels, { 'kubernetes.io/metadata.name': 'shop-copy', team: 'a', 'velero.io/backup-name': 'b1', 'velero.io/restore-name': 'r1' });
});

test('actions run with the context: a skip reason names the action', () => {
  const out = transformItem('persistentvolumes', { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv' }, spec: { persistentVolumeReclaimPolicy: 'Delete' } } as KubeObject, ctx);
  assert.ok('skip' in out && out.skip.startsWith('persistent-volume: '));
});

test('service action sees managedFields before they are dropped', () => {
  const svc = kept('services', {
    apiVersion: 'v1', kind: 'Service',
    metadata: meta({ managedFields: [{ fieldsV1: { 'f:spec': { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { 'f:nodePort': {} } } } } }] }),
    spec: { type: 'NodePort', clusterIP: '10.0.0.1', ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }] },
  });
  assert.equal(svc.spec, { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }] });
  assert.is(svc.metadata.managedFields, undefined);
});

test('modifier rules match the original namespace (before mapping) and run before the restore labels', () => {
  const modifiers = parseResourceModifiers(`version: v1
resourceModifierRules:
- conditions: { groupResource: configmaps, namespaces: [shop] }
  mergePatches: [{ patchData: '{"data":{"k":"changed"},"metadata":{"labels":{"velero.io/restore-name":"nope"}}}' }]
`, 't');
  const out = transformItem('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(), data: { k: 'v' } } as KubeObject, { ...ctx, modifiers });
  assert.ok('item' in out);
  if (!('item' in out)) return;
  assert.equal((out.item as any).data, { k: 'changed' });
  assert.is(out.item.metadata.labels?.['velero.io/restore-name'], 'r1');
  assert.is(out.item.metadata.namespace, 'shop-copy');
  assert.equal(out.modifierErrors, []);
});

test('the input item is never changed', () => {
  const input = { apiVersion: 'v1', kind: 'Pod', metadata: meta(), spec: { nodeName: 'n', containers: [{ name: 'c' }] }, status: { phase: 'Running' } };
  const before = JSON.stringify(input);
  kept('pods', input);
  assert.is(JSON.stringify(input), before);
});

test('label values over 63 characters are cut the way Velero cuts them', () => {
  const long = 'b'.repeat(70);
  const v = validLabelValue(long);
  assert.is(v.length, 63);
  assert.ok(v.startsWith('b'.repeat(57)));
  assert.is(v.slice(57), 'b94440', 'the first six hex digits of the sha256 of the whole value');
  assert.is(validLabelValue('short'), 'short');
  assert.is(validLabelValue('c'.repeat(63)), 'c'.repeat(63));
});

test.run();
