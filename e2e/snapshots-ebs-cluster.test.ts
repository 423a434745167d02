// Native EBS snapshots through the plugin, as a user runs it: a harness cluster whose claim is bound
// to a static PV of a volume made in moto's EC2 (started on loopback by the test, stopped after), a
// volume snapshot location on moto, `backup create` snapshotting the volume with Velero's tags and
// records, the namespace and the PV deleted, `restore create` making a new volume from the snapshot
// in the PV's zone and pointing the restored PV at it, `backup delete` deleting the snapshot; wrong
// credentials make a PartiallyFailed backup naming the PV.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeSnapshotsCommand, DescribeVolumesCommand, CreateVolumeCommand, EC2Client } from '@aws-sdk/client-ec2';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { downCluster, provider, type ClusterStatus } from '../hack/harness/cluster.ts';
import { findMotoServer, type MotoServer, startMoto } from '../hack/harness/moto.ts';
import { eventually, kubectl } from './fixtures/node-helpers.ts';
import { pluginCli } from './fixtures/plugin-cli.ts';

const NAME = `ebs-${process.pid}`;
let cluster: ClusterStatus;
let moto: MotoServer;
let ec2: EC2Client;
let work: string;
let env: NodeJS.ProcessEnv;
let volume = '';

const velero = pluginCli(() => env, () => ['--kubeconfig', cluster.kubeconfig]);

async function snapshotsOf(backup: string) {
  const out = await ec2.send(new DescribeSnapshotsCommand({ Filters: [{ Name: 'tag:velero.io/backup', Values: [backup] }] }));
  return out.Snapshots ?? [];
}

const objects = (volumeId: string) => `apiVersion: v1
kind: PersistentVolume
metadata: { name: pv-ebs, labels: { topology.kubernetes.io/zone: us-east-1a } }
spec:
  capacity: { storage: 1Gi }
  accessModes: [ReadWriteOnce]
  persistentVolumeReclaimPolicy: Retain
  storageClassName: ""
  awsElasticBlockStore: { volumeID: "aws://us-east-1a/${volumeId}", fsType: ext4 }
---
apiVersion: v1
kind: Namespace
metadata: { name: shop }
---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: { name: data, namespace: shop }
spec: { accessModes: [ReadWriteOnce], storageClassName: "", volumeName: pv-ebs, resources: { requests: { storage: 1Gi } } }
`;

test.before(async () => {
  const binary = findMotoServer();
  if (!binary) throw new Error('moto_server is needed (pip install "moto[server]==5.2.1")');
  try {
    [cluster, moto] = await Promise.all([provider().up(NAME), startMoto({ binary })]);
  } catch (error) {
    console.error('cluster or moto failed to start:', error);
    throw error;
  }
  ec2 = new EC2Client({ region: moto.region, endpoint: moto.endpoint, credentials: moto.credentials });
  work = mkdtempSync(join(tmpdir(), 'kv-ebs-cluster-e2e-'));
  env = { ...process.env, KUBECTL_VELERO_CONFIG: join(work, 'config.yaml') };
  volume = (await ec2.send(new CreateVolumeCommand({ AvailabilityZone: 'us-east-1a', Size: 1, VolumeType: 'gp3' }))).VolumeId!;
  writeFileSync(join(work, 'objects.yaml'), objects(volume));
  await kubectl(cluster.kubeconfig, ['apply', '-f', join(work, 'objects.yaml')]);
  await eventually('the claim bound to the static PV', async () => (await kubectl(cluster.kubeconfig, ['get', 'pvc', '-n', 'shop', 'data', '-o', 'jsonpath={.status.phase}'])).stdout === 'Bound');
  const m = cluster.minio;
  await velero(['backup-location', 'create', 'minio', '--provider', 'aws', '--bucket', m.bucket, '--config', `region=${m.region},s3Url=${m.endpoint},s3ForcePathStyle=true`, '--credential-file', m.credentialsFile, '--default']);
  await velero(['snapshot-location', 'create', 'ebs', '--provider', 'aws', '--config', `region=us-east-1,ec2Endpoint=${moto.endpoint}`, '--credential-file', moto.credentialsFile]);
});

test.after(async () => {
  await moto?.stop();
  await downCluster(NAME);
  if (work) rmSync(work, { recursive: true, force: true });
});

test('backup create takes a tagged EBS snapshot of the claim\'s volume and records it as Velero does', async () => {
  const out = await velero(['backup', 'create', 'ebs-1', '--include-namespaces', 'shop']);
  assert.match(out.stdout, /Backup "ebs-1" completed/);
  const snaps = await snapshotsOf('ebs-1');
  assert.is(snaps.length, 1);
  assert.is(snaps[0]!.VolumeId, volume);
  const tags = Object.fromEntries((snaps[0]!.Tags ?? []).map((t) => [t.Key, t.Value]));
  assert.is(tags['velero.io/pv'], 'pv-ebs');
  assert.is(tags['velero.io/storage-location'], 'minio');
  const described = (await velero(['backup', 'describe', 'ebs-1', '--details'])).stdout;
  assert.match(described, new RegExp(`Velero-Native Snapshots:\\n\\s+pv-ebs:\\n\\s+Snapshot ID:\\s+${snaps[0]!.SnapshotId}\\n\\s+Type:\\s+gp3\\n\\s+Availability Zone:\\s+us-east-1a\\n\\s+IOPS:\\s+\\S*\\n\\s+Result:\\s+succeeded`));
  assert.match((await velero(['backup', 'get', 'ebs-1', '-o', 'json'])).stdout, /"volumeSnapshotsCompleted": 1/);
});

test('restore create makes a volume from the snapshot in the PV\'s zone and points the restored PV at it', async () => {
  await kubectl(cluster.kubeconfig, ['delete', 'namespace', 'shop', '--wait=true', '--timeout=120s'], { timeoutMs: 130_000 });
  await kubectl(cluster.kubeconfig, ['delete', 'pv', 'pv-ebs', '--wait=true', '--timeout=60s'], { timeoutMs: 70_000 });
  const out = await velero(['restore', 'create', 'r-ebs-1', '--from-backup', 'ebs-1']);
  assert.match(out.stdout, /Restore "r-ebs-1" from backup "ebs-1" completed/);
  const id = (await kubectl(cluster.kubeconfig, ['get', 'pv', 'pv-ebs', '-o', 'jsonpath={.spec.awsElasticBlockStore.volumeID}'])).stdout;
  // Velero's AWS plugin writes the bare id (SetVolumeID).
  const m = /^(?:aws:\/\/us-east-1a\/)?(vol-\w+)$/.exec(id);
  assert.ok(m, `restored volume id ${id}`);
  assert.is.not(m![1], volume, 'a new volume');
  const made = (await ec2.send(new DescribeVolumesCommand({ VolumeIds: [m![1]!] }))).Volumes?.[0];
  assert.is(made?.SnapshotId, (await snapshotsOf('ebs-1'))[0]!.SnapshotId);
  assert.is(made?.AvailabilityZone, 'us-east-1a');
  await eventually('the restored claim bound to it', async () => (await kubectl(cluster.kubeconfig, ['get', 'pvc', '-n', 'shop', 'data', '-o', 'jsonpath={.status.phase}/{.spec.volumeName}'])).stdout === 'Bound/pv-ebs');
  // The Retain PV is checked too: its new volume id is the restore's doing, not a difference.
  const fidelity = await velero(['restore', 'describe', 'r-ebs-1', '--fidelity']);
  assert.match(fidelity.stdout, /Fidelity: {2}\d+ objects checked, 0 missing, 0 different/, fidelity.stdout);
});

test('wrong credentials: a PartiallyFailed backup whose error names the PV, and no secret printed', async () => {
  writeFileSync(join(work, 'bad-credentials'), '[default]\naws_access_key_id = AKIAWRONGWRONGWRONG0\naws_secret_access_key = not-the-secret-at-all\n', { mode: 0o600 });
  await velero(['snapshot-location', 'create', 'ebs-bad', '--provider', 'aws', '--config', `region=us-east-1,ec2Endpoint=${moto.endpoint}`, '--credential-file', join(work, 'bad-credentials')]);
  const out = await velero(['backup', 'create', 'ebs-bad-1', '--include-namespaces', 'shop', '--volume-snapshot-locations', 'ebs-bad']);
  assert.match(out.stdout, /finished with phase PartiallyFailed/, out.stdout + out.stderr);
  assert.match(out.stderr, /native snapshot of PersistentVolume "pv-ebs" .*credentials/);
  assert.not.match(out.stdout + out.stderr, /not-the-secret-at-all/);
  assert.is((await snapshotsOf('ebs-bad-1')).length, 0);
});

test('backup delete deletes the snapshot', async () => {
  const out = await velero(['backup', 'delete', 'ebs-1', '--confirm']);
  assert.match(out.stdout, /Backup "ebs-1" deleted \(and 1 storage snapshot\)/);
  assert.equal(await snapshotsOf('ebs-1'), []);
});

test.run();
