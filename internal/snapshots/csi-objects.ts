// The CSI snapshot objects as Velero v1.18 shapes them (pkg/backup/actions/csi,
// pkg/restore/actions/csi, internal/delete/actions/csi): pure functions of the objects, shared by
// the backup step, the restore actions, backup deletion and the fidelity check.
import { createHash } from 'node:crypto';
import { validLabelValue } from '../backup/backup-object.ts';
import type { KubeObject } from '../kube/list.ts';

export const SNAPSHOT_GROUP = 'snapshot.storage.k8s.io';
export const SNAPSHOT_API_VERSION = `${SNAPSHOT_GROUP}/v1`;
export const VOLUME_SNAPSHOTS = `volumesnapshots.${SNAPSHOT_GROUP}`;
export const VOLUME_SNAPSHOT_CONTENTS = `volumesnapshotcontents.${SNAPSHOT_GROUP}`;
export const VOLUME_SNAPSHOT_CLASSES = `volumesnapshotclasses.${SNAPSHOT_GROUP}`;

export const BACKUP_NAME_LABEL = 'velero.io/backup-name';
/** On the claim (label and annotation): the VolumeSnapshot its data is in. */
export const VOLUME_SNAPSHOT_NAME = 'velero.io/volume-snapshot-name';
export const MUST_INCLUDE_ANNOTATION = 'backup.velero.io/must-include-additional-items';
export const SNAPSHOT_HANDLE_ANNOTATION = 'velero.io/csi-volumesnapshot-handle';
export const DRIVER_ANNOTATION = 'velero.io/csi-driver-name';
export const DELETION_POLICY_ANNOTATION = 'velero.io/csi-vsc-deletion-policy';
export const RESTORE_SIZE_ANNOTATION = 'velero.io/csi-volumesnapshot-restore-size';
/** On a VolumeSnapshotClass: Velero may use it for its driver. */
export const CLASS_SELECTOR_LABEL = 'velero.io/csi-volumesnapshot-class';
/** On a claim, or `…_<driver>` on the Backup: the class to use instead of the labelled one. */
export const CLASS_ANNOTATION = 'velero.io/csi-volumesnapshot-class';

export interface VolumeSnapshot extends KubeObject {
  spec: { source: { persistentVolumeClaimName?: string; volumeSnapshotContentName?: string }; volumeSnapshotClassName?: string };
  status?: { boundVolumeSnapshotContentName?: string; readyToUse?: boolean; restoreSize?: string; creationTime?: string; error?: { message?: string } };
}

export interface VolumeSnapshotContent extends KubeObject {
  spec: {
    deletionPolicy: 'Delete' | 'Retain';
    driver: string;
    source: { volumeHandle?: string; snapshotHandle?: string };
    volumeSnapshotClassName?: string;
    volumeSnapshotRef: { apiVersion?: string; kind?: string; namespace: string; name: string; uid?: string; resourceVersion?: string };
  };
  status?: { snapshotHandle?: string; readyToUse?: boolean; restoreSize?: number; creationTime?: number; error?: { message?: string } };
}

export interface VolumeSnapshotClass extends KubeObject {
  driver: string;
  deletionPolicy: string;
}

/** What Velero creates for a claim: `velero-<claim>-` plus the server's suffix, the claim's labels and the backup's. */
export function newVolumeSnapshot(claim: KubeObject, className: string, backupName: string): VolumeSnapshot {
  return {
    apiVersion: SNAPSHOT_API_VERSION,
    kind: 'VolumeSnapshot',
    metadata: {
      generateName: `velero-${claim.metadata.name}-`,
      namespace: claim.metadata.namespace,
      labels: { ...claim.metadata.labels, [BACKUP_NAME_LABEL]: validLabelValue(backupName) },
    },
    spec: { source: { persistentVolumeClaimName: claim.metadata.name }, volumeSnapshotClassName: className },
  } as unknown as VolumeSnapshot;
}

/** The name a restore gives a backed-up VolumeSnapshot and its content (GenerateSha256FromRestoreUIDAndVsName). */
export function restoredSnapshotName(restoreUid: string, snapshotName: string): string {
  return createHash('sha256').update(`${restoreUid}/${snapshotName}`).digest('hex');
}

/** resource.NewQuantity(bytes, BinarySI).String(): the largest binary suffix that divides it exactly. */
export function binaryQuantity(bytes: number): string {
  if (!Number.isSafeInteger(bytes) || bytes <= 0) return String(bytes);
  const suffixes = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
  let value = bytes;
  let i = 0;
  while (i < suffixes.length - 1 && value % 1024 === 0) {
    value /= 1024;
    i++;
  }
  return `${value}${suffixes[i]}`;
}

/** The claim as stored: it names its snapshot, asks for at least the snapshot's size, and must bring it along. */
export function claimWithSnapshot(claim: KubeObject, snapshotName: string, backupName: string, restoreSize?: number): KubeObject {
  const out = structuredClone(claim);
  out.metadata.labels = { ...out.metadata.labels, [VOLUME_SNAPSHOT_NAME]: snapshotName, [BACKUP_NAME_LABEL]: validLabelValue(backupName) };
  out.metadata.annotations = { ...out.metadata.annotations, [VOLUME_SNAPSHOT_NAME]: snapshotName, [MUST_INCLUDE_ANNOTATION]: 'true' };
  // Velero's setPVCRequestSizeToVSRestoreSize: a snapshot larger than the request restores whole.
  const resources = (out.spec as { resources?: { requests?: { storage?: string } } } | undefined)?.resources;
  if (restoreSize !== undefined && resources?.requests?.storage && quantityBytes(resources.requests.storage) < restoreSize) {
    resources.requests.storage = binaryQuantity(restoreSize);
  }
  return out;
}

/** The VolumeSnapshot as stored: what a restore needs to bind a new content to the same storage snapshot. */
export function snapshotWithContentFacts(snapshot: KubeObject, content: VolumeSnapshotContent | undefined): KubeObject {
  const out = structuredClone(snapshot);
  const annotations: Record<string, string> = { ...out.metadata.annotations };
  if (content) {
    annotations[DELETION_POLICY_ANNOTATION] = content.spec.deletionPolicy;
    if (content.status?.snapshotHandle) {
      annotations[SNAPSHOT_HANDLE_ANNOTATION] = content.status.snapshotHandle;
      annotations[DRIVER_ANNOTATION] = content.spec.driver;
    }
    if (typeof content.status?.restoreSize === 'number') annotations[RESTORE_SIZE_ANNOTATION] = binaryQuantity(content.status.restoreSize);
  }
  annotations[MUST_INCLUDE_ANNOTATION] = 'true';
  out.metadata.annotations = annotations;
  return out;
}

/** Restore: the snapshot is bound to a pre-provisioned content of the same (generated) name, classless. */
export function restoredVolumeSnapshot(snapshot: KubeObject, restoreUid: string): KubeObject {
  const out = structuredClone(snapshot) as VolumeSnapshot;
  const name = restoredSnapshotName(restoreUid, snapshot.metadata.name);
  out.metadata.name = name;
  out.spec = { ...out.spec, source: { volumeSnapshotContentName: name } };
  delete out.spec.volumeSnapshotClassName;
  out.metadata.annotations = { ...out.metadata.annotations, [DELETION_POLICY_ANNOTATION]: 'Retain' };
  return out;
}

/**
 * Restore: a content pointing at the stored snapshot handle, Retain (deleting the restored
 * snapshot must not delete the backup's data), referring to the restored snapshot's new name and
 * namespace. The class is dropped: the target cluster's classes may be named otherwise, and a
 * pre-provisioned content needs none unless its driver wants secrets.
 */
export function restoredVolumeSnapshotContent(content: KubeObject, handle: string | undefined, restoreUid: string, namespaceMapping: Record<string, string>): { content: KubeObject } | { error: string } {
  const vsc = structuredClone(content) as VolumeSnapshotContent;
  if (!handle) return { error: `VolumeSnapshotContent ${content.metadata.name} has no snapshot handle in its status` };
  const ref = vsc.spec.volumeSnapshotRef;
  const name = restoredSnapshotName(restoreUid, ref.name);
  vsc.metadata.name = name;
  vsc.spec = {
    ...vsc.spec,
    deletionPolicy: 'Retain',
    source: { snapshotHandle: handle },
    volumeSnapshotRef: { apiVersion: SNAPSHOT_API_VERSION, kind: 'VolumeSnapshot', namespace: namespaceMapping[ref.namespace] ?? ref.namespace, name },
  };
  delete vsc.spec.volumeSnapshotClassName;
  return { content: vsc };
}

/** The snapshotter sidecar's finalizer: it removes it once the driver has deleted the snapshot. */
export const CONTENT_FINALIZER = 'snapshot.storage.kubernetes.io/volumesnapshotcontent-bound-protection';

/**
 * Deleting a backup's snapshot (Velero's VolumeSnapshotContent delete action): a new content for
 * the stored handle with policy Delete, whose deletion makes the driver delete the storage snapshot.
 * Unlike Velero's, it carries the sidecar's finalizer: the snapshot controller adds none to an
 * unbound pre-provisioned content, and without it the content vanishes on delete before the
 * sidecar sees it, leaving the storage snapshot behind.
 */
export function contentToDeleteSnapshot(content: VolumeSnapshotContent, name: string): VolumeSnapshotContent {
  return {
    apiVersion: SNAPSHOT_API_VERSION,
    kind: 'VolumeSnapshotContent',
    metadata: { name, labels: { ...(content.metadata.labels ?? {}) }, finalizers: [CONTENT_FINALIZER] },
    spec: {
      deletionPolicy: 'Delete',
      driver: content.spec.driver,
      source: { snapshotHandle: content.status?.snapshotHandle },
      volumeSnapshotRef: { apiVersion: SNAPSHOT_API_VERSION, kind: 'VolumeSnapshot', namespace: `ns-${content.metadata.uid ?? name}`, name: `name-${content.metadata.uid ?? name}` },
    },
  };
}

/** A Kubernetes quantity in bytes (enough for storage requests: plain, decimal and binary suffixes). */
export function quantityBytes(quantity: string): number {
  const m = /^([0-9.]+)([a-zA-Z]*)$/.exec(quantity.trim());
  if (!m) return Number.NaN;
  const factors: Record<string, number> = { '': 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };
  const factor = factors[m[2]!];
  return factor === undefined ? Number.NaN : Number(m[1]) * factor;
}
