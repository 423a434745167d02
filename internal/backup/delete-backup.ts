// Deleting one backup from a storage location — everything of it: Velero's files under
// backups/NAME/, our volume data records under plugins/kubectl-velero/backups/NAME/ and its
// snapshots in the volume repository. `backup delete` and `backup gc` both come here.
//
// A crash (SIGKILL, a lost machine, a store that stops answering) can stop a deletion anywhere, so
// the order is chosen for that:
//   1. a deletion record, plugins/kubectl-velero/backups/NAME/deletion.json, saying which backup
//      (by uid) is being deleted: velero-backup.json goes next, and without the record nothing
//      would tell the next gc that the leftovers below belong to a half-deleted backup;
//   2. velero-backup.json, so the backup is no longer listed (nor synced by a Velero server);
//   3. the rest of backups/NAME/;
//   4. its snapshots in the volume repository (their chunks stay until a prune: a snapshot gone
//      before its chunks never leaves the repository damaged, the other way round would);
//   5. our records under plugins/kubectl-velero/backups/NAME/ (the heartbeat of a dead backup too).
// The deletion record stays until a prune has freed the chunks the snapshots used ("awaiting
// prune"): `backup gc` finishes a record in stage "deleting" (the steps above again, each of which
// is a no-op once done), prunes when a record is awaiting prune, and only then removes the records.
// Where the location has no volume repository there is nothing to prune and the record goes at once.
import { hostname } from 'node:os';
import type { ObjectStore } from '../storage/object-store.ts';
import { readGzJsonIfExists, readJsonIfExists } from '../storage/object-reads.ts';
import { backupKeys, DELETION_FILE, PLUGIN_BACKUPS_PREFIX, pluginBackupKeys, repoKeys } from '../storage/layout.ts';
import { deleteSnapshotsOfBackup } from '../volumes/repository/repository.ts';
import type { Backup } from './backup-object.ts';
import { isStale, readInProgress } from './in-progress.ts';
import { BackupNotFoundError } from './stored-backups.ts';

/** In our folder of the backup, beside in-progress.json. */
export const deletionRecordKey = (name: string): string => pluginBackupKeys(name).deletion;

export interface DeletionRecord {
  backup: string;
  /** The uid of the Backup being deleted: a new backup that reuses the name is not this one. */
  uid?: string;
  /** What asked for it, e.g. `backup delete` or `expired 2026-01-01T00:00:00Z`. */
  reason: string;
  started: string;
  /** host/pid of the process that began it. */
  holder: string;
  stage: 'deleting' | 'awaiting-prune';
}

export class BackupInProgressError extends Error {}

export interface DeletedBackup {
  name: string;
  /** Snapshots of the backup dropped from the volume repository (their chunks go at the next prune). */
  snapshots: number;
  /** Storage snapshots (CSI, native) deleted with it. */
  volumeSnapshots: number;
  /** The deletion record left awaiting a prune, when the location has a volume repository. */
  awaitingPrune?: DeletionRecord;
}

/**
 * Deletes the storage snapshots a backup recorded (CSI contents, native snapshots) and returns how
 * many: it needs the cluster or the cloud, so the command supplies it.
 */
export type VolumeSnapshotDeleter = (backup: string, files: { csiContents: unknown[]; nativeSnapshots: unknown[] }) => Promise<number>;

export function readDeletionRecord(store: ObjectStore, name: string): Promise<DeletionRecord | undefined> {
  return readJsonIfExists<DeletionRecord>(store, deletionRecordKey(name));
}

/** The deletion records of the location, by backup name. */
export async function listDeletionRecords(store: ObjectStore): Promise<DeletionRecord[]> {
  const out: DeletionRecord[] = [];
  for await (const key of store.list(PLUGIN_BACKUPS_PREFIX)) {
    if (!key.endsWith(`/${DELETION_FILE}`)) continue;
    const record = await readJsonIfExists<DeletionRecord>(store, key);
    if (record) out.push({ ...record, backup: key.slice(PLUGIN_BACKUPS_PREFIX.length, -DELETION_FILE.length - 1) });
  }
  return out;
}

/**
 * The uid of the backup stored under `name` right now — published, or known by its heartbeat
 * record — or `null` when there is none. A backup whose heartbeat still beats is refused.
 */
export async function currentBackupUid(store: ObjectStore, name: string): Promise<string | undefined | null> {
  const published = await readJsonIfExists<Backup>(store, backupKeys(name).metadata);
  if (published) return published.metadata.uid;
  const running = await readInProgress(store, name);
  if (!running) return null;
  if (!isStale(running)) throw new BackupInProgressError(`backup "${name}" is in progress (${running.holder}, last heartbeat ${running.heartbeat}): wait for it to finish, or stop that process`);
  return running.backup.metadata.uid;
}

async function deleteUnder(store: ObjectStore, prefix: string, keep?: string): Promise<void> {
  // Listed first, then deleted: a listing is paginated, and deleting under its feet is not needed.
  const keys: string[] = [];
  for await (const key of store.list(prefix)) if (key !== keep) keys.push(key);
  for (const key of keys) await store.delete(key);
}

/**
 * Deletes the backup `name` in the crash-safe order above: the published backup, a dead one known
 * only by its stale heartbeat, or what an interrupted deletion left. Refuses a backup still running
 * and a name with nothing stored.
 */
export async function deleteBackup(store: ObjectStore, name: string, opts: { reason: string; now?: Date; volumeSnapshots?: VolumeSnapshotDeleter }): Promise<DeletedBackup> {
  const uid = await currentBackupUid(store, name);
  // A record awaiting its prune is of a deletion that is done: nothing of the backup is left.
  const pending = await readDeletionRecord(store, name).then((r) => (r?.stage === 'deleting' ? r : undefined));
  if (uid === null && !pending) throw new BackupNotFoundError(name, store.describe());
  const deleting = uid ?? pending?.uid;
  const record: DeletionRecord = {
    backup: name,
    ...(deleting !== undefined ? { uid: deleting } : {}),
    reason: opts.reason,
    started: (opts.now ?? new Date()).toISOString(),
    holder: `${hostname()}/${process.pid}`,
    stage: 'deleting',
  };
  const recordKey = deletionRecordKey(name);
  const putRecord = (r: DeletionRecord) => store.put(recordKey, JSON.stringify(r), { contentType: 'application/json' });
  await putRecord(record);
  // Storage snapshots before any file: the files say which snapshots there are. Cut short here, the
  // backup is still listed and the record makes the next `backup delete` or gc try again.
  const volumeSnapshots = await deleteStorageSnapshots(store, name, opts.volumeSnapshots);
  await store.delete(backupKeys(name).metadata);
  await deleteUnder(store, backupKeys(name).dir);
  const snapshots = await deleteSnapshotsOfBackup(store, name);
  await deleteUnder(store, pluginBackupKeys(name).dir, recordKey);
  if (!(await store.exists(repoKeys.config))) {
    await store.delete(recordKey);
    return { name, snapshots, volumeSnapshots };
  }
  const awaitingPrune: DeletionRecord = { ...record, stage: 'awaiting-prune' };
  await putRecord(awaitingPrune);
  return { name, snapshots, volumeSnapshots, awaitingPrune };
}

async function deleteStorageSnapshots(store: ObjectStore, name: string, deleter: VolumeSnapshotDeleter | undefined): Promise<number> {
  const csiContents = (await readGzJsonIfExists<unknown[]>(store, backupKeys(name).csiVolumeSnapshotContents)) ?? [];
  const nativeSnapshots = ((await readGzJsonIfExists<unknown[]>(store, backupKeys(name).volumeSnapshots)) ?? []).filter((s) => (s as { status?: { providerSnapshotID?: string } }).status?.providerSnapshotID);
  const count = csiContents.length + nativeSnapshots.length;
  if (!count) return 0;
  if (!deleter) throw new Error(`backup "${name}" holds ${count} volume snapshot${count === 1 ? '' : 's'}: deleting it needs access to its cluster or cloud`);
  try {
    return await deleter(name, { csiContents, nativeSnapshots });
  } catch (error) {
    throw new Error(`cannot delete the volume snapshots of backup "${name}", so the backup is kept: ${(error as Error).message}`);
  }
}

/**
 * Removes the deletion record once a prune has freed what the backup's snapshots used — only the
 * record that prune was run for: another deletion of that name begun since keeps its own.
 */
export async function settleDeletion(store: ObjectStore, settled: DeletionRecord): Promise<void> {
  const now = await readDeletionRecord(store, settled.backup);
  if (now?.stage === 'awaiting-prune' && now.started === settled.started) await store.delete(deletionRecordKey(settled.backup));
}
