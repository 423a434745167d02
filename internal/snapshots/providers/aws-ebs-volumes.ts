// How velero-plugin-for-aws finds an EBS volume in a PersistentVolume and points a PV at a new one,
// and which tags go on snapshots and restored volumes. Pure functions of objects, no SDK: the
// snapshotter (aws-ebs-snapshotter.ts) and the unit tests share them.
import { copyPersistentVolume, type PersistentVolume, VolumeSnapshotterError } from '../volume-snapshotter.ts';

/** The EBS CSI driver, whose volume handle is the volume id. */
export const EBS_CSI_DRIVER = 'ebs.csi.aws.com';
/** The only zone label the plugin writes back into an in-tree volume id (`aws://ZONE/vol-…`). */
const DEPRECATED_ZONE_LABEL = 'failure-domain.beta.kubernetes.io/zone';
/** Volume types whose provisioned IOPS are recorded and given back at restore. */
export const IOPS_VOLUME_TYPES: ReadonlySet<string> = new Set(['io1', 'io2']);

/** The `vol-…` part of an id as written in a PV (`aws://us-east-1a/vol-0abc` or `vol-0abc`). */
function volumePart(text: string): string | undefined {
  const at = text.indexOf('vol-');
  return at < 0 ? undefined : text.slice(at);
}

/**
 * The EBS volume id of a PV: the EBS CSI driver's volume handle, or the in-tree
 * `awsElasticBlockStore.volumeID`; undefined for any other volume (another CSI driver, NFS…).
 */
export function ebsVolumeId(pv: PersistentVolume): string | undefined {
  const spec = pv.spec ?? {};
  if (spec.csi?.driver === EBS_CSI_DRIVER) return volumePart(spec.csi.volumeHandle ?? '');
  if (spec.awsElasticBlockStore) {
    const id = spec.awsElasticBlockStore.volumeID ?? '';
    if (id === '') throw new VolumeSnapshotterError(`PersistentVolume "${pv.metadata.name}" has no spec.awsElasticBlockStore.volumeID`);
    return volumePart(id);
  }
  return undefined;
}

/** A copy of the PV pointing at `volumeId`, in the form the plugin writes. */
export function withEbsVolumeId(pv: PersistentVolume, volumeId: string): PersistentVolume {
  const copy = copyPersistentVolume(pv);
  const spec = copy.spec ?? {};
  if (spec.csi) {
    if (spec.csi.driver !== EBS_CSI_DRIVER) throw new VolumeSnapshotterError(`PersistentVolume "${pv.metadata.name}" is of CSI driver ${spec.csi.driver ?? '(none)'}, not ${EBS_CSI_DRIVER}`);
    spec.csi.volumeHandle = volumeId;
  } else if (spec.awsElasticBlockStore) {
    const zone = pv.metadata.labels?.[DEPRECATED_ZONE_LABEL];
    spec.awsElasticBlockStore.volumeID = zone ? `aws://${zone}/${volumeId}` : volumeId;
  } else {
    throw new VolumeSnapshotterError(`PersistentVolume "${pv.metadata.name}" has neither spec.csi nor spec.awsElasticBlockStore`);
  }
  return copy;
}

export interface Tag {
  Key?: string;
  Value?: string;
}

/** Tag keys AWS keeps for itself: they cannot be set, so they are not copied. */
const reserved = (key: string) => key.toLowerCase().startsWith('aws:');

/** A snapshot's tags: Velero's, then the volume's own that Velero's do not replace. */
export function snapshotTags(veleroTags: Record<string, string>, volumeTags: readonly Tag[] = []): Tag[] {
  const tags: Tag[] = Object.entries(veleroTags).map(([Key, Value]) => ({ Key, Value }));
  for (const tag of volumeTags) {
    if (tag.Key === undefined || tag.Key in veleroTags || reserved(tag.Key)) continue;
    tags.push({ Key: tag.Key, Value: tag.Value ?? '' });
  }
  return tags;
}

/**
 * A restored volume's tags: the snapshot's. With `clusterName` (the plugin's AWS_CLUSTER_NAME), the
 * volume is marked as owned by that cluster instead of the one it was backed up from.
 */
export function restoredVolumeTags(snapshotTags: readonly Tag[] = [], clusterName?: string): Tag[] {
  const tags: Tag[] = clusterName ? [{ Key: `kubernetes.io/cluster/${clusterName}`, Value: 'owned' }, { Key: 'KubernetesCluster', Value: clusterName }] : [];
  for (const tag of snapshotTags) {
    if (tag.Key === undefined || reserved(tag.Key)) continue;
    if (clusterName && (tag.Key.startsWith('kubernetes.io/cluster/') || tag.Key === 'KubernetesCluster')) continue;
    tags.push({ Key: tag.Key, Value: tag.Value ?? '' });
  }
  return tags;
}
