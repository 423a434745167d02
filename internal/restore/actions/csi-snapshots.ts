// CSI snapshots on restore (Velero's csi-volumesnapshot-restorer and -volumesnapshotcontent-restorer):
// the snapshot and a pre-provisioned content for the stored handle come back under a name made of
// the restore and the old snapshot name, bound to each other, so the claim can be provisioned from
// them. With restorePVs false they are not restored at all.
import { restoredVolumeSnapshot, restoredVolumeSnapshotContent, VOLUME_SNAPSHOT_CONTENTS, VOLUME_SNAPSHOTS } from '../../snapshots/csi-objects.ts';
import type { RestoreItemAction } from './types.ts';

export const csiVolumeSnapshotAction: RestoreItemAction = {
  name: 'csi-volumesnapshot',
  appliesTo: [VOLUME_SNAPSHOTS],
  execute(item, ctx, fromBackup = item) {
    if (!ctx.restorePVs) return { skip: 'the restore does not restore volumes (--restore-volumes=false)' };
    const status = fromBackup.status as { boundVolumeSnapshotContentName?: string } | undefined;
    if (!status?.boundVolumeSnapshotContentName) return { skip: 'the VolumeSnapshot was not bound to a content when it was backed up' };
    return { item: restoredVolumeSnapshot(item, ctx.restoreUid) };
  },
};

export const csiVolumeSnapshotContentAction: RestoreItemAction = {
  name: 'csi-volumesnapshotcontent',
  appliesTo: [VOLUME_SNAPSHOT_CONTENTS],
  execute(item, ctx, fromBackup = item) {
    if (!ctx.restorePVs) return { skip: 'the restore does not restore volumes (--restore-volumes=false)' };
    const restored = restoredVolumeSnapshotContent(item, (fromBackup.status as { snapshotHandle?: string } | undefined)?.snapshotHandle, ctx.restoreUid, ctx.namespaceMapping);
    return 'error' in restored ? { skip: restored.error } : { item: restored.content };
  },
};
