// The record of one volume's file-system backup, in the shape of Velero's PodVolumeBackup
// (velero.io/v1) so tools that read those objects understand it. They are stored under
// plugins/kubectl-velero/backups/NAME/ and NOT in Velero's NAME-podvolumebackups.json.gz: a stock
// Velero server restoring our backup would otherwise wait forever for a node agent that cannot
// read our repository, with the restored pods stuck in their restore-wait init container.
import { gzipSync } from 'node:zlib';
import type { KubeObject } from '../kube/list.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { readGunzippedIfExists } from '../storage/object-reads.ts';
import { pluginBackupKeys, repoKeys } from '../storage/layout.ts';

export const UPLOADER_TYPE = 'kubectl-velero';
export const REPO_IDENTIFIER = repoKeys.identifier;

export type PodVolumeBackupPhase = 'Completed' | 'Failed';

export interface PodVolumeBackupRecord {
  apiVersion: 'velero.io/v1';
  kind: 'PodVolumeBackup';
  metadata: { name: string; namespace: string; labels: Record<string, string>; annotations?: Record<string, string> };
  spec: {
    node: string;
    pod: { kind: 'Pod'; namespace: string; name: string; uid: string };
    volume: string;
    backupStorageLocation: string;
    repoIdentifier: string;
    uploaderType: string;
    tags: Record<string, string>;
  };
  status: {
    phase: PodVolumeBackupPhase;
    snapshotID?: string;
    path?: string;
    message?: string;
    startTimestamp: string;
    completionTimestamp: string;
    progress: { totalBytes: number; bytesDone: number };
    /** Ours: bytes this volume added to the repository (after dedup, compressed). */
    uploadedBytes?: number;
  };
}

export interface BackupRef {
  name: string;
  namespace: string;
  uid: string;
  storageLocation: string;
}

export function newRecord(backup: BackupRef, pod: KubeObject, volume: string, pvc: string | undefined, index: number): PodVolumeBackupRecord {
  const podRef = { kind: 'Pod' as const, namespace: pod.metadata.namespace ?? '', name: pod.metadata.name, uid: pod.metadata.uid ?? '' };
  return {
    apiVersion: 'velero.io/v1',
    kind: 'PodVolumeBackup',
    metadata: {
      name: `${backup.name}-${index.toString(36).padStart(5, '0')}`,
      namespace: backup.namespace,
      labels: { 'velero.io/backup-name': backup.name, 'velero.io/backup-uid': backup.uid },
      ...(pvc ? { annotations: { 'velero.io/pvc-name': pvc } } : {}),
    },
    spec: {
      node: String((pod.spec as { nodeName?: string } | undefined)?.nodeName ?? ''),
      pod: podRef,
      volume,
      backupStorageLocation: backup.storageLocation,
      repoIdentifier: REPO_IDENTIFIER,
      uploaderType: UPLOADER_TYPE,
      tags: { backup: backup.name, 'backup-uid': backup.uid, pod: podRef.name, 'pod-uid': podRef.uid, ns: podRef.namespace, volume },
    },
    status: { phase: 'Failed', startTimestamp: new Date().toISOString(), completionTimestamp: '', progress: { totalBytes: 0, bytesDone: 0 } },
  };
}

export async function writeRecords(store: ObjectStore, backup: string, records: PodVolumeBackupRecord[]): Promise<void> {
  await store.put(pluginBackupKeys(backup).podVolumeBackups, gzipSync(JSON.stringify(records)), { contentType: 'application/gzip' });
}

/** The backup's records; none when it had no file-system backup. */
export async function readRecords(store: ObjectStore, backup: string): Promise<PodVolumeBackupRecord[]> {
  const data = await readGunzippedIfExists(store, pluginBackupKeys(backup).podVolumeBackups);
  return data ? (JSON.parse(data.toString('utf8')) as PodVolumeBackupRecord[]) : [];
}

/** Velero's isPVBMatchPod: completed records of the pod by its backed-up namespace and name. */
export function recordsForPod(records: PodVolumeBackupRecord[], namespace: string, name: string): PodVolumeBackupRecord[] {
  return records.filter((r) => r.spec.pod.namespace === namespace && r.spec.pod.name === name && r.status.phase === 'Completed' && r.status.snapshotID);
}
