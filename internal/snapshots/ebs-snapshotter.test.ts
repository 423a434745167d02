// The EBS snapshotter's waiting and error lines, with the EC2 client's send() replaced: moto
// completes snapshots at once, so the pending, error, timeout and Ctrl-C paths are played here.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { EbsSnapshotter } from './providers/aws-ebs-snapshotter.ts';
import { SnapshotNotCompletedError } from './volume-snapshotter.ts';

type Sent = { name: string; input: Record<string, unknown> };

function stubbed(answer: (sent: Sent, calls: Sent[]) => unknown, options: Partial<ConstructorParameters<typeof EbsSnapshotter>[0]> = {}) {
  const snapshotter = new EbsSnapshotter({ region: 'us-east-1', credentials: { accessKeyId: 'AK', secretAccessKey: 'SECRET' }, pollIntervalMs: 5, ...options });
  const calls: Sent[] = [];
  (snapshotter as unknown as { client: { send: (c: { constructor: { name: string }; input: Record<string, unknown> }) => Promise<unknown> } }).client.send = async (command) => {
    const sent = { name: command.constructor.name, input: command.input };
    calls.push(sent);
    return answer(sent, calls);
  };
  return { snapshotter, calls };
}

const volume = { Volumes: [{ VolumeId: 'vol-1', VolumeType: 'gp3', Iops: 3000, Tags: [{ Key: 'team', Value: 'db' }] }] };

function awsError(name: string, message: string): Error {
  return Object.assign(new Error(message), { name });
}

test('createSnapshot waits while the snapshot is pending, then returns its id', async () => {
  const states = ['pending', 'pending', 'completed'];
  const { snapshotter, calls } = stubbed((sent) => {
    if (sent.name === 'DescribeVolumesCommand') return volume;
    if (sent.name === 'CreateSnapshotCommand') return { SnapshotId: 'snap-1', State: 'pending' };
    return { Snapshots: [{ SnapshotId: 'snap-1', State: states.shift(), Progress: '50%' }] };
  });
  assert.is(await snapshotter.createSnapshot('vol-1', 'us-east-1a', { 'velero.io/backup': 'b1' }), 'snap-1');
  assert.equal(calls.map((c) => c.name), ['DescribeVolumesCommand', 'CreateSnapshotCommand', 'DescribeSnapshotsCommand', 'DescribeSnapshotsCommand', 'DescribeSnapshotsCommand']);
  assert.equal(calls[1]!.input, { VolumeId: 'vol-1', TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: 'velero.io/backup', Value: 'b1' }, { Key: 'team', Value: 'db' }] }] });
});

test('a snapshot in state error, past the deadline or given up by Ctrl-C keeps its id', async () => {
  const failing = stubbed((sent) => (sent.name === 'DescribeVolumesCommand' ? volume : sent.name === 'CreateSnapshotCommand' ? { SnapshotId: 'snap-2', State: 'pending' } : { Snapshots: [{ State: 'error' }] }));
  const e1 = await failing.snapshotter.createSnapshot('vol-1', 'z', {}).then(() => undefined, (e: unknown) => e);
  assert.instance(e1, SnapshotNotCompletedError);
  assert.is((e1 as SnapshotNotCompletedError).snapshotId, 'snap-2');
  assert.match((e1 as Error).message, /snapshot snap-2 of volume vol-1 \(EBS in us-east-1\) is in state error/);

  const slow = stubbed((sent) => (sent.name === 'DescribeVolumesCommand' ? volume : sent.name === 'CreateSnapshotCommand' ? { SnapshotId: 'snap-3', State: 'pending' } : { Snapshots: [{ State: 'pending', Progress: '12%' }] }));
  const e2 = await slow.snapshotter.createSnapshot('vol-1', 'z', {}, { timeoutMs: 40 }).then(() => undefined, (e: unknown) => e);
  assert.is((e2 as SnapshotNotCompletedError).snapshotId, 'snap-3');
  assert.match((e2 as Error).message, /is still pending \(12%\) after 0 s/);

  const controller = new AbortController();
  setTimeout(() => controller.abort(new Error('interrupted (SIGINT)')), 20);
  const e3 = await slow.snapshotter.createSnapshot('vol-1', 'z', {}, { signal: controller.signal, timeoutMs: 60_000 }).then(() => undefined, (e: unknown) => e);
  assert.is((e3 as SnapshotNotCompletedError).snapshotId, 'snap-3');
  assert.match((e3 as Error).message, /was not waited for: interrupted \(SIGINT\)/);
});

test('getVolumeInfo records IOPS only for io1/io2, as the AWS plugin', async () => {
  const gp3 = stubbed(() => volume);
  assert.equal(await gp3.snapshotter.getVolumeInfo('vol-1', 'z'), { volumeType: 'gp3', iops: 0 });
  const io2 = stubbed(() => ({ Volumes: [{ VolumeType: 'io2', Iops: 900 }] }));
  assert.equal(await io2.snapshotter.getVolumeInfo('vol-1', 'z'), { volumeType: 'io2', iops: 900 });
  const none = stubbed(() => ({ Volumes: [] }));
  await none.snapshotter.getVolumeInfo('vol-1', 'z').then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /returned 0 volumes, not one/));
});

test("createVolumeFromSnapshot: the snapshot's tags and encryption, IOPS for io types, the KMS key and AWS_CLUSTER_NAME", async () => {
  const { snapshotter, calls } = stubbed(
    (sent) => (sent.name === 'DescribeSnapshotsCommand' ? { Snapshots: [{ Encrypted: false, Tags: [{ Key: 'velero.io/backup', Value: 'b1' }, { Key: 'KubernetesCluster', Value: 'old' }] }] } : { VolumeId: 'vol-9' }),
    { kmsKeyId: 'arn:aws:kms:us-east-1:1:key/k', clusterName: 'new' },
  );
  assert.is(await snapshotter.createVolumeFromSnapshot('snap-1', 'io1', 'us-east-1b', 400), 'vol-9');
  assert.equal(calls[1]!.input, {
    SnapshotId: 'snap-1',
    AvailabilityZone: 'us-east-1b',
    VolumeType: 'io1',
    Encrypted: true,
    KmsKeyId: 'arn:aws:kms:us-east-1:1:key/k',
    Iops: 400,
    TagSpecifications: [{ ResourceType: 'volume', Tags: [{ Key: 'kubernetes.io/cluster/new', Value: 'owned' }, { Key: 'KubernetesCluster', Value: 'new' }, { Key: 'velero.io/backup', Value: 'b1' }] }],
  });
  const plain = stubbed((sent) => (sent.name === 'DescribeSnapshotsCommand' ? { Snapshots: [{ Encrypted: true }] } : { VolumeId: 'vol-8' }));
  await plain.snapshotter.createVolumeFromSnapshot('snap-1', 'gp3', 'us-east-1a', 0);
  assert.equal(plain.calls[1]!.input, { SnapshotId: 'snap-1', AvailabilityZone: 'us-east-1a', VolumeType: 'gp3', Encrypted: true, TagSpecifications: [{ ResourceType: 'volume', Tags: [] }] });
});

test('deleteSnapshot: a snapshot already gone is fine; other errors are one line without secrets', async () => {
  const gone = stubbed(() => {
    throw awsError('InvalidSnapshot.NotFound', "The snapshot 'snap-1' does not exist.");
  });
  await gone.snapshotter.deleteSnapshot('snap-1');
  const denied = stubbed(() => {
    throw awsError('UnauthorizedOperation', 'You are not authorized to perform this operation.\nEncoded authorization failure message: abc');
  });
  const error = await denied.snapshotter.deleteSnapshot('snap-1').then(() => undefined, (e: Error) => e);
  assert.is(error?.message, 'access denied while trying to delete snapshot snap-1 (EBS in us-east-1): UnauthorizedOperation: You are not authorized to perform this operation. Encoded authorization failure message: abc');
  const inUse = stubbed(() => {
    throw awsError('InvalidSnapshot.InUse', 'The snapshot snap-1 is currently in use by ami-1');
  });
  assert.match((await inUse.snapshotter.deleteSnapshot('snap-1').then(() => undefined, (e: Error) => e))?.message ?? '', /^could not delete snapshot snap-1 \(EBS in us-east-1\): InvalidSnapshot.InUse: The snapshot snap-1 is currently in use/);
  const noCredentials = stubbed(() => {
    throw awsError('CredentialsProviderError', 'Could not load credentials from any providers');
  });
  assert.match((await noCredentials.snapshotter.deleteSnapshot('snap-1').then(() => undefined, (e: Error) => e))?.message ?? '', /^no AWS credentials to delete snapshot snap-1/);
});

test.run();
