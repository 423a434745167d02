// The one table of keys in a backup storage location (Velero's object_store_layout.go, plus ours).
// Every key the plugin reads or writes comes from here: Velero's `backups/NAME/…` and
// `restores/NAME/…`, and our additions under `plugins/kubectl-velero/` — Velero fails a location
// with unknown top-level folders, but ignores `plugins/`, so everything of ours lives below it.
// Keys are relative to the location's prefix (the store adds it); this module knows nothing of
// the stores or of Kubernetes.

export const BACKUPS_PREFIX = 'backups/';
export const RESTORES_PREFIX = 'restores/';
/** Our own top-level folder, below Velero's `plugins/`. */
export const PLUGIN_PREFIX = 'plugins/kubectl-velero/';

/** Velero's files of one backup (`backups/NAME/`); `metadata` is the object Velero syncs. */
export const backupKeys = (name: string) => ({
  dir: `${BACKUPS_PREFIX}${name}/`,
  metadata: `${BACKUPS_PREFIX}${name}/velero-backup.json`,
  tarball: `${BACKUPS_PREFIX}${name}/${name}.tar.gz`,
  log: `${BACKUPS_PREFIX}${name}/${name}-logs.gz`,
  resourceList: `${BACKUPS_PREFIX}${name}/${name}-resource-list.json.gz`,
  results: `${BACKUPS_PREFIX}${name}/${name}-results.gz`,
  volumeSnapshots: `${BACKUPS_PREFIX}${name}/${name}-volumesnapshots.json.gz`,
  podVolumeBackups: `${BACKUPS_PREFIX}${name}/${name}-podvolumebackups.json.gz`,
  itemOperations: `${BACKUPS_PREFIX}${name}/${name}-itemoperations.json.gz`,
  volumeInfo: `${BACKUPS_PREFIX}${name}/${name}-volumeinfo.json.gz`,
  csiVolumeSnapshots: `${BACKUPS_PREFIX}${name}/${name}-csi-volumesnapshots.json.gz`,
  csiVolumeSnapshotContents: `${BACKUPS_PREFIX}${name}/${name}-csi-volumesnapshotcontents.json.gz`,
  csiVolumeSnapshotClasses: `${BACKUPS_PREFIX}${name}/${name}-csi-volumesnapshotclasses.json.gz`,
});

/** Velero's files of one restore (`restores/NAME/`), and the Restore object we keep beside them. */
export const restoreKeys = (name: string) => ({
  dir: `${RESTORES_PREFIX}${name}/`,
  /** Our addition: no server holds the Restore object, so it is stored with its files. */
  object: `${RESTORES_PREFIX}${name}/restore-${name}.json`,
  log: `${RESTORES_PREFIX}${name}/restore-${name}-logs.gz`,
  results: `${RESTORES_PREFIX}${name}/restore-${name}-results.gz`,
  resourceList: `${RESTORES_PREFIX}${name}/restore-${name}-resource-list.json.gz`,
  /** The resource modifier rules the restore applied, so the fidelity check can replay them. */
  resourceModifiers: `${RESTORES_PREFIX}${name}/restore-${name}-resource-modifiers.yaml`,
});

/** The names of the folders right under a prefix, as `listCommonPrefixes` returns them (`backups/x/` → `x`). */
export function folderNames(prefix: string, commonPrefixes: string[]): string[] {
  return commonPrefixes.map((p) => p.slice(prefix.length).replace(/\/$/, '')).filter(Boolean).sort();
}

export const PLUGIN_BACKUPS_PREFIX = `${PLUGIN_PREFIX}backups/`;
export const IN_PROGRESS_FILE = 'in-progress.json';

/** Our files of one backup: the volume data records (PodVolumeBackup-shaped), and its heartbeat while it runs. */
export const DELETION_FILE = 'deletion.json';
export const pluginBackupKeys = (backup: string) => ({
  dir: `${PLUGIN_BACKUPS_PREFIX}${backup}/`,
  podVolumeBackups: `${PLUGIN_BACKUPS_PREFIX}${backup}/podvolumebackups.json.gz`,
  /** The InProgress Backup and a heartbeat, from start until velero-backup.json is written. */
  inProgress: `${PLUGIN_BACKUPS_PREFIX}${backup}/${IN_PROGRESS_FILE}`,
  /** Which backup is being deleted and how far (internal/backup/delete-backup.ts), until its chunks are pruned. */
  deletion: `${PLUGIN_BACKUPS_PREFIX}${backup}/${DELETION_FILE}`,
});

/** The deduplicated volume repository (internal/volumes/repository). */
export const REPO_PREFIX = `${PLUGIN_PREFIX}repo/`;
export const repoKeys = {
  prefix: REPO_PREFIX,
  /** What a PodVolumeBackup record names as its repoIdentifier. */
  identifier: REPO_PREFIX.replace(/\/$/, ''),
  config: `${REPO_PREFIX}config.json`,
  packs: `${REPO_PREFIX}packs/`,
  /** Packs are spread over 256 folders by the first two hex digits of their id. */
  pack: (id: string) => `${REPO_PREFIX}packs/${id.slice(0, 2)}/${id}`,
  indexes: `${REPO_PREFIX}index/`,
  index: (packId: string) => `${REPO_PREFIX}index/${packId}.json`,
  snapshots: `${REPO_PREFIX}snapshots/`,
  snapshot: (id: string) => `${REPO_PREFIX}snapshots/${id}.json`,
  locks: `${REPO_PREFIX}locks/`,
  lock: (id: string) => `${REPO_PREFIX}locks/${id}.json`,
};

/** Our Schedules (velero.io/v1 objects, one file each): any machine that reaches the location sees them. */
export const PLUGIN_SCHEDULES_PREFIX = `${PLUGIN_PREFIX}schedules/`;
/** The locks `schedule run` takes on a schedule while it takes its backup (internal/schedule/run-lock.ts). */
export const PLUGIN_SCHEDULE_LOCKS_PREFIX = `${PLUGIN_PREFIX}schedule-locks/`;
export const scheduleKeys = (name: string) => ({
  object: `${PLUGIN_SCHEDULES_PREFIX}${name}.json`,
  locks: `${PLUGIN_SCHEDULE_LOCKS_PREFIX}${name}/`,
  lock: (id: string) => `${PLUGIN_SCHEDULE_LOCKS_PREFIX}${name}/${id}.json`,
});

/** The schedule a key under PLUGIN_SCHEDULES_PREFIX holds (`…/schedules/daily.json` → `daily`); undefined for anything else. */
export function scheduleNameOfKey(key: string): string | undefined {
  if (!key.startsWith(PLUGIN_SCHEDULES_PREFIX) || !key.endsWith('.json')) return undefined;
  const name = key.slice(PLUGIN_SCHEDULES_PREFIX.length, -'.json'.length);
  return name && !name.includes('/') ? name : undefined;
}
