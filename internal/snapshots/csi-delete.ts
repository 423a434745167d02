// Deleting a backup's CSI snapshots (Velero's csi-volumesnapshotcontent-delete action): for each
// content the backup took, a new pre-provisioned content for the stored handle with policy Delete
// is created and deleted again, so the driver deletes the storage snapshot. A content not labelled
// with the backup was not taken by it and is left alone.
import { randomUUID } from 'node:crypto';
import { validLabelValue } from '../backup/backup-object.ts';
import { CsiApi, pollUntil } from './csi-api.ts';
import { BACKUP_NAME_LABEL, contentToDeleteSnapshot, type VolumeSnapshotContent } from './csi-objects.ts';

/** How long the driver gets to delete one snapshot before the deletion counts as failed. */
const DELETE_TIMEOUT_MS = 120_000;

export async function deleteCsiSnapshots(api: CsiApi, backupName: string, contents: VolumeSnapshotContent[], timeoutMs = DELETE_TIMEOUT_MS): Promise<number> {
  let deleted = 0;
  for (const content of contents) {
    if (content.metadata.labels?.[BACKUP_NAME_LABEL] !== validLabelValue(backupName)) continue;
    const handle = content.status?.snapshotHandle;
    if (!handle) continue;
    const name = `vsc-${randomUUID()}`;
    await api.createContent(contentToDeleteSnapshot(content, name));
    // The sidecar deletes only a snapshot it has looked up: wait for that (or for its error).
    const looked = await pollUntil(async () => {
      const c = await api.content(name);
      if (c?.status?.snapshotHandle) return { found: true };
      return c?.status?.error?.message ? { found: false, error: c.status.error.message } : undefined;
    }, 60_000);
    if (!looked?.found) {
      // Nothing will delete this content's snapshot: let the content go by itself.
      await api.patchContent(name, { metadata: { finalizers: null } }).catch(() => undefined);
      await api.deleteContent(name);
      // The driver no longer has it (an earlier deletion got that far): done.
      if (looked?.error && /not ?found/i.test(looked.error)) {
        deleted++;
        continue;
      }
      throw new Error(`the CSI snapshotter could not look up the storage snapshot ${handle} (driver ${content.spec.driver}) within 60 s${looked?.error ? `: ${looked.error}` : ': is it running?'}`);
    }
    await api.deleteContent(name);
    const gone = await pollUntil(async () => ((await api.content(name)) ? undefined : true), timeoutMs);
    if (!gone) {
      const left = await api.content(name);
      throw new Error(`the storage snapshot ${handle} (driver ${content.spec.driver}) was not deleted within ${timeoutMs / 1000} s${left?.status?.error?.message ? `: ${left.status.error.message}` : ''}; VolumeSnapshotContent ${name} is left for the driver`);
    }
    deleted++;
  }
  return deleted;
}
