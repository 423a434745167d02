// backup create's volume snapshot step: CSI VolumeSnapshots of the claims the backup reaches and
// native (EBS) snapshots of their volumes, taken with the user's credentials between each pod's
// hooks, and the files Velero keeps for them.
import type { Backup } from '../../../internal/backup/backup-object.ts';
import type { BackupLog } from '../../../internal/backup/backup-log.ts';
import type { PodSteps } from '../../../internal/backup/create-backup.ts';
import { nsToMs, parseDuration } from '../../../internal/backup/duration.ts';
import type { KubeWriter } from '../../../internal/kube/http-client.ts';
import { CsiApi } from '../../../internal/snapshots/csi-api.ts';
import { CsiBackup } from '../../../internal/snapshots/csi-backup.ts';
import { deleteCsiSnapshots } from '../../../internal/snapshots/csi-delete.ts';
import type { VolumeSnapshotContent } from '../../../internal/snapshots/csi-objects.ts';
import type { Snapshot } from '../../../internal/snapshots/native-records.ts';
import { type DataMoverOptions, SnapshotDataMover } from '../../../internal/snapshots/csi-data-mover.ts';
import { NativeSnapshotStep } from '../../../internal/snapshots/native-step.ts';
import { deleteNativeSnapshots } from '../../../internal/snapshots/native-delete.ts';
import { chooseSnapshotLocations, snapshotterLookup } from '../../../internal/snapshots/snapshot-locations.ts';
import type { VolumePolicyAction } from '../../../internal/snapshots/snapshot-choice.ts';
import { DEFAULT_HELPER_IMAGE } from '../../../internal/volumes/pod-volume-restorer.ts';

export function snapshotStep(client: KubeWriter, helperImage: string | undefined): (backup: Backup, log: BackupLog, backupFrom: DataMoverOptions['backupFrom'], policyAction?: VolumePolicyAction) => NonNullable<PodSteps['snapshots']> {
  return (backup, log, backupFrom, policyAction) => {
    const timeoutMs = nsToMs(parseDuration(backup.spec.csiSnapshotTimeout ?? '10m'));
    const logger = { info: (m: string) => log.info(m), warn: (m: string) => log.warn(m) };
    const csi = new CsiBackup({
      api: new CsiApi(client),
      backup: {
        name: backup.metadata.name,
        uid: backup.metadata.uid ?? '',
        annotations: backup.metadata.annotations,
        snapshotVolumes: backup.spec.snapshotVolumes,
        defaultVolumesToFsBackup: backup.spec.defaultVolumesToFsBackup,
        snapshotMoveData: backup.spec.snapshotMoveData,
      },
      timeoutMs,
      log: logger,
      policyAction,
      mover: backup.spec.snapshotMoveData
        ? new SnapshotDataMover({ client, backupName: backup.metadata.name, helperImage: helperImage ?? DEFAULT_HELPER_IMAGE, timeoutMs, backupFrom, log: logger })
        : undefined,
    });
    const native = new NativeSnapshotStep({
      backup: { metadata: { name: backup.metadata.name, uid: backup.metadata.uid, labels: backup.metadata.labels } },
      locations: () => chooseSnapshotLocations(backup.spec.volumeSnapshotLocations, { client, namespace: backup.metadata.namespace }),
      choice: csi.choice,
    });
    /** Deletes storage snapshots this backup took and will not keep. */
    const deleteNatives = (snapshots: Snapshot[]) => deleteNativeSnapshots(snapshots, snapshotterLookup({ client, namespace: backup.metadata.namespace }));
    return {
      actions: [...csi.actions, native.action],
      finish: async (failed, report) => {
        const files = await csi.finish(failed, report);
        const natives = await native.finish();
        if (failed) {
          // A backup that will not be published keeps no snapshot: its native ones are deleted.
          for (const e of (await deleteNatives(natives.snapshots)).errors) log.warn(e);
        }
        if (files.attempted) log.info(`CSI snapshots: ${files.completed} of ${files.attempted} ready`);
        if (natives.attempted) log.info(`Native snapshots: ${natives.completed} of ${natives.attempted} completed`);
        return {
          files: {
            volumeInfo: [...natives.volumeInfo, ...files.volumeInfo],
            volumeSnapshots: natives.snapshots,
            itemOperations: files.itemOperations,
            csi: files.volumeSnapshots.length ? { volumeSnapshots: files.volumeSnapshots, volumeSnapshotContents: files.volumeSnapshotContents, volumeSnapshotClasses: files.volumeSnapshotClasses } : undefined,
          },
          status: {
            volumeSnapshotsAttempted: natives.attempted,
            volumeSnapshotsCompleted: natives.completed,
            csiVolumeSnapshotsAttempted: files.attempted,
            csiVolumeSnapshotsCompleted: files.completed,
            backupItemOperationsAttempted: files.itemOperations.length,
            backupItemOperationsCompleted: files.itemOperations.filter((o) => o.status.phase === 'Completed').length,
          },
        };
      },
      discard: async (outcome) => {
        const contents = (outcome.files.csi?.volumeSnapshotContents ?? []) as VolumeSnapshotContent[];
        const csiDeleted = contents.length ? await deleteCsiSnapshots(new CsiApi(client), backup.metadata.name, contents) : 0;
        const result = await deleteNatives((outcome.files.volumeSnapshots ?? []) as Snapshot[]);
        log.info(`The backup was not published: ${csiDeleted + result.deleted.length} storage snapshot(s) deleted`);
        if (result.errors.length) throw new Error(result.errors.join('; '));
      },
    };
  };
}
