// restore create's volume step: pods whose volumes have file-system backups get the restore-wait
// init container, and their data is streamed in through exec once they are scheduled.
import type { KubeConfig } from '@kubernetes/client-node';
import type { BackupLog } from '../../../internal/backup/backup-log.ts';
import type { KubeRequester } from '../../../internal/kube/http-client.ts';
import type { RestorePodStep } from '../../../internal/restore/run-restore.ts';
import type { ObjectStore } from '../../../internal/storage/object-store.ts';
import { PodVolumeRestorer } from '../../../internal/volumes/pod-volume-restorer.ts';
import { readRecords } from '../../../internal/volumes/records.ts';
import { readVeleroPodVolumes, unreadableVolumeMessage, volumesOfPod } from '../../../internal/volumes/velero-pod-volumes.ts';
import { lazyRepository, podExec } from '../volume-options.ts';

export interface VolumeRestoreOptions {
  kc: KubeConfig;
  client: KubeRequester;
  store: ObjectStore;
  backupName: string;
  encryptionKey?: Buffer;
  helperImage?: string;
  waitTimeoutMs?: number;
  /** What a restored pod waits for, each time it changes (see PodVolumeRestorer). */
  onWaiting?(line: string): void;
}

export interface VolumeRestore {
  step(log: BackupLog): RestorePodStep;
  /** Claims (`ns/name` in the backup) whose data comes from a file-system backup. */
  claims: Set<string>;
}

/** The step, or none when the backup has no file-system volume backups. */
export async function volumeRestoreStep(opts: VolumeRestoreOptions): Promise<VolumeRestore | undefined> {
  const records = await readRecords(opts.store, opts.backupName);
  if (!records.length) return undefined;
  const claims = new Set(records.filter((r) => r.status.phase === 'Completed' && r.metadata.annotations?.['velero.io/pvc-name']).map((r) => `${r.spec.pod.namespace}/${r.metadata.annotations!['velero.io/pvc-name']}`));
  const step = (log: BackupLog): RestorePodStep => {
    const restorer = new PodVolumeRestorer({
      records,
      exec: podExec(opts.kc),
      client: opts.client,
      repository: lazyRepository(opts.store, opts.encryptionKey),
      log,
      helperImage: opts.helperImage,
      waitTimeoutMs: opts.waitTimeoutMs,
      ...(opts.onWaiting ? { onWaiting: opts.onWaiting } : {}),
    });
    return { prepare: (pod, original) => restorer.prepare(pod, original), created: (pod, original, report) => restorer.created(pod, original, report) };
  };
  return { step, claims };
}

/**
 * For a backup a stock Velero made with file-system volume data (its node agent's kopia or restic
 * repository, which we cannot read): each restored pod's such volume is an error naming it. None
 * when the backup has no such volumes.
 */
export async function veleroVolumesStep(store: ObjectStore, backupName: string): Promise<RestorePodStep | undefined> {
  const volumes = await readVeleroPodVolumes(store, backupName);
  if (!volumes.length) return undefined;
  return {
    created: async (pod, original, report) => {
      for (const v of volumesOfPod(volumes, original)) report.error(unreadableVolumeMessage(v, pod.metadata.namespace ?? v.namespace));
    },
  };
}
