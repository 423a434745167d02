// Velero's record of a native volume snapshot (internal/volume/native_snapshot.go), kept per backup
// as a gzip'd JSON array in backups/NAME/NAME-volumesnapshots.json.gz, and its NativeSnapshotInfo
// (internal/volume/volumes_information.go) as NAME-volumeinfo.json.gz and the restore's volume info
// carry it. Field names and omissions are Velero's JSON tags.
import { gzipSync } from 'node:zlib';
import { readGunzippedIfExists } from '../storage/object-reads.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { backupKeys } from '../storage/layout.ts';

export type SnapshotPhase = 'New' | 'Completed' | 'Failed';

export interface Snapshot {
  spec: {
    backupName: string;
    backupUID: string;
    /** The VolumeSnapshotLocation's name. */
    location: string;
    persistentVolumeName: string;
    providerVolumeID: string;
    volumeType: string;
    volumeAZ?: string;
    volumeIOPS?: number;
  };
  status: {
    providerSnapshotID?: string;
    phase?: SnapshotPhase;
  };
}

/**
 * NativeSnapshotInfo: `iops` is a string, and Velero's Go field `Phase` has no JSON tag, so it is
 * written capitalised (empty in a restore's volume info).
 */
export interface NativeSnapshotInfo {
  snapshotHandle: string;
  volumeType: string;
  volumeAZ: string;
  iops: string;
  Phase: SnapshotPhase | '';
}

export function nativeSnapshotInfo(snapshot: Snapshot, phase: SnapshotPhase | '' = snapshot.status.phase ?? ''): NativeSnapshotInfo {
  return {
    snapshotHandle: snapshot.status.providerSnapshotID ?? '',
    volumeType: snapshot.spec.volumeType,
    volumeAZ: snapshot.spec.volumeAZ ?? '',
    iops: String(snapshot.spec.volumeIOPS ?? 0),
    Phase: phase,
  };
}

/** The backup's snapshot records; none when the file is missing (a backup without snapshots, or an old one). */
export async function readVolumeSnapshots(store: ObjectStore, backupName: string): Promise<Snapshot[]> {
  const data = await readGunzippedIfExists(store, backupKeys(backupName).volumeSnapshots);
  if (!data) return [];
  const records = JSON.parse(data.toString('utf8')) as Snapshot[] | null;
  return records ?? [];
}

/** Writes the records as Velero does: a gzip'd JSON array (`[]` for none). */
export async function writeVolumeSnapshots(store: ObjectStore, backupName: string, records: readonly Snapshot[]): Promise<void> {
  await store.put(backupKeys(backupName).volumeSnapshots, gzipSync(`${JSON.stringify(records)}\n`), { contentType: 'application/gzip' });
}
