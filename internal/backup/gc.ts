// Garbage collection of expired backups, as Velero's server does on its own every hour — we run no
// server, so `backup gc` (and the end of every scheduled run) does it: every backup whose
// status.expiration has passed is deleted with everything of it (delete-backup.ts), deletions an
// earlier run left half done are finished, and then the volume repository is pruned so the chunks
// only those backups used are freed.
//
// Never deleted: a backup an InProgress restore is reading (a restore whose heartbeat stopped is
// Failed, restore-heartbeat.ts), and a backup still running (its heartbeat beats, in-progress.ts).
// A backup whose process died is Failed once its heartbeat is stale, and goes when it has expired.
// Heartbeats are judged by the clock, as every reader judges them; `now` only decides expiry.
//
// No printing here: lines go to `log`, and the report says what happened, for `backup gc -o json`
// and for the scheduled runs that call this.
import type { ObjectStore } from '../storage/object-store.ts';
import { repoKeys } from '../storage/layout.ts';
import { openRepository, type PruneReport, type Repository, RepositoryKeyError, RepositoryLockedError } from '../volumes/repository/repository.ts';
import { StoredRestores } from '../restore/stored-restores.ts';
import type { Backup } from './backup-object.ts';
import { BackupInProgressError, currentBackupUid, deleteBackup, type DeletionRecord, type VolumeSnapshotDeleter, deletionRecordKey, listDeletionRecords, settleDeletion } from './delete-backup.ts';
import { StoredBackups } from './stored-backups.ts';

export interface GcLog {
  info(line: string): void;
  warn(line: string): void;
}

export interface GcOptions {
  store: ObjectStore;
  /** When expiry is judged (default: now). */
  now?: Date;
  /** List what would be deleted; change nothing. */
  dryRun?: boolean;
  /** The key of an encrypted volume repository; without it such a repository is not pruned (a warning says so). */
  encryptionKey?: Buffer;
  log?: GcLog;
  /** Deletes a backup's storage snapshots (a backup that has some cannot be deleted without it). */
  volumeSnapshots?: VolumeSnapshotDeleter;
}

export interface GcDeletion {
  name: string;
  /** Why: `expired <time>`, or the finishing of an interrupted deletion. */
  reason: string;
  expiration?: string;
  /** Volume snapshots dropped (0 in a dry run). */
  snapshots: number;
}

export type GcPrune =
  | { status: 'pruned'; report: PruneReport }
  | { status: 'not-needed' }
  | { status: 'would-prune' }
  | { status: 'skipped'; reason: string }
  | { status: 'failed'; error: string };

export interface GcReport {
  dryRun: boolean;
  now: string;
  /** Deleted (in a dry run: would be deleted). */
  deleted: GcDeletion[];
  /** Expired but kept, and why (a restore reads it, it is still running). */
  kept: { name: string; expiration?: string; reason: string }[];
  failed: { name: string; error: string }[];
  /** Backups whose expiration has not passed (or that have none). */
  notExpired: number;
  prune: GcPrune;
}

interface Candidate {
  name: string;
  reason: string;
  expiration?: string;
}

const QUIET: GcLog = { info: () => undefined, warn: () => undefined };

/** When the backup expires, in ms; undefined for none (Velero never collects a backup without one). */
function expiresAt(backup: Backup): number | undefined {
  const at = Date.parse(backup.status.expiration ?? '');
  return Number.isFinite(at) ? at : undefined;
}

/** The InProgress restores of the location, by the backup each reads. */
async function restoresReading(store: ObjectStore): Promise<Map<string, string[]>> {
  const reading = new Map<string, string[]>();
  for (const restore of await new StoredRestores(store).list()) {
    if (restore.status.phase !== 'InProgress') continue;
    reading.set(restore.spec.backupName, [...(reading.get(restore.spec.backupName) ?? []), restore.metadata.name]);
  }
  return reading;
}

/** Deletions an earlier run began and did not finish; a record whose name now holds another backup is stale. */
async function interruptedDeletions(store: ObjectStore): Promise<{ resume: DeletionRecord[]; stale: DeletionRecord[] }> {
  const resume: DeletionRecord[] = [];
  const stale: DeletionRecord[] = [];
  for (const record of await listDeletionRecords(store)) {
    if (record.stage !== 'deleting') continue;
    let uid: string | undefined | null;
    try {
      uid = await currentBackupUid(store, record.backup);
    } catch (error) {
      // A new backup of that name is running: the record is not about it.
      if (!(error instanceof BackupInProgressError)) throw error;
      stale.push(record);
      continue;
    }
    if (uid === null || uid === record.uid) resume.push(record);
    else stale.push(record);
  }
  return { resume, stale };
}

/** The location's volume repository for the prune, or why it cannot be pruned; undefined when there is none. */
type OpenedForPrune = Repository | { skip: string };

async function repositoryToPrune(store: ObjectStore, encryptionKey: Buffer | undefined): Promise<OpenedForPrune | undefined> {
  if (!(await store.exists(repoKeys.config))) return undefined;
  try {
    return await openRepository({ store, encryptionKey, create: false });
  } catch (error) {
    // Deleting needs no key, freeing chunks does: without one the deletions go ahead, the prune waits.
    if (error instanceof RepositoryKeyError && !encryptionKey) return { skip: `${error.message}; the chunks of the deleted backups stay until a gc or repo prune with the key` };
    throw error;
  }
}

/** `1 backup`, `2 backups`. */
const counted = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

function summary(report: GcReport): string {
  const kept = report.kept.length ? `, ${report.kept.length} expired but kept (in use)` : '';
  const failed = report.failed.length ? `, ${report.failed.length} failed` : '';
  const rest = `${kept}${failed}, ${report.notExpired} not expired`;
  if (report.dryRun) return `Dry run: ${counted(report.deleted.length, 'backup')} would be deleted${rest}; nothing was changed.`;
  return `Garbage collection done: ${counted(report.deleted.length, 'backup')} deleted${rest}.`;
}

export async function collectGarbage(opts: GcOptions): Promise<GcReport> {
  const { store } = opts;
  const now = opts.now ?? new Date();
  const dryRun = opts.dryRun ?? false;
  const log = opts.log ?? QUIET;
  const report: GcReport = { dryRun, now: now.toISOString(), deleted: [], kept: [], failed: [], notExpired: 0, prune: { status: 'not-needed' } };

  const candidates: Candidate[] = [];
  const { resume, stale } = await interruptedDeletions(store);
  for (const record of resume) candidates.push({ name: record.backup, reason: `finishing an interrupted deletion (${record.reason})` });
  const backups = new StoredBackups(store);
  for (const name of await backups.names()) {
    if (candidates.some((c) => c.name === name)) continue;
    let backup: Backup | undefined;
    try {
      backup = await backups.find(name);
    } catch (error) {
      report.failed.push({ name, error: `cannot read it: ${(error as Error).message}` });
      log.warn(`error: backup "${name}" cannot be read, so whether it expired is unknown: ${(error as Error).message}`);
      continue;
    }
    // A folder without velero-backup.json is an upload that has not finished: not a backup yet.
    if (!backup) continue;
    const at = expiresAt(backup);
    if (at === undefined || at > now.getTime()) {
      report.notExpired++;
      continue;
    }
    const expiration = backup.status.expiration!;
    if (backup.status.phase === 'InProgress') report.kept.push({ name, expiration, reason: 'it is still in progress' });
    else candidates.push({ name, reason: `expired ${expiration}`, expiration });
  }

  // Read once, after the candidates are known. A restore started after this is not seen: one that
  // reads a backup while it is being deleted fails, as it would against Velero's server.
  const reading = await restoresReading(store);
  const chosen: Candidate[] = [];
  for (const c of candidates) {
    const restores = reading.get(c.name);
    if (restores) report.kept.push({ name: c.name, ...(c.expiration ? { expiration: c.expiration } : {}), reason: `restore ${restores.map((r) => `"${r}"`).join(', ')} is reading it (InProgress)` });
    else chosen.push(c);
  }
  for (const k of report.kept) log.info(`Backup "${k.name}"${k.expiration ? ` expired ${k.expiration} but` : ''} is kept: ${k.reason}.`);

  if (dryRun) {
    for (const c of chosen) {
      report.deleted.push({ ...c, snapshots: 0 });
      log.info(`Backup "${c.name}" would be deleted: ${c.reason}.`);
    }
    const pending = (await listDeletionRecords(store)).some((r) => r.stage === 'awaiting-prune');
    if ((chosen.length || pending) && (await store.exists(repoKeys.config))) report.prune = { status: 'would-prune' };
    log.info(summary(report));
    return report;
  }

  // Opened first, so a wrong --encryption-key-file stops gc before anything is deleted.
  const repository = await repositoryToPrune(store, opts.encryptionKey);
  for (const record of stale) await store.delete(deletionRecordKey(record.backup));
  for (const c of chosen) {
    try {
      const done = await deleteBackup(store, c.name, { reason: c.reason, now, volumeSnapshots: opts.volumeSnapshots });
      report.deleted.push({ ...c, snapshots: done.snapshots });
      log.info(`Backup "${c.name}" deleted: ${c.reason}${done.snapshots ? ` (and ${counted(done.snapshots, 'volume snapshot')})` : ''}.`);
    } catch (error) {
      report.failed.push({ name: c.name, error: (error as Error).message });
      log.warn(`error: backup "${c.name}" could not be deleted: ${(error as Error).message}`);
    }
  }
  report.prune = await pruneAfterDeletions(store, repository, opts.encryptionKey, log);
  log.info(summary(report));
  return report;
}

/**
 * Frees the chunks of the deleted backups' snapshots — when a deletion awaits it — and only then
 * removes their deletion records: a prune cut short leaves them, so the next gc prunes again.
 */
async function pruneAfterDeletions(store: ObjectStore, opened: OpenedForPrune | undefined, encryptionKey: Buffer | undefined, log: GcLog): Promise<GcPrune> {
  const awaiting = (await listDeletionRecords(store)).filter((r) => r.stage === 'awaiting-prune');
  if (!awaiting.length) return { status: 'not-needed' };
  // A backup that ran meanwhile may have made the repository this run found missing.
  const repo = opened ?? (await repositoryToPrune(store, encryptionKey));
  if (repo === undefined) {
    // No repository (any more): nothing to free.
    for (const record of awaiting) await settleDeletion(store, record);
    return { status: 'not-needed' };
  }
  if ('skip' in repo) {
    log.warn(`warning: the volume repository was not pruned: ${repo.skip}`);
    return { status: 'skipped', reason: repo.skip };
  }
  try {
    const report = await repo.prune();
    for (const record of awaiting) await settleDeletion(store, record);
    log.info(`Volume repository pruned: ${report.chunksDeleted} chunks deleted (${report.packsDeleted} packs deleted, ${report.packsRewritten} rewritten without their unused chunks), ${report.chunksKept} kept.`);
    return { status: 'pruned', report };
  } catch (error) {
    const message = (error as Error).message;
    if (error instanceof RepositoryLockedError) {
      log.warn(`warning: the volume repository was not pruned: ${message} (the next gc prunes it)`);
      return { status: 'skipped', reason: message };
    }
    log.warn(`error: the volume repository could not be pruned: ${message}`);
    return { status: 'failed', error: message };
  }
}
