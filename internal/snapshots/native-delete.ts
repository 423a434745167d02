// Deleting a backup's native snapshots, as Velero's backup deletion controller does: every record
// of NAME-volumesnapshots.json.gz through its location's snapshotter. Idempotent: a snapshot already
// gone counts as deleted, so a delete cut short can simply run again. A record without a snapshot id
// (its snapshot failed before one existed) has nothing to delete.
import type { Snapshot } from './native-records.ts';
import type { SnapshotterLookup } from './snapshot-locations.ts';

export interface NativeDeleteResult {
  /** Snapshot ids deleted (or already gone). */
  deleted: string[];
  /** One line each, naming the snapshot and its PV; the caller keeps the records while any remain. */
  errors: string[];
}

const oneLine = (text: string) => text.replace(/\s+/g, ' ').trim();

export async function deleteNativeSnapshots(records: readonly Snapshot[], snapshotterFor: SnapshotterLookup, options: { signal?: AbortSignal } = {}): Promise<NativeDeleteResult> {
  const result: NativeDeleteResult = { deleted: [], errors: [] };
  for (const record of records) {
    const snapshotId = record.status.providerSnapshotID;
    if (!snapshotId) continue;
    if (options.signal?.aborted) {
      result.errors.push(`snapshot ${snapshotId} of PersistentVolume "${record.spec.persistentVolumeName}" not deleted: interrupted`);
      continue;
    }
    try {
      const snapshotter = await snapshotterFor(record.spec.location);
      await snapshotter.deleteSnapshot(snapshotId, options.signal);
      result.deleted.push(snapshotId);
    } catch (error) {
      result.errors.push(`cannot delete snapshot ${snapshotId} of PersistentVolume "${record.spec.persistentVolumeName}" (volume snapshot location "${record.spec.location}"): ${oneLine((error as Error).message)}`);
    }
  }
  return result;
}
