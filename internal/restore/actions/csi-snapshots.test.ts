import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { restoredSnapshotName } from '../../snapshots/csi-objects.ts';
import { context, item, kept, skipped } from './actions.test-helpers.ts';
import { csiVolumeSnapshotAction, csiVolumeSnapshotContentAction } from './csi-snapshots.ts';
import { transformItem } from '../transform-item.ts';

const snapshot = () =>
  item('snapshot.storage.k8s.io/v1', 'VolumeSnapshot', 'velero-data-x1', 'shop', {
    metadata: { annotations: { 'velero.io/csi-vsc-deletion-policy': 'Delete', 'velero.io/csi-volumesnapshot-handle': 'h-1' } },
    spec: { source: { persistentVolumeClaimName: 'data' }, volumeSnapshotClassName: 'csi-hostpath-snapclass' },
    status: { boundVolumeSnapshotContentName: 'snapcontent-1', readyToUse: true },
  });
const content = (status: Record<string, unknown> = { snapshotHandle: 'h-1', readyToUse: true, restoreSize: 1024 }) =>
  item('snapshot.storage.k8s.io/v1', 'VolumeSnapshotContent', 'snapcontent-1', undefined, {
    metadata: { labels: { 'velero.io/backup-name': 'b1' } },
    spec: { deletionPolicy: 'Delete', driver: 'hostpath.csi.k8s.io', source: { volumeHandle: 'vol-1' }, volumeSnapshotClassName: 'csi-hostpath-snapclass', volumeSnapshotRef: { kind: 'VolumeSnapshot', namespace: 'shop', name: 'velero-data-x1', uid: 'u1', resourceVersion: '5' } },
    status,
  });

test('csi: the snapshot is renamed for the restore, bound to the content of the same name, classless, Retain', () => {
  const out = kept(csiVolumeSnapshotAction, snapshot(), context({ restoreUid: 'r1' }));
  const name = restoredSnapshotName('r1', 'velero-data-x1');
  assert.is(out.metadata.name, name);
  assert.equal(out.spec, { source: { volumeSnapshotContentName: name } });
  assert.is(out.metadata.annotations['velero.io/csi-vsc-deletion-policy'], 'Retain');
});

test('csi: the content points at the stored handle and the restored snapshot, in the mapped namespace', () => {
  const out = kept(csiVolumeSnapshotContentAction, content(), context({ restoreUid: 'r1', namespaceMapping: { shop: 'shop-copy' } }));
  const name = restoredSnapshotName('r1', 'velero-data-x1');
  assert.is(out.metadata.name, name);
  assert.equal(out.spec, {
    deletionPolicy: 'Retain',
    driver: 'hostpath.csi.k8s.io',
    source: { snapshotHandle: 'h-1' },
    volumeSnapshotRef: { apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot', namespace: 'shop-copy', name },
  });
});

test('csi: a content without a handle, or restorePVs false, is not restored', () => {
  assert.match(skipped(csiVolumeSnapshotContentAction, content({ readyToUse: false }))!, /no snapshot handle/);
  assert.match(skipped(csiVolumeSnapshotAction, snapshot(), context({ restorePVs: false }))!, /does not restore volumes/);
  assert.match(skipped(csiVolumeSnapshotContentAction, content(), context({ restorePVs: false }))!, /does not restore volumes/);
});

test('csi: through transformItem (status reset first) the handle still comes from the backed-up item', () => {
  const ctx = { ...context({ restoreUid: 'r1' }), backupName: 'b1', restoreName: 'r1' };
  const out = transformItem('volumesnapshotcontents.snapshot.storage.k8s.io', content(), ctx);
  assert.ok('item' in out, JSON.stringify(out));
  assert.equal((out as unknown as { item: { spec: { source: unknown } } }).item.spec.source, { snapshotHandle: 'h-1' });
  const vs = transformItem('volumesnapshots.snapshot.storage.k8s.io', snapshot(), ctx);
  assert.ok('item' in vs, JSON.stringify(vs));
});

test('csi: Velero names restored snapshots sha256(restore UID/snapshot name)', () => {
  // GenerateSha256FromRestoreUIDAndVsName("uid-1", "vs-1"), computed independently with sha256sum.
  assert.is(restoredSnapshotName('uid-1', 'vs-1'), '1361b3bd2dd4f0f5a126c11e095a39e081f9e3ad0fd3ac69d22e2905ba68e9a1');
});

test.run();
