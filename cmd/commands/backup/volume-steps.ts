// backup create's file-system volume step: the engine calls it for every pod; volumes are opted in
// by annotation or by --default-volumes-to-fs-backup, and their data goes through exec into the
// repository of the same storage location.
import type { KubeConfig } from '@kubernetes/client-node';
import type { Backup } from '../../../internal/backup/backup-object.ts';
import type { BackupLog } from '../../../internal/backup/backup-log.ts';
import type { PodSteps } from '../../../internal/backup/create-backup.ts';
import type { ObjectStore } from '../../../internal/storage/object-store.ts';
import type { DataMoverOptions } from '../../../internal/snapshots/csi-data-mover.ts';
import { PodVolumeBackupper } from '../../../internal/volumes/pod-volume-backupper.ts';
import { writeRecords } from '../../../internal/volumes/records.ts';
import type { PodVolumeAction } from '../../../internal/volumes/select-volumes.ts';
import { lazyRepository, podExec } from '../volume-options.ts';

export interface VolumeStepOptions {
  kc: KubeConfig;
  store: ObjectStore;
  location: string;
  encryptionKey?: Buffer;
  onBytes?(bytes: number): void;
}

export type VolumeBackupStep = NonNullable<PodSteps['volumes']> & { backupFrom: DataMoverOptions['backupFrom'] };

export function volumeBackupStep(opts: VolumeStepOptions): (backup: Backup, log: BackupLog, policyAction?: PodVolumeAction) => VolumeBackupStep {
  return (backup, log, policyAction) => {
    const backupper = new PodVolumeBackupper({
      backup: { name: backup.metadata.name, namespace: backup.metadata.namespace, uid: backup.metadata.uid ?? '', storageLocation: opts.location },
      defaultVolumesToFsBackup: backup.spec.defaultVolumesToFsBackup ?? false,
      policyAction,
      snapshotMoveData: backup.spec.snapshotMoveData,
      exec: podExec(opts.kc),
      repository: lazyRepository(opts.store, opts.encryptionKey),
      log,
      onBytes: opts.onBytes,
    });
    return {
      backup: (pod, report) => backupper.backup(pod, report),
      /** For --snapshot-move-data: a volume's files read from another pod, recorded under `pod`. */
      backupFrom: async (pod, volume, claim, source) => {
        const record = await backupper.backupFrom(pod, volume, claim, source);
        return { snapshotId: record.status.snapshotID ?? '', totalBytes: record.status.progress.totalBytes, uploadedBytes: record.status.uploadedBytes ?? 0 };
      },
      finish: async () => {
        if (!backupper.records.length) return;
        await writeRecords(opts.store, backup.metadata.name, backupper.records);
        const done = backupper.records.filter((r) => r.status.phase === 'Completed');
        log.info(`File-system backup: ${done.length} of ${backupper.records.length} volumes, ${done.reduce((n, r) => n + r.status.progress.totalBytes, 0)} bytes read, ${backupper.totalUploaded} bytes uploaded`);
      },
    };
  };
}
