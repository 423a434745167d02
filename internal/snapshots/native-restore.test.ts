// Restoring PVs from their native snapshots, deleting a backup's snapshots, and the records file,
// on a fake snapshotter and a local directory store.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LocalStore } from '../storage/local-store.ts';
import { NativeSnapshotTaker } from './native-backup.ts';
import { deleteNativeSnapshots } from './native-delete.ts';
import { ebsPv, FakeSnapshotter, fakeLocation } from './native-fake-snapshotter.test-helpers.ts';
import { readVolumeSnapshots, type Snapshot, writeVolumeSnapshots } from './native-records.ts';
import { restoreVolumeFromSnapshot } from './native-restore.ts';

const backup = { metadata: { name: 'b1', uid: 'u1' } };

async function backedUp() {
  const fake = new FakeSnapshotter();
  fake.disks.set('vol-0aaa', { type: 'gp3', zone: 'us-east-1a' });
  fake.disks.set('vol-0bbb', { type: 'io2', iops: 500, zone: 'us-east-1b' });
  const taker = new NativeSnapshotTaker(backup, [fakeLocation('ebs')], { open: async () => fake });
  const pvA = ebsPv('pv-a', 'vol-0aaa', 'us-east-1a');
  const pvB = ebsPv('pv-b', 'vol-0bbb', 'us-east-1b');
  await taker.snapshotPersistentVolume(pvA);
  await taker.snapshotPersistentVolume(pvB);
  const lookups: string[] = [];
  const lookup = async (location: string) => {
    lookups.push(location);
    if (location !== 'ebs') throw new Error(`volume snapshot location "${location}" not found`);
    return fake;
  };
  return { fake, records: taker.snapshots, pvA, pvB, lookup, lookups };
}

test('a PV with a snapshot: a new disk of its type, zone and IOPS, and a changed copy of the PV', async () => {
  const { fake, records, pvB, lookup } = await backedUp();
  const outcome = await restoreVolumeFromSnapshot(pvB, records, lookup);
  assert.is(outcome.kind, 'restored');
  if (outcome.kind !== 'restored') return;
  assert.equal(fake.disks.get(outcome.volumeId), { type: 'io2', iops: 500, zone: 'us-east-1b', fromSnapshot: outcome.snapshotId });
  assert.is(outcome.pv.spec?.awsElasticBlockStore?.volumeID, outcome.volumeId, 'no deprecated zone label: the bare id, as the AWS plugin writes');
  assert.is(pvB.spec?.awsElasticBlockStore?.volumeID, 'aws://us-east-1b/vol-0bbb', 'the PV given is not changed');
  assert.is(
    JSON.stringify(outcome.volumeInfo),
    JSON.stringify({ pvcName: 'data-pv-b', pvcNamespace: 'shop', pvName: 'pv-b', restoreMethod: 'NativeSnapshot', snapshotDataMoved: false, nativeSnapshotInfo: { snapshotHandle: outcome.snapshotId, volumeType: 'io2', volumeAZ: 'us-east-1b', iops: '500', Phase: '' } }),
  );
});

test('a PV without a record comes back unchanged, and no location is opened', async () => {
  const { records, lookups, lookup } = await backedUp();
  const other = ebsPv('pv-other', 'vol-0ccc', 'us-east-1a');
  const outcome = await restoreVolumeFromSnapshot(other, records, lookup);
  assert.equal(outcome, { kind: 'none', pv: other });
  assert.equal(lookups, []);
});

test('a Failed record, a missing location, a failing cloud: one line naming the PV', async () => {
  const { records, pvA, fake, lookup } = await backedUp();
  const failed: Snapshot[] = [{ spec: { ...records[0]!.spec }, status: { phase: 'Failed' } }];
  const a = await restoreVolumeFromSnapshot(pvA, failed, lookup);
  assert.equal(a, { kind: 'failed', error: 'cannot restore PersistentVolume "pv-a" from its native snapshot: the backup\'s snapshot of it failed (phase Failed)' });
  const elsewhere: Snapshot[] = [{ ...records[0]!, spec: { ...records[0]!.spec, location: 'gone' } }];
  const b = await restoreVolumeFromSnapshot(pvA, elsewhere, lookup);
  assert.is(b.kind, 'failed');
  assert.match(b.kind === 'failed' ? b.error : '', /^cannot restore PersistentVolume "pv-a" from its native snapshot snap-\d+ \(volume snapshot location "gone"\): volume snapshot location "gone" not found$/);
  fake.failing.create = 'could not create a volume from snapshot snap-0001 in us-east-1a (EBS in us-east-1): EC2 rejected the credentials (AuthFailure: …)';
  const c = await restoreVolumeFromSnapshot(pvA, records, lookup);
  assert.match(c.kind === 'failed' ? c.error : '', /pv-a.*AuthFailure/);
});

test('deleting the snapshots of the records: all of them, idempotent, failures named', async () => {
  const { fake, records, lookup } = await backedUp();
  assert.is(fake.snapshots.size, 2);
  const first = await deleteNativeSnapshots(records, lookup);
  assert.equal(first.deleted.sort(), records.map((r) => r.status.providerSnapshotID!).sort());
  assert.equal(first.errors, []);
  assert.is(fake.snapshots.size, 0);
  const again = await deleteNativeSnapshots(records, lookup);
  assert.equal(again.errors, [], 'a snapshot already gone is fine');
  const withFailed: Snapshot[] = [{ spec: records[0]!.spec, status: { phase: 'Failed' } }];
  assert.equal(await deleteNativeSnapshots(withFailed, lookup), { deleted: [], errors: [] }, 'no snapshot id: nothing to delete');
  fake.failing.delete = 'access denied while trying to delete snapshot snap-0001';
  const denied = await deleteNativeSnapshots(records, lookup);
  assert.is(denied.errors.length, 2);
  assert.match(denied.errors[0]!, /^cannot delete snapshot snap-\d+ of PersistentVolume "pv-a" \(volume snapshot location "ebs"\): access denied/);
});

test("the records file: Velero's gzip'd JSON array, [] when none, and none when missing", async () => {
  const dir = mkdtempSync(join(tmpdir(), 'kv-native-records-'));
  try {
    const store = new LocalStore(dir);
    assert.equal(await readVolumeSnapshots(store, 'b1'), []);
    const { records } = await backedUp();
    await writeVolumeSnapshots(store, 'b1', records);
    assert.equal(await readVolumeSnapshots(store, 'b1'), records);
    const raw = gunzipSync(readFileSync(join(dir, 'backups', 'b1', 'b1-volumesnapshots.json.gz'))).toString('utf8');
    assert.ok(raw.startsWith('[{"spec":{"backupName":"b1","backupUID":"u1","location":"ebs","persistentVolumeName":"pv-a"'), raw);
    await writeVolumeSnapshots(store, 'b2', []);
    assert.is(gunzipSync(readFileSync(join(dir, 'backups', 'b2', 'b2-volumesnapshots.json.gz'))).toString('utf8'), '[]\n');
    assert.equal(await readVolumeSnapshots(store, 'b2'), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
