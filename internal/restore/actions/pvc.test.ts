import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { context, item, kept } from './actions.test-helpers.ts';
import { pvcAction } from './pvc.ts';
import { restoredSnapshotName } from '../../snapshots/csi-objects.ts';

const claim = (annotations: Record<string, string>, volumeName?: string) =>
  item('v1', 'PersistentVolumeClaim', 'data', 'shop', { metadata: { annotations }, spec: { storageClassName: 'fast', ...(volumeName ? { volumeName } : {}) } });

test('pvc: binding, provisioner and selected-node annotations go; the user\'s stay', () => {
  const out = kept(pvcAction, claim({ 'pv.kubernetes.io/bind-completed': 'yes', 'pv.kubernetes.io/bound-by-controller': 'yes', 'volume.kubernetes.io/storage-provisioner': 'x', 'volume.beta.kubernetes.io/storage-provisioner': 'x', 'volume.kubernetes.io/selected-node': 'n1', team: 'a' }));
  assert.equal(out.metadata.annotations, { team: 'a' });
});

test('pvc: no annotations left means no annotations field', () => {
  assert.is(kept(pvcAction, claim({ 'pv.kubernetes.io/bind-completed': 'yes' })).metadata.annotations, undefined);
});

const volumeCases: { name: string; anew: string[]; want: string | undefined }[] = [
  { name: 'a volume provisioned anew is forgotten', anew: ['pv-1'], want: undefined },
  { name: 'a restored (Retain) volume is kept, so the claim binds to it', anew: [], want: 'pv-1' },
  { name: 'another volume provisioned anew does not matter', anew: ['pv-2'], want: 'pv-1' },
];
for (const c of volumeCases) {
  test(`pvc: ${c.name}`, () => {
    assert.is(kept(pvcAction, claim({}, 'pv-1'), context({ volumesProvisionedAnew: new Set(c.anew) })).spec.volumeName, c.want);
  });
}

test('pvc: a claim with a CSI snapshot is provisioned from the restored VolumeSnapshot', () => {
  const out = kept(pvcAction, claim({ 'velero.io/volume-snapshot-name': 'velero-data-abcde' }, 'pv-1'), context({ restoreUid: 'r1' }));
  assert.is(out.spec.volumeName, undefined);
  assert.equal(out.spec.dataSource, { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: restoredSnapshotName('r1', 'velero-data-abcde') });
  assert.is(out.metadata.annotations, undefined);
});

test('pvc: with restorePVs false a snapshotted claim is provisioned empty', () => {
  const out = kept(pvcAction, claim({ 'velero.io/volume-snapshot-name': 'velero-data-abcde' }, 'pv-1'), context({ restorePVs: false }));
  assert.is(out.spec.volumeName, undefined);
  assert.is(out.spec.dataSource, undefined);
});

test.run();
