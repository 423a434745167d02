// The seam between Velero's native snapshots and a cloud's disks, as Velero's VolumeSnapshotter
// plugin interface (pkg/plugin/velero/volumesnapshotter/v1): find a PersistentVolume's disk, read
// its type, snapshot it, make a new disk from a snapshot, point a PV at that disk, delete a
// snapshot. One implementation per cloud under providers/, looked up by name in registry.ts; the
// backup, restore and delete steps (native-*.ts) only know this interface.
import type { KubeObject } from '../kube/list.ts';

/** A PersistentVolume as read from the cluster or the backup, with the fields snapshotters look at. */
export type PersistentVolume = KubeObject & {
  spec?: {
    csi?: { driver?: string; volumeHandle?: string; [key: string]: unknown };
    awsElasticBlockStore?: { volumeID?: string; [key: string]: unknown };
    claimRef?: { name?: string; namespace?: string; [key: string]: unknown };
    persistentVolumeReclaimPolicy?: string;
    nodeAffinity?: { required?: { nodeSelectorTerms?: { matchExpressions?: { key: string; operator: string; values?: string[] }[] }[] } };
    [key: string]: unknown;
  };
};

/** What a backup records of a disk, to make the same kind of disk at restore. */
export interface VolumeInfo {
  /** The cloud's disk type (EBS: gp2, gp3, io1…). */
  volumeType: string;
  /** Provisioned IOPS, where the provider records them (EBS: 0 unless io1/io2, as Velero's AWS plugin). */
  iops?: number;
}

/** Bounds a call that waits on the cloud: Ctrl-C (the signal) and a deadline. */
export interface WaitOptions {
  signal?: AbortSignal;
  /** How long a snapshot may take to complete (default 10 minutes, Velero's --csi-snapshot-timeout default). */
  timeoutMs?: number;
}

export interface VolumeSnapshotter {
  /** Where it works, for messages (`EBS in us-east-1`); never a secret. */
  describe(): string;
  /**
   * The provider's id of the PV's disk, or undefined when the PV is not one of this provider's
   * disks (another CSI driver, NFS, hostPath). Throws when it is one, but its id is missing.
   */
  getVolumeId(pv: PersistentVolume): string | undefined;
  /** A copy of the PV pointing at `volumeId`; the PV given is not changed. */
  setVolumeId(pv: PersistentVolume, volumeId: string): PersistentVolume;
  getVolumeInfo(volumeId: string, volumeAZ: string, signal?: AbortSignal): Promise<VolumeInfo>;
  /** Snapshots the disk with `tags` and resolves once the snapshot is complete; its id. */
  createSnapshot(volumeId: string, volumeAZ: string, tags: Record<string, string>, wait?: WaitOptions): Promise<string>;
  /** A new disk in `volumeAZ` from the snapshot, of that type (and IOPS); its id. */
  createVolumeFromSnapshot(snapshotId: string, volumeType: string, volumeAZ: string, iops?: number, signal?: AbortSignal): Promise<string>;
  /** Deletes the snapshot; one that does not exist (any more) is not an error. */
  deleteSnapshot(snapshotId: string, signal?: AbortSignal): Promise<void>;
}

/** A failure of a snapshotter, as one line that says what failed where (never a secret). */
export class VolumeSnapshotterError extends Error {}

/**
 * A snapshot that was made but did not complete in time (or was given up by Ctrl-C): it exists in
 * the cloud, so its id is kept in the backup's record and a backup delete removes it.
 */
export class SnapshotNotCompletedError extends VolumeSnapshotterError {
  constructor(
    readonly snapshotId: string,
    message: string,
  ) {
    super(message);
  }
}

// The zone of a PV, as Velero's item backupper finds it (pkg/backup/item_backupper.go): the zone
// label, else the deprecated one, else the node affinity of the PV (CSI drivers' topology keys).
const ZONE_LABEL = 'topology.kubernetes.io/zone';
const ZONE_LABEL_DEPRECATED = 'failure-domain.beta.kubernetes.io/zone';
const GKE_ZONE_KEY = 'topology.gke.io/zone';
const AFFINITY_ZONE_KEYS = new Set([
  'topology.ebs.csi.aws.com/zone',
  'topology.disk.csi.azure.com/zone',
  GKE_ZONE_KEY,
  'topology.manila.csi.openstack.org/zone',
  'topology.cinder.csi.openstack.org/zone',
  ZONE_LABEL,
  ZONE_LABEL_DEPRECATED,
]);

/** The PV's availability zone, or '' when none is recorded (GKE's regional disks: zones joined by `__`). */
export function volumeZone(pv: PersistentVolume): string {
  const labels = pv.metadata.labels ?? {};
  if (labels[ZONE_LABEL] !== undefined) return labels[ZONE_LABEL];
  if (labels[ZONE_LABEL_DEPRECATED] !== undefined) return labels[ZONE_LABEL_DEPRECATED];
  const gkeZones: string[] = [];
  for (const term of pv.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? []) {
    for (const expression of term.matchExpressions ?? []) {
      const first = expression.values?.[0];
      if (!AFFINITY_ZONE_KEYS.has(expression.key) || expression.operator !== 'In' || first === undefined) continue;
      if (expression.key !== GKE_ZONE_KEY) return first;
      gkeZones.push(first);
    }
  }
  return gkeZones.join('__');
}

/** A deep copy of a PV, for setVolumeId's changed copies. */
export function copyPersistentVolume(pv: PersistentVolume): PersistentVolume {
  return structuredClone(pv);
}
