// The native snapshot of one PersistentVolume during a backup, as Velero's item backupper takes it
// (takePVSnapshot in pkg/backup/item_backupper.go): the first of the backup's volume snapshot
// locations whose snapshotter recognises the PV's disk takes a snapshot tagged with the backup's
// labels plus velero.io/backup and velero.io/pv, and the step returns Velero's Snapshot record
// (for NAME-volumesnapshots.json.gz) and its BackupVolumeInfo (for NAME-volumeinfo.json.gz).
//
// Engine-independent: the caller decides which PVs get here (--snapshot-volumes, volume policies,
// file-system backup), and stores what `snapshots` and `volumeInfos` gathered when it publishes.
//
// Where we differ from Velero: a disk whose type cannot be read (wrong region, bad credentials) is
// a Failed record with the error, not an error without a record; a snapshot is Completed only
// once the cloud says so (Velero records it Completed as soon as it is requested).
import { nativeSnapshotInfo, type NativeSnapshotInfo, type Snapshot } from './native-records.ts';
import { openVolumeSnapshotter, type ResolvedSnapshotLocation } from './registry.ts';
import { type PersistentVolume, SnapshotNotCompletedError, type VolumeSnapshotter, volumeZone } from './volume-snapshotter.ts';

export const BACKUP_TAG = 'velero.io/backup';
export const PV_TAG = 'velero.io/pv';

/** The backup being taken, as much of it as the snapshots need. */
export interface BackupRef {
  metadata: { name: string; uid?: string; labels?: Record<string, string> };
}

/** A BackupVolumeInfo of method NativeSnapshot, in Velero's field order. */
export interface NativeBackupVolumeInfo {
  pvcName?: string;
  pvcNamespace?: string;
  pvName: string;
  backupMethod: 'NativeSnapshot';
  snapshotDataMoved: false;
  preserveLocalSnapshot: false;
  skipped: false;
  result: 'succeeded' | 'failed';
  nativeSnapshotInfo: NativeSnapshotInfo;
  pvInfo: { reclaimPolicy: string; labels: Record<string, string> };
}

export type NativeBackupOutcome =
  /** No location's snapshotter recognises the PV's disk (another CSI driver, NFS, …): nothing taken. */
  | { kind: 'skipped'; reason: string }
  | { kind: 'completed'; snapshot: Snapshot; volumeInfo: NativeBackupVolumeInfo }
  /** One line naming the PV; `snapshot` is absent only when no location could even be opened. */
  | { kind: 'failed'; error: string; snapshot?: Snapshot; volumeInfo?: NativeBackupVolumeInfo };

export interface NativeBackupOptions {
  /** Ctrl-C: a snapshot being waited for is recorded Failed, with its id (so a delete removes it). */
  signal?: AbortSignal;
  /** How long one snapshot may take to complete (default: the snapshotter's, 10 minutes). */
  snapshotTimeoutMs?: number;
  /** Leave PVs of CSI drivers alone (Velero does when its CSI feature is on: they get CSI snapshots). */
  skipCsiVolumes?: boolean;
  /** How a location's snapshotter is made (tests give fakes); the registry's by default. */
  open?: (location: ResolvedSnapshotLocation) => Promise<VolumeSnapshotter>;
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

/** Takes the native snapshots of one backup; one instance per backup run, safe to call in parallel. */
export class NativeSnapshotTaker {
  /** Every record so far, in the order the PVs came: NAME-volumesnapshots.json.gz. */
  readonly snapshots: Snapshot[] = [];
  /** Their BackupVolumeInfo entries, for NAME-volumeinfo.json.gz. */
  readonly volumeInfos: NativeBackupVolumeInfo[] = [];
  private readonly opened = new Map<string, Promise<VolumeSnapshotter>>();

  constructor(
    private readonly backup: BackupRef,
    /** The backup's locations, one per provider (chooseSnapshotLocations). */
    private readonly locations: readonly ResolvedSnapshotLocation[],
    private readonly options: NativeBackupOptions = {},
  ) {}

  /** Snapshots attempted and completed, for the Backup's status (volumeSnapshotsAttempted/Completed). */
  counts(): { attempted: number; completed: number } {
    return { attempted: this.snapshots.length, completed: this.snapshots.filter((s) => s.status.phase === 'Completed').length };
  }

  private snapshotter(location: ResolvedSnapshotLocation): Promise<VolumeSnapshotter> {
    let snapshotter = this.opened.get(location.name);
    if (!snapshotter) {
      snapshotter = (this.options.open ?? ((l) => openVolumeSnapshotter(l)))(location);
      this.opened.set(location.name, snapshotter);
    }
    return snapshotter;
  }

  /** Never throws: a failure is a Failed record and a line naming the PV. */
  async snapshotPersistentVolume(pv: PersistentVolume): Promise<NativeBackupOutcome> {
    const pvName = pv.metadata.name;
    if (this.options.skipCsiVolumes && pv.spec?.csi) return { kind: 'skipped', reason: 'a CSI volume: snapshotted through CSI' };
    const openErrors: string[] = [];
    let found: { location: ResolvedSnapshotLocation; snapshotter: VolumeSnapshotter; volumeId: string } | undefined;
    for (const location of this.locations) {
      let snapshotter: VolumeSnapshotter;
      try {
        snapshotter = await this.snapshotter(location);
      } catch (error) {
        openErrors.push(oneLine((error as Error).message));
        continue;
      }
      let volumeId: string | undefined;
      try {
        volumeId = snapshotter.getVolumeId(pv);
      } catch (error) {
        openErrors.push(oneLine((error as Error).message));
        continue;
      }
      if (volumeId) {
        found = { location, snapshotter, volumeId };
        break;
      }
    }
    if (!found) {
      if (openErrors.length) return { kind: 'failed', error: `native snapshot of PersistentVolume "${pvName}": ${openErrors.join('; ')}` };
      return { kind: 'skipped', reason: 'no applicable volume snapshotter found' };
    }
    return this.take(pv, found.location, found.snapshotter, found.volumeId);
  }

  private async take(pv: PersistentVolume, location: ResolvedSnapshotLocation, snapshotter: VolumeSnapshotter, volumeId: string): Promise<NativeBackupOutcome> {
    const pvName = pv.metadata.name;
    const zone = volumeZone(pv);
    const tags: Record<string, string> = { ...(this.backup.metadata.labels ?? {}), [BACKUP_TAG]: this.backup.metadata.name, [PV_TAG]: pvName };
    const record = (volumeType: string, iops: number | undefined): Snapshot => ({
      spec: {
        backupName: this.backup.metadata.name,
        backupUID: this.backup.metadata.uid ?? '',
        location: location.name,
        persistentVolumeName: pvName,
        providerVolumeID: volumeId,
        volumeType,
        ...(zone ? { volumeAZ: zone } : {}),
        ...(iops !== undefined ? { volumeIOPS: iops } : {}),
      },
      status: {},
    });
    let snapshot = record('', undefined);
    let error: string | undefined;
    try {
      const info = await snapshotter.getVolumeInfo(volumeId, zone, this.options.signal);
      snapshot = record(info.volumeType, info.iops);
      const snapshotId = await snapshotter.createSnapshot(volumeId, zone, tags, { ...(this.options.signal ? { signal: this.options.signal } : {}), ...(this.options.snapshotTimeoutMs !== undefined ? { timeoutMs: this.options.snapshotTimeoutMs } : {}) });
      snapshot.status = { providerSnapshotID: snapshotId, phase: 'Completed' };
    } catch (failure) {
      snapshot.status = { ...(failure instanceof SnapshotNotCompletedError ? { providerSnapshotID: failure.snapshotId } : {}), phase: 'Failed' };
      error = `native snapshot of PersistentVolume "${pvName}" (volume ${volumeId}, volume snapshot location "${location.name}"): ${oneLine((failure as Error).message)}`;
    }
    const volumeInfo = backupVolumeInfo(pv, snapshot);
    this.snapshots.push(snapshot);
    this.volumeInfos.push(volumeInfo);
    return error === undefined ? { kind: 'completed', snapshot, volumeInfo } : { kind: 'failed', error, snapshot, volumeInfo };
  }
}

/** Velero's BackupVolumeInfo for a native snapshot of `pv` (generateVolumeInfoForVeleroNativeSnapshot). */
export function backupVolumeInfo(pv: PersistentVolume, snapshot: Snapshot): NativeBackupVolumeInfo {
  const claim = pv.spec?.claimRef;
  return {
    ...(claim?.name ? { pvcName: claim.name } : {}),
    ...(claim?.namespace ? { pvcNamespace: claim.namespace } : {}),
    pvName: pv.metadata.name,
    backupMethod: 'NativeSnapshot',
    snapshotDataMoved: false,
    preserveLocalSnapshot: false,
    skipped: false,
    result: snapshot.status.phase === 'Completed' ? 'succeeded' : 'failed',
    nativeSnapshotInfo: nativeSnapshotInfo(snapshot),
    pvInfo: { reclaimPolicy: pv.spec?.persistentVolumeReclaimPolicy ?? '', labels: pv.metadata.labels ?? {} },
  };
}
