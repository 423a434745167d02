import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { context, item, kept, skipped } from './actions.test-helpers.ts';
import { isProvisionedAnew, persistentVolumeAction } from './persistent-volume.ts';

const pv = (policy: string, extra: Record<string, unknown> = {}) =>
  item('v1', 'PersistentVolume', 'pv-1', undefined, { metadata: { annotations: { 'pv.kubernetes.io/bound-by-controller': 'yes', 'pv.kubernetes.io/bind-completed': 'yes' } }, spec: { persistentVolumeReclaimPolicy: policy, claimRef: { kind: 'PersistentVolumeClaim', namespace: 'shop', name: 'data', uid: 'u', resourceVersion: '5' }, ...extra } });

test('pv: reclaim policy Delete is not restored', () => {
  assert.match(skipped(persistentVolumeAction, pv('Delete')) ?? '', /provisioned anew/);
  assert.ok(isProvisionedAnew(pv('Delete')));
  assert.not.ok(isProvisionedAnew(pv('Retain')));
});

const cases: { name: string; mapping: Record<string, string>; wantNs: string }[] = [
  { name: 'Retain is restored; claimRef keeps its namespace without a mapping', mapping: {}, wantNs: 'shop' },
  { name: 'claimRef follows the namespace mapping', mapping: { shop: 'shop-b' }, wantNs: 'shop-b' },
  { name: 'another namespace\'s mapping does not apply', mapping: { other: 'x' }, wantNs: 'shop' },
];
for (const c of cases) {
  test(`pv: ${c.name}`, () => {
    const out = kept(persistentVolumeAction, pv('Retain'), context({ namespaceMapping: c.mapping }));
    assert.equal(out.spec.claimRef, { kind: 'PersistentVolumeClaim', namespace: c.wantNs, name: 'data' });
    assert.is(out.metadata.annotations, undefined, 'binding annotations go');
  });
}

test('pv: Recycle and unset policies are restored', () => {
  kept(persistentVolumeAction, pv('Recycle'));
  kept(persistentVolumeAction, item('v1', 'PersistentVolume', 'pv-2', undefined, { spec: {} }));
});

test.run();
