// The native snapshot step of a backup on a fake snapshotter: Velero's record and volume info,
// Velero's tags, which PVs are skipped, and failures as Failed records with one line naming the PV.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ebsPv, FakeSnapshotter, fakeLocation } from './native-fake-snapshotter.test-helpers.ts';
import { NativeSnapshotTaker } from './native-backup.ts';
import type { PersistentVolume } from './volume-snapshotter.ts';

const backup = { metadata: { name: 'shop-1', uid: '3c5f0d6e-0000-4000-8000-000000000001', labels: { 'velero.io/storage-location': 'minio', team: 'web' } } };

function setup() {
  const fake = new FakeSnapshotter();
  fake.disks.set('vol-0aaa', { type: 'gp3', zone: 'us-east-1a' });
  fake.disks.set('vol-0bbb', { type: 'io1', iops: 300, zone: 'us-east-1b' });
  const taker = new NativeSnapshotTaker(backup, [fakeLocation('ebs')], { open: async () => fake });
  return { fake, taker };
}

test("a snapshot with Velero's tags, and Velero's Snapshot record and BackupVolumeInfo", async () => {
  const { fake, taker } = setup();
  const outcome = await taker.snapshotPersistentVolume(ebsPv('pv-a', 'vol-0aaa', 'us-east-1a'));
  assert.is(outcome.kind, 'completed');
  const [id] = [...fake.snapshots.keys()];
  assert.equal(fake.snapshots.get(id!)?.tags, { 'velero.io/storage-location': 'minio', team: 'web', 'velero.io/backup': 'shop-1', 'velero.io/pv': 'pv-a' });
  // Velero's JSON, field for field and in its order.
  assert.is(
    JSON.stringify(taker.snapshots),
    JSON.stringify([
      {
        spec: { backupName: 'shop-1', backupUID: backup.metadata.uid, location: 'ebs', persistentVolumeName: 'pv-a', providerVolumeID: 'vol-0aaa', volumeType: 'gp3', volumeAZ: 'us-east-1a', volumeIOPS: 0 },
        status: { providerSnapshotID: id, phase: 'Completed' },
      },
    ]),
  );
  assert.is(
    JSON.stringify(taker.volumeInfos),
    JSON.stringify([
      {
        pvcName: 'data-pv-a',
        pvcNamespace: 'shop',
        pvName: 'pv-a',
        backupMethod: 'NativeSnapshot',
        snapshotDataMoved: false,
        preserveLocalSnapshot: false,
        skipped: false,
        result: 'succeeded',
        nativeSnapshotInfo: { snapshotHandle: id, volumeType: 'gp3', volumeAZ: 'us-east-1a', iops: '0', Phase: 'Completed' },
        pvInfo: { reclaimPolicy: 'Retain', labels: { 'topology.kubernetes.io/zone': 'us-east-1a' } },
      },
    ]),
  );
  assert.equal(taker.counts(), { attempted: 1, completed: 1 });
});

test('provisioned IOPS are recorded; a CSI EBS volume gets its zone from node affinity', async () => {
  const { taker } = setup();
  const csi: PersistentVolume = {
    apiVersion: 'v1',
    kind: 'PersistentVolume',
    metadata: { name: 'pv-b' },
    spec: {
      csi: { driver: 'ebs.csi.aws.com', volumeHandle: 'vol-0bbb' },
      nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.ebs.csi.aws.com/zone', operator: 'In', values: ['us-east-1b'] }] }] } },
      persistentVolumeReclaimPolicy: 'Delete',
    },
  };
  const outcome = await taker.snapshotPersistentVolume(csi);
  assert.is(outcome.kind, 'completed');
  if (outcome.kind !== 'completed') return;
  assert.equal({ ...outcome.snapshot.spec, backupUID: '' }, { backupName: 'shop-1', backupUID: '', location: 'ebs', persistentVolumeName: 'pv-b', providerVolumeID: 'vol-0bbb', volumeType: 'io1', volumeAZ: 'us-east-1b', volumeIOPS: 300 });
  assert.is(outcome.volumeInfo.nativeSnapshotInfo.iops, '300');
  assert.not.ok('pvcName' in outcome.volumeInfo, 'no claim, no pvcName');
  assert.equal(outcome.volumeInfo.pvInfo, { reclaimPolicy: 'Delete', labels: {} });
});

test('PVs no location recognises are skipped, and CSI volumes when CSI snapshots them', async () => {
  const { taker, fake } = setup();
  const nfs: PersistentVolume = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'nfs' }, spec: { nfs: { server: 's', path: '/' } } };
  assert.equal(await taker.snapshotPersistentVolume(nfs), { kind: 'skipped', reason: 'no applicable volume snapshotter found' });
  const skipping = new NativeSnapshotTaker(backup, [fakeLocation('ebs')], { open: async () => fake, skipCsiVolumes: true });
  const csi: PersistentVolume = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'c' }, spec: { csi: { driver: 'ebs.csi.aws.com', volumeHandle: 'vol-0bbb' } } };
  assert.is((await skipping.snapshotPersistentVolume(csi)).kind, 'skipped');
  assert.is(taker.snapshots.length + skipping.snapshots.length, 0);
  assert.is(fake.snapshots.size, 0);
  assert.is((await new NativeSnapshotTaker(backup, [], {}).snapshotPersistentVolume(ebsPv('x', 'vol-0aaa', 'z'))).kind, 'skipped', 'no location at all');
});

test('a disk that cannot be read (wrong region): a Failed record and one line naming the PV', async () => {
  const { taker, fake } = setup();
  fake.failing.info = 'could not describe volume vol-0aaa: the volume does not exist in EBS in eu-west-1 (is the location\'s region the volume\'s?)';
  const outcome = await taker.snapshotPersistentVolume(ebsPv('pv-a', 'vol-0aaa', 'us-east-1a'));
  assert.is(outcome.kind, 'failed');
  if (outcome.kind !== 'failed') return;
  assert.match(outcome.error, /^native snapshot of PersistentVolume "pv-a" \(volume vol-0aaa, volume snapshot location "ebs"\): could not describe volume/);
  assert.not.match(outcome.error, /\n/);
  assert.equal(outcome.snapshot?.status, { phase: 'Failed' });
  assert.is(outcome.snapshot?.spec.volumeType, '');
  assert.is(outcome.volumeInfo?.result, 'failed');
  assert.is(outcome.volumeInfo?.nativeSnapshotInfo.Phase, 'Failed');
  assert.equal(taker.counts(), { attempted: 1, completed: 0 });
});

test('a snapshot made but not completed in time keeps its id in the Failed record (so a delete removes it)', async () => {
  const { taker, fake } = setup();
  fake.failing.pending = 'snapshot snap-0001 of volume vol-0aaa is still pending (12%) after 600 s';
  const outcome = await taker.snapshotPersistentVolume(ebsPv('pv-a', 'vol-0aaa', 'us-east-1a'));
  assert.is(outcome.kind, 'failed');
  assert.equal(taker.snapshots[0]?.status, { providerSnapshotID: 'snap-0001', phase: 'Failed' });
});

test('a location that cannot be opened: the PV fails with the location named, no record', async () => {
  const taker = new NativeSnapshotTaker(backup, [fakeLocation('ebs')], {
    open: async () => {
      throw new Error('volume snapshot location "ebs": cannot read credentials file /nope: ENOENT');
    },
  });
  const outcome = await taker.snapshotPersistentVolume(ebsPv('pv-a', 'vol-0aaa', 'us-east-1a'));
  assert.equal(outcome, { kind: 'failed', error: 'native snapshot of PersistentVolume "pv-a": volume snapshot location "ebs": cannot read credentials file /nope: ENOENT' });
  assert.is(taker.snapshots.length, 0);
});

test('the snapshotter of a location is opened once for all PVs, in parallel too', async () => {
  const fake = new FakeSnapshotter();
  for (const v of ['vol-1', 'vol-2', 'vol-3']) fake.disks.set(v, { type: 'gp2', zone: 'z' });
  let opened = 0;
  const taker = new NativeSnapshotTaker(backup, [fakeLocation('ebs')], {
    open: async () => {
      opened++;
      return fake;
    },
  });
  const outcomes = await Promise.all(['vol-1', 'vol-2', 'vol-3'].map((v, i) => taker.snapshotPersistentVolume(ebsPv(`pv-${i}`, v, 'z'))));
  assert.equal(outcomes.map((o) => o.kind), ['completed', 'completed', 'completed']);
  assert.is(opened, 1);
  assert.is(new Set(taker.snapshots.map((s) => s.status.providerSnapshotID)).size, 3);
});

test.run();
