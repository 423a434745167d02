// Native volume snapshots of EBS volumes against moto's EC2 API (hack/harness/moto.ts, with IAM
// credentials checked): a volume snapshot location made with the CLI, the backup step snapshotting
// in-tree and CSI EBS volumes with Velero's tags and records, the restore step making volumes from
// those snapshots in the PVs' zones, the delete step removing them; a wrong region, wrong
// credentials, a credentials file gone and an unreachable endpoint as Failed records with one line
// naming the PV. Needs `moto_server` (pip install "moto[server]==5.2.1"; `make test` installs it).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateVolumeCommand, DescribeSnapshotsCommand, DescribeVolumesCommand, EC2Client, type Tag } from '@aws-sdk/client-ec2';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { runCli } from '../cmd/cli.test-helpers.ts';
import { findMotoServer, type MotoServer, startMoto } from '../hack/harness/moto.ts';
import { LocalStore } from '../internal/storage/local-store.ts';
import { NativeSnapshotTaker } from '../internal/snapshots/native-backup.ts';
import { deleteNativeSnapshots } from '../internal/snapshots/native-delete.ts';
import { readVolumeSnapshots, type Snapshot, writeVolumeSnapshots } from '../internal/snapshots/native-records.ts';
import { restoreVolumeFromSnapshot } from '../internal/snapshots/native-restore.ts';
import { chooseSnapshotLocations, findSnapshotLocation, snapshotterLookup } from '../internal/snapshots/snapshot-locations.ts';
import type { PersistentVolume } from '../internal/snapshots/volume-snapshotter.ts';

const test = suite('native EBS snapshots on moto');
const BACKUP = { metadata: { name: 'shop-1', uid: '6f1c2a0e-1111-4222-8333-444455556666', labels: { 'velero.io/storage-location': 'default', app: 'shop' } } };

let moto: MotoServer;
let ec2: EC2Client;
let dir = '';
let savedConfig: string | undefined;
const volumes: Record<'a' | 'b' | 'c', string> = { a: '', b: '', c: '' };
let pvs: PersistentVolume[] = [];
let records: Snapshot[] = [];
const timings: string[] = [];

const velero = (args: string[]) => runCli([...args, '--kubeconfig', join(dir, 'no-kubeconfig')]);
const tagsOf = (tags: Tag[] = []) => Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
const timed = async <T>(what: string, run: () => Promise<T>): Promise<T> => {
  const started = performance.now();
  try {
    return await run();
  } finally {
    timings.push(`${what}: ${Math.round(performance.now() - started)} ms`);
  }
};

async function createVolume(zone: string, type: 'gp2' | 'gp3' | 'io1', extra: { Iops?: number; tags?: Record<string, string> } = {}): Promise<string> {
  const out = await ec2.send(
    new CreateVolumeCommand({
      AvailabilityZone: zone,
      Size: 1,
      VolumeType: type,
      ...(extra.Iops ? { Iops: extra.Iops } : {}),
      ...(extra.tags ? { TagSpecifications: [{ ResourceType: 'volume', Tags: Object.entries(extra.tags).map(([Key, Value]) => ({ Key, Value })) }] } : {}),
    }),
  );
  return out.VolumeId!;
}

const pv = (name: string, spec: PersistentVolume['spec'], labels?: Record<string, string>): PersistentVolume => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name, ...(labels ? { labels } : {}) },
  spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], persistentVolumeReclaimPolicy: 'Retain', ...spec },
});

/** A location of the config file, by the CLI, as a user makes it. */
async function createLocation(name: string, config: string, credentialFile = moto.credentialsFile): Promise<void> {
  const r = await velero(['snapshot-location', 'create', name, '--provider', 'aws', '--config', config, '--credential-file', credentialFile]);
  assert.is(r.code, 0, r.stderr);
}

async function takeWith(location: string, pvList: PersistentVolume[]) {
  const taker = new NativeSnapshotTaker(BACKUP, [await findSnapshotLocation(location)]);
  const outcomes = [];
  for (const p of pvList) outcomes.push(await taker.snapshotPersistentVolume(p));
  return { taker, outcomes };
}

const motoBinary = findMotoServer();
if (!motoBinary) {
  // Required, never skipped: `make test` installs it (the `moto` target).
  test('moto_server is there', () => assert.unreachable('needs moto_server (pip install "moto[server]==5.2.1", or MOTO_SERVER=/path/to/moto_server)'));
} else {
  test.before(async () => {
    moto = await timed('moto start (with IAM user)', () => startMoto({ binary: motoBinary }));
    ec2 = new EC2Client({ region: moto.region, endpoint: moto.endpoint, credentials: moto.credentials });
    dir = mkdtempSync(join(tmpdir(), 'kv-ebs-e2e-'));
    savedConfig = process.env.KUBECTL_VELERO_CONFIG;
    process.env.KUBECTL_VELERO_CONFIG = join(dir, 'config.yaml');
    volumes.a = await createVolume('us-east-1a', 'gp3', { tags: { team: 'db', 'velero.io/backup': 'older-backup' } });
    volumes.b = await createVolume('us-east-1b', 'io1', { Iops: 200 });
    volumes.c = await createVolume('us-east-1c', 'gp2');
    pvs = [
      // In-tree, zone in the deprecated label: restored as aws://ZONE/vol-….
      pv('pv-a', { awsElasticBlockStore: { volumeID: `aws://us-east-1a/${volumes.a}`, fsType: 'ext4' }, claimRef: { namespace: 'shop', name: 'data-db-0' } }, { 'failure-domain.beta.kubernetes.io/zone': 'us-east-1a' }),
      // The EBS CSI driver, zone in node affinity.
      pv('pv-b', {
        csi: { driver: 'ebs.csi.aws.com', volumeHandle: volumes.b, fsType: 'ext4' },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.ebs.csi.aws.com/zone', operator: 'In', values: ['us-east-1b'] }] }] } },
      }),
      // In-tree with a bare id, zone in the current label.
      pv('pv-c', { awsElasticBlockStore: { volumeID: volumes.c } }, { 'topology.kubernetes.io/zone': 'us-east-1c' }),
    ];
  });

  test.after(async () => {
    await moto?.stop();
    if (savedConfig === undefined) delete process.env.KUBECTL_VELERO_CONFIG;
    else process.env.KUBECTL_VELERO_CONFIG = savedConfig;
    if (dir) rmSync(dir, { recursive: true, force: true });
    console.log(`\n  timings: ${timings.join('; ')}`);
  });

  test('snapshot-location create/get with the CLI, chosen as the only aws location', async () => {
    await createLocation('ebs', `region=us-east-1,ec2Endpoint=${moto.endpoint}`);
    const get = await velero(['snapshot-location', 'get', 'ebs', '-o', 'json']);
    assert.is(get.code, 0, get.stderr);
    assert.equal(JSON.parse(get.stdout).spec, { provider: 'aws', config: { region: 'us-east-1', ec2Endpoint: moto.endpoint } });
    const chosen = await chooseSnapshotLocations(undefined);
    assert.equal(chosen.map((l) => [l.name, l.provider, l.credentials.kind]), [['ebs', 'aws', 'file']]);
  });

  test("backup: a snapshot of each EBS volume with Velero's tags; Velero's records; other volumes skipped", async () => {
    const nfs = pv('pv-nfs', { nfs: { server: 'nfs.example', path: '/exports/x' } });
    const gke = pv('pv-gke', { csi: { driver: 'pd.csi.storage.gke.io', volumeHandle: 'projects/p/zones/z/disks/d' } });
    const { taker, outcomes } = await timed('backup step, 5 PVs (3 EBS)', () => takeWith('ebs', [...pvs, nfs, gke]));
    assert.equal(outcomes.map((o) => o.kind), ['completed', 'completed', 'completed', 'skipped', 'skipped'], JSON.stringify(outcomes));
    records = taker.snapshots;
    assert.equal(taker.counts(), { attempted: 3, completed: 3 });

    const found = await ec2.send(new DescribeSnapshotsCommand({ Filters: [{ Name: 'tag:velero.io/backup', Values: ['shop-1'] }] }));
    assert.is(found.Snapshots?.length, 3);
    for (const record of records) {
      const snapshot = found.Snapshots!.find((s) => s.SnapshotId === record.status.providerSnapshotID);
      assert.ok(snapshot, `snapshot ${record.status.providerSnapshotID} in moto`);
      assert.is(snapshot!.VolumeId, record.spec.providerVolumeID);
      assert.is(snapshot!.State, 'completed');
      const tags = tagsOf(snapshot!.Tags);
      assert.is(tags['velero.io/backup'], 'shop-1');
      assert.is(tags['velero.io/pv'], record.spec.persistentVolumeName);
      assert.is(tags['velero.io/storage-location'], 'default');
      assert.is(tags.app, 'shop');
    }
    // The volume's own tags are copied; Velero's replace older ones of the same key.
    const ofA = found.Snapshots!.find((s) => s.VolumeId === volumes.a)!;
    assert.is(tagsOf(ofA.Tags).team, 'db');
    assert.is(tagsOf(ofA.Tags)['velero.io/backup'], 'shop-1');

    assert.equal(
      records.map((r) => r.spec),
      [
        { backupName: 'shop-1', backupUID: BACKUP.metadata.uid, location: 'ebs', persistentVolumeName: 'pv-a', providerVolumeID: volumes.a, volumeType: 'gp3', volumeAZ: 'us-east-1a', volumeIOPS: 0 },
        { backupName: 'shop-1', backupUID: BACKUP.metadata.uid, location: 'ebs', persistentVolumeName: 'pv-b', providerVolumeID: volumes.b, volumeType: 'io1', volumeAZ: 'us-east-1b', volumeIOPS: 200 },
        { backupName: 'shop-1', backupUID: BACKUP.metadata.uid, location: 'ebs', persistentVolumeName: 'pv-c', providerVolumeID: volumes.c, volumeType: 'gp2', volumeAZ: 'us-east-1c', volumeIOPS: 0 },
      ],
    );
    assert.ok(records.every((r) => r.status.phase === 'Completed' && /^snap-/.test(r.status.providerSnapshotID ?? '')));
    assert.equal(taker.volumeInfos.map((v) => [v.pvName, v.pvcName ?? '', v.result, v.nativeSnapshotInfo.snapshotHandle === records.find((r) => r.spec.persistentVolumeName === v.pvName)!.status.providerSnapshotID, v.nativeSnapshotInfo.iops]), [
      ['pv-a', 'data-db-0', 'succeeded', true, '0'],
      ['pv-b', '', 'succeeded', true, '200'],
      ['pv-c', '', 'succeeded', true, '0'],
    ]);

    // Stored and read back as NAME-volumesnapshots.json.gz.
    const store = new LocalStore(join(dir, 'store'));
    await writeVolumeSnapshots(store, 'shop-1', records);
    assert.equal(await readVolumeSnapshots(store, 'shop-1'), records);
  });

  test("restore: a volume from each snapshot in the PV's zone, of its type and IOPS; the PVs rewritten", async () => {
    const lookup = snapshotterLookup();
    const restored = await timed('restore step, 3 PVs', () => Promise.all(pvs.map((p) => restoreVolumeFromSnapshot(p, records, lookup))));
    assert.equal(restored.map((r) => r.kind), ['restored', 'restored', 'restored'], JSON.stringify(restored));
    const ids = restored.map((r) => (r.kind === 'restored' ? r.volumeId : ''));
    const described = await ec2.send(new DescribeVolumesCommand({ VolumeIds: ids }));
    const byId = new Map(described.Volumes!.map((v) => [v.VolumeId, v]));
    const expected = [
      ['us-east-1a', 'gp3', records[0]!.status.providerSnapshotID],
      ['us-east-1b', 'io1', records[1]!.status.providerSnapshotID],
      ['us-east-1c', 'gp2', records[2]!.status.providerSnapshotID],
    ];
    ids.forEach((id, i) => {
      const volume = byId.get(id)!;
      assert.equal([volume.AvailabilityZone, volume.VolumeType, volume.SnapshotId], expected[i]);
      assert.is(tagsOf(volume.Tags)['velero.io/backup'], 'shop-1', "the snapshot's tags go onto the volume");
    });
    assert.is(byId.get(ids[1])!.Iops, 200);
    const [a, b, c] = restored.map((r) => (r.kind === 'restored' ? r.pv : undefined));
    assert.is(a!.spec?.awsElasticBlockStore?.volumeID, `aws://us-east-1a/${ids[0]}`);
    assert.is(b!.spec?.csi?.volumeHandle, ids[1]);
    assert.is(c!.spec?.awsElasticBlockStore?.volumeID, ids[2]);
    assert.is(pvs[0]!.spec?.awsElasticBlockStore?.volumeID, `aws://us-east-1a/${volumes.a}`, 'the backed-up PV is not changed');
    const none = await restoreVolumeFromSnapshot(pv('pv-other', { awsElasticBlockStore: { volumeID: volumes.a } }), records, lookup);
    assert.is(none.kind, 'none');
  });

  test('delete: every snapshot of the backup gone; a second delete is fine', async () => {
    const lookup = snapshotterLookup();
    const first = await timed('delete step, 3 snapshots', () => deleteNativeSnapshots(records, lookup));
    assert.equal(first.errors, []);
    assert.is(first.deleted.length, 3);
    const left = await ec2.send(new DescribeSnapshotsCommand({ Filters: [{ Name: 'tag:velero.io/backup', Values: ['shop-1'] }] }));
    assert.is(left.Snapshots?.length ?? 0, 0);
    const again = await deleteNativeSnapshots(records, lookup);
    assert.equal(again, { deleted: first.deleted, errors: [] });
  });

  const assertFailedLine = (outcome: Awaited<ReturnType<NativeSnapshotTaker['snapshotPersistentVolume']>>, pvName: string, reason: RegExp) => {
    assert.is(outcome.kind, 'failed', JSON.stringify(outcome));
    if (outcome.kind !== 'failed') return;
    assert.match(outcome.error, new RegExp(`^native snapshot of PersistentVolume "${pvName}"`));
    assert.match(outcome.error, reason);
    assert.not.match(outcome.error, /\n/);
    assert.not.ok(outcome.error.includes(moto.credentials.secretAccessKey), 'no secret in the message');
    assert.is(outcome.snapshot?.status.phase, 'Failed');
    assert.is(outcome.volumeInfo?.result, 'failed');
  };

  test('a wrong region: a Failed record and one line naming the PV', async () => {
    await createLocation('ebs-eu', `region=eu-west-1,ec2Endpoint=${moto.endpoint}`);
    const { outcomes, taker } = await takeWith('ebs-eu', [pvs[0]!]);
    assertFailedLine(outcomes[0]!, 'pv-a', /the volume does not exist in EBS in eu-west-1 .*\(is the location's region the volume's\?\)/);
    assert.equal(taker.snapshots[0]?.status, { phase: 'Failed' });
    console.log(`\n  wrong region: ${outcomes[0]!.kind === 'failed' ? outcomes[0]!.error : ''}`);
  });

  test('wrong credentials: a Failed record and one line naming the PV, no secret', async () => {
    const wrong = join(dir, 'wrong-credentials');
    writeFileSync(wrong, `[default]\naws_access_key_id=${moto.credentials.accessKeyId}\naws_secret_access_key=not-the-secret-0123456789\n`, { mode: 0o600 });
    await createLocation('ebs-wrong', `region=us-east-1,ec2Endpoint=${moto.endpoint}`, wrong);
    const { outcomes } = await takeWith('ebs-wrong', [pvs[1]!]);
    assertFailedLine(outcomes[0]!, 'pv-b', /EC2 rejected the credentials \(AuthFailure: .*\) while trying to describe volume vol-/);
    assert.not.match(outcomes[0]!.kind === 'failed' ? outcomes[0]!.error : '', /not-the-secret/);
    console.log(`  wrong credentials: ${outcomes[0]!.kind === 'failed' ? outcomes[0]!.error : ''}`);
  });

  test('a credentials file gone since the location was made: a Failed record naming the PV and the file', async () => {
    const gone = join(dir, 'gone-credentials');
    writeFileSync(gone, `[default]\naws_access_key_id=${moto.credentials.accessKeyId}\naws_secret_access_key=${moto.credentials.secretAccessKey}\n`, { mode: 0o600 });
    await createLocation('ebs-gone', `region=us-east-1,ec2Endpoint=${moto.endpoint}`, gone);
    rmSync(gone);
    const { outcomes } = await takeWith('ebs-gone', [pvs[2]!]);
    assertFailedLine(outcomes[0]!, 'pv-c', /cannot read credentials file .*gone-credentials: ENOENT/);
  });

  test('an endpoint that does not answer: a Failed record saying EC2 cannot be reached', async () => {
    await createLocation('ebs-down', 'region=us-east-1,ec2Endpoint=http://127.0.0.1:1');
    const { outcomes } = await timed('unreachable endpoint, with the SDK retries', () => takeWith('ebs-down', [pvs[0]!]));
    assertFailedLine(outcomes[0]!, 'pv-a', /cannot reach EC2 \(EBS in us-east-1 at http:\/\/127\.0\.0\.1:1\) \(ECONNREFUSED\)/);
  });

  test('snapshot-location delete forgets the locations; the rest of the config stays', async () => {
    for (const name of ['ebs-eu', 'ebs-wrong', 'ebs-gone', 'ebs-down']) assert.is((await velero(['snapshot-location', 'delete', name, '--confirm'])).code, 0);
    const table = await velero(['snapshot-location', 'get']);
    assert.equal(table.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(/\s+/)[0]), ['ebs']);
  });
}

test.run();
