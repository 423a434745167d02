// File-system volume data a stock Velero backed up: its node agent writes the data into Velero's own
// kopia (or restic) repository and lists each volume in backups/NAME/NAME-podvolumebackups.json.gz.
// We cannot read those repositories. Restoring such a backup, the pods and their claims come back
// (the claims empty), and each volume whose data stays behind is an error of the restore naming the
// pod and the volume, so the restore is PartiallyFailed and never reads as complete.
import type { KubeObject } from '../kube/list.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { readGunzippedIfExists } from '../storage/object-reads.ts';
import { backupKeys } from '../storage/layout.ts';
import type { PodVolumeBackupRecord } from './records.ts';

/** What we read of Velero's PodVolumeBackup objects. */
interface VeleroPodVolumeBackup {
  spec?: { pod?: { namespace?: string; name?: string }; volume?: string; uploaderType?: string };
  status?: { phase?: string };
}

export interface VeleroPodVolume {
  namespace: string;
  pod: string;
  volume: string;
  uploaderType: string;
}

/**
 * Velero's PodVolumeBackup objects of a backup, as its file holds them (ours writes `[]` there: our
 * records live under plugins/). A damaged file is an error, not an empty list.
 */
export async function readVeleroPodVolumeBackups(store: ObjectStore, backupName: string): Promise<PodVolumeBackupRecord[]> {
  const key = backupKeys(backupName).podVolumeBackups;
  const data = await readGunzippedIfExists(store, key);
  if (!data) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(data.toString('utf8'));
  } catch {
    throw new Error(`${key} is not JSON: the backup is damaged`);
  }
  if (parsed === null) return [];
  if (!Array.isArray(parsed)) throw new Error(`${key} is not a list: the backup is damaged`);
  const usable = (pvb: VeleroPodVolumeBackup) => Boolean(pvb?.spec?.pod?.namespace && pvb.spec.pod.name && pvb.spec.volume && pvb.status?.phase);
  if (!(parsed as VeleroPodVolumeBackup[]).every(usable)) throw new Error(`${key} has an entry without its pod, volume or phase: the backup is damaged`);
  return parsed as PodVolumeBackupRecord[];
}

/** The volumes whose data Velero's node agent backed up (phase Completed), from the backup's file. */
export async function readVeleroPodVolumes(store: ObjectStore, backupName: string): Promise<VeleroPodVolume[]> {
  return (await readVeleroPodVolumeBackups(store, backupName))
    .filter((pvb) => pvb.status.phase === 'Completed')
    .map((pvb) => ({ namespace: pvb.spec.pod.namespace, pod: pvb.spec.pod.name, volume: pvb.spec.volume, uploaderType: pvb.spec.uploaderType || 'restic' }));
}

/** The restore error for one volume Velero backed up, naming the pod as it was restored. */
export function unreadableVolumeMessage(v: VeleroPodVolume, restoredNamespace: string): string {
  return `pod ${restoredNamespace}/${v.pod} volume ${v.volume}: its data was backed up by Velero's node agent into Velero's ${v.uploaderType} repository, which kubectl-velero cannot read; the volume was restored empty (restore this backup with a Velero server to get its data)`;
}

/** The Velero volumes of one backed-up pod (its namespace and name as in the backup). */
export function volumesOfPod(volumes: VeleroPodVolume[], original: KubeObject): VeleroPodVolume[] {
  return volumes.filter((v) => v.namespace === original.metadata.namespace && v.pod === original.metadata.name);
}
