import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubeObject } from '../kube/list.ts';
import { binaryQuantity, claimWithSnapshot, contentToDeleteSnapshot, newVolumeSnapshot, quantityBytes, snapshotWithContentFacts, type VolumeSnapshotContent } from './csi-objects.ts';

const claim: KubeObject = {
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name: 'data', namespace: 'shop', labels: { app: 'db' } },
  spec: { resources: { requests: { storage: '1Gi' } }, storageClassName: 'csi-hostpath', volumeName: 'pvc-1' },
};
const content: VolumeSnapshotContent = {
  apiVersion: 'snapshot.storage.k8s.io/v1',
  kind: 'VolumeSnapshotContent',
  metadata: { name: 'snapcontent-1', uid: 'c-uid', labels: { 'velero.io/backup-name': 'b1' } },
  spec: { deletionPolicy: 'Delete', driver: 'hostpath.csi.k8s.io', source: { volumeHandle: 'v-1' }, volumeSnapshotRef: { namespace: 'shop', name: 'velero-data-x' } },
  status: { snapshotHandle: 'h-1', readyToUse: true, restoreSize: 2 * 1024 ** 3 },
};

test('newVolumeSnapshot: Velero\'s generateName, labels and source', () => {
  const vs = newVolumeSnapshot(claim, 'csi-hostpath-snapclass', 'b1');
  assert.equal(vs.metadata, { generateName: 'velero-data-', namespace: 'shop', labels: { app: 'db', 'velero.io/backup-name': 'b1' } });
  assert.equal(vs.spec, { source: { persistentVolumeClaimName: 'data' }, volumeSnapshotClassName: 'csi-hostpath-snapclass' });
});

test('claimWithSnapshot: names the snapshot, must bring it, asks for the snapshot\'s size when larger', () => {
  const out = claimWithSnapshot(claim, 'velero-data-x', 'b1', 2 * 1024 ** 3) as KubeObject & { spec: { resources: { requests: { storage: string } } } };
  assert.is(out.metadata.labels!['velero.io/volume-snapshot-name'], 'velero-data-x');
  assert.is(out.metadata.annotations!['velero.io/volume-snapshot-name'], 'velero-data-x');
  assert.is(out.metadata.annotations!['backup.velero.io/must-include-additional-items'], 'true');
  assert.is(out.spec.resources.requests.storage, '2Gi');
  const smaller = claimWithSnapshot(claim, 'velero-data-x', 'b1', 1000) as typeof out;
  assert.is(smaller.spec.resources.requests.storage, '1Gi');
  assert.is((claim.spec as typeof out.spec).resources.requests.storage, '1Gi', 'input untouched');
});

test('snapshotWithContentFacts: the handle, driver, policy and size for a restore', () => {
  const vs = snapshotWithContentFacts({ apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshot', metadata: { name: 'velero-data-x', namespace: 'shop' } }, content);
  assert.equal(vs.metadata.annotations, {
    'velero.io/csi-vsc-deletion-policy': 'Delete',
    'velero.io/csi-volumesnapshot-handle': 'h-1',
    'velero.io/csi-driver-name': 'hostpath.csi.k8s.io',
    'velero.io/csi-volumesnapshot-restore-size': '2Gi',
    'backup.velero.io/must-include-additional-items': 'true',
  });
});

test('contentToDeleteSnapshot: a Delete content for the stored handle, referring to no real snapshot', () => {
  const out = contentToDeleteSnapshot(content, 'vsc-tmp');
  assert.is(out.metadata.name, 'vsc-tmp');
  assert.equal(out.spec.source, { snapshotHandle: 'h-1' });
  assert.is(out.spec.deletionPolicy, 'Delete');
  assert.equal(out.metadata.finalizers, ['snapshot.storage.kubernetes.io/volumesnapshotcontent-bound-protection']);
  assert.equal([out.spec.volumeSnapshotRef.namespace, out.spec.volumeSnapshotRef.name], ['ns-c-uid', 'name-c-uid']);
});

test('quantities: binary suffixes as resource.Quantity prints them, and parsing requests', () => {
  assert.equal([binaryQuantity(1024), binaryQuantity(1536), binaryQuantity(3 * 1024 ** 2), binaryQuantity(123)], ['1Ki', '1536', '3Mi', '123']);
  assert.equal([quantityBytes('1Gi'), quantityBytes('500M'), quantityBytes('100'), quantityBytes('2x')], [2 ** 30, 5e8, 100, Number.NaN]);
});

test.run();
