// Where a backup's files go, as the engine needs it: the tarball streamed while items are collected,
// then the small files, then velero-backup.json last so a half-written backup is never listed.
import type { Backup } from './backup-object.ts';
import type { BackupResults } from './results.ts';
import type { ItemSink } from './item-sink.ts';
import type { Heartbeat } from './in-progress.ts';
import type { ResourceList } from './resource-list.ts';

export interface OpenArchive {
  sink: ItemSink;
  /** Closes the tarball and resolves when it is fully stored. */
  finish(): Promise<void>;
  /** Stops the upload and removes what was written of the tarball. */
  abort(reason: Error): Promise<void>;
}

export interface BackupFiles {
  backup: Backup;
  /** The log, gzipped (BackupLog.gzipped()). */
  log: Buffer;
  resourceList: ResourceList;
  results: BackupResults;
  /** What the volume steps recorded (Velero's files; empty lists when absent). */
  volumes?: VolumeFiles;
}

/** Velero's per-backup volume files, each a JSON array. */
export interface VolumeFiles {
  volumeInfo?: unknown[];
  itemOperations?: unknown[];
  /** NAME-volumesnapshots.json.gz: native (EBS…) snapshots. */
  volumeSnapshots?: unknown[];
  /** The three NAME-csi-*.json.gz files, written when the backup has CSI snapshots. */
  csi?: { volumeSnapshots: unknown[]; volumeSnapshotContents: unknown[]; volumeSnapshotClasses: unknown[] };
}

export interface BackupTarget {
  /** `s3://bucket/prefix` or a directory, for messages. */
  describe(): string;
  /** Whether the name is taken: a published backup, or one in progress (or dead) with its heartbeat record. */
  exists(name: string): Promise<boolean>;
  /** Records the backup as InProgress, renewed until `end` (see in-progress.ts). */
  begin(backup: Backup): Promise<Heartbeat>;
  openArchive(name: string): OpenArchive;
  /** Everything but the tarball; velero-backup.json last. */
  publish(files: BackupFiles): Promise<void>;
}
