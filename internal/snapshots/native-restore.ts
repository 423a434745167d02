// A PersistentVolume of a backup restored from its native snapshot, as Velero's PV restorer does
// (pkg/restore/pv_restorer.go): the backup's Snapshot record for the PV names the snapshot, its
// location, the disk's type, zone and IOPS; a new disk is made from the snapshot in that zone and
// a copy of the PV points at it. A PV without a record comes back unchanged.
//
// Engine-independent: the caller decides whether PVs are restored from snapshots (--restore-volumes),
// checks that the PV does not exist yet, resets its binding, renames it if needed, and writes the
// returned volume info into the restore's volume info.
import { nativeSnapshotInfo, type NativeSnapshotInfo, type Snapshot } from './native-records.ts';
import type { SnapshotterLookup } from './snapshot-locations.ts';
import type { PersistentVolume } from './volume-snapshotter.ts';

/** A RestoreVolumeInfo of method NativeSnapshot, in Velero's field order. */
export interface NativeRestoreVolumeInfo {
  pvcName?: string;
  pvcNamespace?: string;
  pvName: string;
  restoreMethod: 'NativeSnapshot';
  snapshotDataMoved: false;
  nativeSnapshotInfo: NativeSnapshotInfo;
}

export type NativeRestoreOutcome =
  /** The backup has no native snapshot of this PV: restore it as it is (or re-provision it). */
  | { kind: 'none'; pv: PersistentVolume }
  | { kind: 'restored'; pv: PersistentVolume; volumeId: string; snapshotId: string; volumeInfo: NativeRestoreVolumeInfo }
  /** One line naming the PV; nothing was created unless `volumeId` says so. */
  | { kind: 'failed'; error: string; volumeId?: string };

/** The backup's record of the PV of that name (its name in the backup), as Velero looks it up: the first. */
export function snapshotOfVolume(pvName: string, snapshots: readonly Snapshot[]): Snapshot | undefined {
  return snapshots.find((s) => s.spec.persistentVolumeName === pvName);
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/** Never throws: a failure is one line naming the PV. */
export async function restoreVolumeFromSnapshot(
  pv: PersistentVolume,
  snapshots: readonly Snapshot[],
  snapshotterFor: SnapshotterLookup,
  options: { signal?: AbortSignal } = {},
): Promise<NativeRestoreOutcome> {
  const pvName = pv.metadata.name;
  const snapshot = snapshotOfVolume(pvName, snapshots);
  if (!snapshot) return { kind: 'none', pv };
  const snapshotId = snapshot.status.providerSnapshotID;
  const what = `PersistentVolume "${pvName}" from its native snapshot`;
  if (!snapshotId) return { kind: 'failed', error: `cannot restore ${what}: the backup's snapshot of it ${snapshot.status.phase === 'Failed' ? 'failed' : 'was never taken'} (phase ${snapshot.status.phase ?? 'none'})` };
  let volumeId: string | undefined;
  try {
    const snapshotter = await snapshotterFor(snapshot.spec.location);
    volumeId = await snapshotter.createVolumeFromSnapshot(snapshotId, snapshot.spec.volumeType, snapshot.spec.volumeAZ ?? '', snapshot.spec.volumeIOPS, options.signal);
    const restored = snapshotter.setVolumeId(pv, volumeId);
    const claim = restored.spec?.claimRef;
    return {
      kind: 'restored',
      pv: restored,
      volumeId,
      snapshotId,
      volumeInfo: {
        ...(claim?.name ? { pvcName: claim.name } : {}),
        ...(claim?.namespace ? { pvcNamespace: claim.namespace } : {}),
        pvName,
        restoreMethod: 'NativeSnapshot',
        snapshotDataMoved: false,
        nativeSnapshotInfo: nativeSnapshotInfo(snapshot, ''),
      },
    };
  } catch (error) {
    const made = volumeId ? ` (volume ${volumeId} was created from it)` : '';
    return { kind: 'failed', error: `cannot restore ${what} ${snapshotId} (volume snapshot location "${snapshot.spec.location}")${made}: ${oneLine((error as Error).message)}`, ...(volumeId ? { volumeId } : {}) };
  }
}
