// The EBS snapshotter's pure parts — which PVs are EBS volumes, how a PV is pointed at a new one,
// which tags go where — and Velero's zone of a PV, on fixtures.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { ebsVolumeId, restoredVolumeTags, snapshotTags, withEbsVolumeId } from './providers/aws-ebs-volumes.ts';
import { awsEbsProvider } from './providers/aws-ebs.ts';
import type { PersistentVolume } from './volume-snapshotter.ts';
import { volumeZone } from './volume-snapshotter.ts';

const pv = (name: string, spec: PersistentVolume['spec'], labels?: Record<string, string>): PersistentVolume => ({
  apiVersion: 'v1',
  kind: 'PersistentVolume',
  metadata: { name, ...(labels ? { labels } : {}) },
  spec,
});

const inTree = pv('in-tree', { awsElasticBlockStore: { volumeID: 'aws://us-east-1a/vol-0123456789abcdef0', fsType: 'ext4' } }, { 'failure-domain.beta.kubernetes.io/zone': 'us-east-1a' });
const inTreeBare = pv('in-tree-bare', { awsElasticBlockStore: { volumeID: 'vol-0aaa' } }, { 'topology.kubernetes.io/zone': 'us-east-1c' });
const csi = pv('csi', {
  csi: { driver: 'ebs.csi.aws.com', volumeHandle: 'vol-0bbb', fsType: 'ext4' },
  nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.ebs.csi.aws.com/zone', operator: 'In', values: ['us-east-1b'] }] }] } },
});

test('EBS volume ids: in-tree (aws://zone/vol-… or vol-…) and the EBS CSI driver; anything else is not EBS', () => {
  assert.is(ebsVolumeId(inTree), 'vol-0123456789abcdef0');
  assert.is(ebsVolumeId(inTreeBare), 'vol-0aaa');
  assert.is(ebsVolumeId(csi), 'vol-0bbb');
  assert.is(ebsVolumeId(pv('other-csi', { csi: { driver: 'pd.csi.storage.gke.io', volumeHandle: 'projects/p/zones/z/disks/d' } })), undefined);
  assert.is(ebsVolumeId(pv('nfs', { nfs: { server: 'nfs', path: '/x' } })), undefined);
  assert.is(ebsVolumeId(pv('csi-odd-handle', { csi: { driver: 'ebs.csi.aws.com', volumeHandle: 'not-a-volume' } })), undefined);
  assert.throws(() => ebsVolumeId(pv('empty', { awsElasticBlockStore: { volumeID: '' } })), /"empty" has no spec.awsElasticBlockStore.volumeID/);
});

test('setVolumeId returns a changed copy, in the form the AWS plugin writes', () => {
  const a = withEbsVolumeId(inTree, 'vol-new1');
  assert.is(a.spec?.awsElasticBlockStore?.volumeID, 'aws://us-east-1a/vol-new1', 'zone from the deprecated zone label');
  assert.is(inTree.spec?.awsElasticBlockStore?.volumeID, 'aws://us-east-1a/vol-0123456789abcdef0', 'the original is untouched');
  assert.is(withEbsVolumeId(inTreeBare, 'vol-new2').spec?.awsElasticBlockStore?.volumeID, 'vol-new2', 'only the deprecated label makes aws://zone/ ids');
  const c = withEbsVolumeId(csi, 'vol-new3');
  assert.is(c.spec?.csi?.volumeHandle, 'vol-new3');
  assert.is(c.spec?.csi?.fsType, 'ext4');
  assert.is(csi.spec?.csi?.volumeHandle, 'vol-0bbb');
  assert.throws(() => withEbsVolumeId(pv('gke', { csi: { driver: 'pd.csi.storage.gke.io' } }), 'vol-x'), /CSI driver pd.csi.storage.gke.io/);
  assert.throws(() => withEbsVolumeId(pv('nfs', { nfs: {} }), 'vol-x'), /neither spec.csi nor spec.awsElasticBlockStore/);
});

test("a PV's zone: the zone label, the deprecated one, then node affinity (GKE's zones joined)", () => {
  assert.is(volumeZone(inTree), 'us-east-1a');
  assert.is(volumeZone(inTreeBare), 'us-east-1c');
  assert.is(volumeZone(csi), 'us-east-1b');
  const both = pv('both', {}, { 'topology.kubernetes.io/zone': 'new', 'failure-domain.beta.kubernetes.io/zone': 'old' });
  assert.is(volumeZone(both), 'new');
  const gke = pv('gke', {
    nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.gke.io/zone', operator: 'In', values: ['europe-west1-b'] }] }, { matchExpressions: [{ key: 'topology.gke.io/zone', operator: 'In', values: ['europe-west1-c'] }] }] } },
  });
  assert.is(volumeZone(gke), 'europe-west1-b__europe-west1-c');
  const notIn = pv('not-in', { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'topology.kubernetes.io/zone', operator: 'NotIn', values: ['a'] }] }] } } });
  assert.is(volumeZone(notIn), '');
  assert.is(volumeZone(pv('none', {})), '');
});

test("snapshot tags: Velero's win over the volume's, AWS-reserved keys are not copied", () => {
  const tags = snapshotTags({ 'velero.io/backup': 'b2', 'velero.io/pv': 'pv-1' }, [{ Key: 'velero.io/backup', Value: 'b1' }, { Key: 'team', Value: 'db' }, { Key: 'aws:cloudformation:stack-name', Value: 's' }]);
  assert.equal(tags, [{ Key: 'velero.io/backup', Value: 'b2' }, { Key: 'velero.io/pv', Value: 'pv-1' }, { Key: 'team', Value: 'db' }]);
});

test("restored volume tags: the snapshot's, and with AWS_CLUSTER_NAME the new cluster owns it", () => {
  const snapshot = [{ Key: 'velero.io/backup', Value: 'b1' }, { Key: 'kubernetes.io/cluster/old', Value: 'owned' }, { Key: 'KubernetesCluster', Value: 'old' }];
  assert.equal(restoredVolumeTags(snapshot), snapshot);
  assert.equal(restoredVolumeTags(snapshot, 'new'), [{ Key: 'kubernetes.io/cluster/new', Value: 'owned' }, { Key: 'KubernetesCluster', Value: 'new' }, { Key: 'velero.io/backup', Value: 'b1' }]);
});

test("the aws provider's config: region required, Velero's keys and ec2Endpoint", () => {
  assert.throws(() => awsEbsProvider.validate!({}), /region is required/);
  awsEbsProvider.validate!({ region: 'us-east-1', profile: 'p', ec2Endpoint: 'http://127.0.0.1:5000', enableSharedConfig: 'true', ebsKmsKeyId: 'k' });
  assert.throws(() => awsEbsProvider.validate!({ region: 'r', ec2Endpoint: 'ftp://x' }), /ec2Endpoint must be an http/);
  assert.throws(() => awsEbsProvider.validate!({ region: 'r', enableSharedConfig: 'maybe' }), /enableSharedConfig must be true or false/);
});

test.run();
