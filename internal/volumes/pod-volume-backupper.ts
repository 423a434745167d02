// File-system backup of pods' volumes with the user's credentials: for each selected volume of a
// running pod, tar it out through exec and store the stream as a snapshot in the repository, then
// record it as a PodVolumeBackup. A volume that fails is an error of the backup (PartiallyFailed,
// Velero's rule); the backup goes on with the next one.
import type { KubeObject } from '../kube/list.ts';
import type { PodExec } from './pod-exec.ts';
import { type BackupRef, newRecord, type PodVolumeBackupRecord } from './records.ts';
import { mountOf, type PodVolumeAction, podVolumesOf, selectVolumes, selectVolumesByPolicy, type VolumeSelection } from './select-volumes.ts';
import { canCompressInPod, tarOut } from './volume-stream.ts';

export interface SnapshotSummaryLike {
  id: string;
  totalBytes: number;
  newBytes: number;
  uploadedBytes: number;
}

/** The part of the repository a backup needs. */
export interface SnapshotWriter {
  writeSnapshot(
    source: AsyncIterable<Uint8Array>,
    meta: { backup: string; namespace: string; pod: string; volume: string },
    /** `tar`: the source is a tar stream (chunk cuts at its entries help dedup). */
    opts?: { onProgress?(bytesRead: number): void; signal?: AbortSignal; tar?: boolean },
  ): Promise<SnapshotSummaryLike>;
}

/** Where a volume's files are read from: a container's mount path. */
export interface VolumeSource {
  namespace: string;
  pod: string;
  container: string;
  path: string;
  /**
   * A pod of ours (the snapshot mover), whose CPU may compress the archive before it crosses the
   * API server, when its image can. An application's pod never is: its CPU is the application's.
   */
  ours?: boolean;
}

export interface StepReport {
  warn(message: string): void;
  error(message: string): void;
}

export interface VolumeLog {
  info(message: string, fields?: Record<string, string | number | undefined>): void;
}

export interface PodVolumeBackupperOptions {
  backup: BackupRef;
  defaultVolumesToFsBackup: boolean;
  /** The backup's volume policies, when it has any: a matching policy's action decides. */
  policyAction?: PodVolumeAction;
  /** --snapshot-move-data: with volume policies, claims are left to the data mover (Velero's rule). */
  snapshotMoveData?: boolean;
  exec: PodExec;
  /** Opened lazily: a backup without file-system volumes never touches the repository. */
  repository: () => Promise<SnapshotWriter>;
  log: VolumeLog;
  /** Progress of the bytes read from volumes so far. */
  onBytes?(bytesDone: number): void;
}

export class PodVolumeBackupper {
  readonly records: PodVolumeBackupRecord[] = [];
  /** PVCs already backed up through another pod (Velero's pvcSnapshotTracker). */
  private readonly claimsDone = new Set<string>();
  private bytesDone = 0;
  totalUploaded = 0;

  constructor(private readonly opts: PodVolumeBackupperOptions) {}

  async backup(pod: KubeObject, report: StepReport): Promise<void> {
    const where = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const selection = await this.select(pod, where, report);
    if (!selection) return;
    const { volumes, optedOut } = selection;
    if (!volumes.length) return;
    for (const name of optedOut) this.opts.log.info('Volume opted out of file-system backup', { pod: where, volume: name });
    const phase = (pod.status as { phase?: string } | undefined)?.phase;
    if (phase !== 'Running') {
      // Velero: "pod is not in the expected status" — nothing to read the files from.
      report.warn(`volumes ${volumes.join(', ')} of pod ${where} not backed up: the pod is ${phase ?? 'not running'}`);
      return;
    }
    const byName = new Map(podVolumesOf(pod).map((v) => [v.name, v]));
    for (const volume of volumes) {
      const claim = byName.get(volume)?.persistentVolumeClaim?.claimName;
      const claimKey = claim ? `${pod.metadata.namespace}/${claim}` : undefined;
      if (claimKey && this.claimsDone.has(claimKey)) {
        this.opts.log.info('Claim already backed up through another pod', { pod: where, volume, pvc: claim });
        continue;
      }
      const mount = mountOf(pod, volume);
      if (!mount) {
        report.warn(`volume ${volume} of pod ${where} not backed up: no container mounts the whole volume`);
        continue;
      }
      const record = newRecord(this.opts.backup, pod, volume, claim, this.records.length);
      this.records.push(record);
      try {
        await this.backupVolume(pod, volume, { namespace: pod.metadata.namespace!, pod: pod.metadata.name, container: mount.container, path: mount.mountPath }, record);
        if (claimKey) this.claimsDone.add(claimKey);
        if (record.status.message) report.warn(record.status.message);
      } catch (error) {
        record.status.phase = 'Failed';
        record.status.message = (error as Error).message;
        record.status.completionTimestamp = new Date().toISOString();
        report.error(`pod volume backup failed for ${where} volume ${volume}: ${(error as Error).message}`);
      }
    }
  }

  private async select(pod: KubeObject, where: string, report: StepReport): Promise<VolumeSelection | undefined> {
    const { policyAction, defaultVolumesToFsBackup } = this.opts;
    if (!policyAction) return selectVolumes(pod, defaultVolumesToFsBackup);
    try {
      const selection = await selectVolumesByPolicy(pod, defaultVolumesToFsBackup, policyAction, this.opts.snapshotMoveData);
      for (const { volume, action } of selection.byPolicy) if (action !== 'fs-backup') this.opts.log.info(`Volume not backed up by file-system backup: its volume policy action is ${action}`, { pod: where, volume });
      return selection;
    } catch (error) {
      report.error(`volumes of pod ${where} not backed up: applying the volume policies failed: ${(error as Error).message}`);
      return undefined;
    }
  }

  /**
   * Backs up `volume` of `pod` — recorded under that pod, so a restore streams it back into the
   * pod's new volume — reading the files from `source`: another pod, e.g. one that mounts a
   * snapshot of the claim. Throws what failed; the record says so too.
   */
  async backupFrom(pod: KubeObject, volume: string, claim: string, source: VolumeSource): Promise<PodVolumeBackupRecord> {
    const record = newRecord(this.opts.backup, pod, volume, claim, this.records.length);
    this.records.push(record);
    try {
      await this.backupVolume(pod, volume, source, record);
      this.claimsDone.add(`${pod.metadata.namespace}/${claim}`);
      return record;
    } catch (error) {
      record.status.phase = 'Failed';
      record.status.message = (error as Error).message;
      record.status.completionTimestamp = new Date().toISOString();
      throw error;
    }
  }

  private async backupVolume(pod: KubeObject, volume: string, source: VolumeSource, record: PodVolumeBackupRecord): Promise<void> {
    const repository = await this.opts.repository();
    const where = `${pod.metadata.namespace}/${pod.metadata.name}`;
    const from = source.pod === pod.metadata.name ? {} : { from: `${source.namespace}/${source.pod}` };
    this.opts.log.info('Backing up volume', { pod: where, volume, container: source.container, path: source.path, ...from });
    const abort = new AbortController();
    const zstd = source.ours ? await canCompressInPod(this.opts.exec, source, abort.signal) : false;
    if (zstd) this.opts.log.info('Compressing in the pod before the transfer', { pod: `${source.namespace}/${source.pod}`, volume });
    const out = tarOut(this.opts.exec, { ...source, zstd }, abort.signal);
    let last = 0;
    const writing = repository.writeSnapshot(out.data, { backup: this.opts.backup.name, namespace: pod.metadata.namespace!, pod: pod.metadata.name, volume }, {
      signal: abort.signal,
      tar: true,
      onProgress: (bytes) => {
        this.bytesDone += bytes - last;
        last = bytes;
        record.status.progress.bytesDone = bytes;
        this.opts.onBytes?.(this.bytesDone);
      },
    });
    // Either side failing stops the other: a dead store ends the tar, a failed tar the upload.
    writing.catch(() => abort.abort());
    out.done.catch(() => abort.abort());
    const [summary, tar] = await Promise.all([writing, out.done]);
    this.totalUploaded += summary.uploadedBytes;
    Object.assign(record.status, {
      phase: 'Completed' as const,
      snapshotID: summary.id,
      path: source.path,
      completionTimestamp: new Date().toISOString(),
      progress: { totalBytes: summary.totalBytes, bytesDone: summary.totalBytes },
      uploadedBytes: summary.uploadedBytes,
      ...(tar.warning ? { message: tar.warning } : {}),
    });
    this.opts.log.info('Volume backed up', { pod: where, volume, snapshot: summary.id, bytes: summary.totalBytes, newBytes: summary.newBytes, uploadedBytes: summary.uploadedBytes });
  }
}
