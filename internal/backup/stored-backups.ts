// Reading backups back from a store for get/describe/logs/download/delete: listed as the folders
// under backups/ that hold a velero-backup.json (a folder without it is an unfinished upload), and
// the backups that have only a heartbeat record (running, or killed: see in-progress.ts).
import type { Readable } from 'node:stream';
import type { ObjectStore } from '../storage/object-store.ts';
import { readGunzippedIfExists, readJsonIfExists } from '../storage/object-reads.ts';
import type { Backup } from './backup-object.ts';
import type { BackupResults } from './results.ts';
import { BACKUPS_PREFIX, backupKeys, folderNames, IN_PROGRESS_FILE, PLUGIN_BACKUPS_PREFIX, pluginBackupKeys } from '../storage/layout.ts';
import { backupOfRecord, isStale, readInProgress } from './in-progress.ts';

export class BackupNotFoundError extends Error {
  constructor(name: string, where: string) {
    super(`backup "${name}" not found in ${where}: see kubectl velero backup get`);
  }
}

export class StoredBackups {
  constructor(private readonly store: ObjectStore) {}

  describe(): string {
    return this.store.describe();
  }

  /** Published backups, and those with a heartbeat record only (running, or killed before they finished). */
  async names(): Promise<string[]> {
    const names = new Set(folderNames(BACKUPS_PREFIX, await this.store.listCommonPrefixes(BACKUPS_PREFIX)));
    for await (const key of this.store.list(PLUGIN_BACKUPS_PREFIX)) {
      if (key.endsWith(`/${IN_PROGRESS_FILE}`)) names.add(key.slice(PLUGIN_BACKUPS_PREFIX.length, -IN_PROGRESS_FILE.length - 1));
    }
    return [...names].sort();
  }

  async list(): Promise<Backup[]> {
    const out: Backup[] = [];
    for (const name of await this.names()) {
      const backup = await this.find(name);
      if (backup) out.push(backup);
    }
    return out;
  }

  /** The published Backup; else, for a backup still running or killed, its InProgress or Failed state. */
  async find(name: string): Promise<Backup | undefined> {
    const published = await readJsonIfExists<Backup>(this.store, backupKeys(name).metadata);
    if (published) return published;
    const running = await readInProgress(this.store, name);
    return running ? backupOfRecord(running) : undefined;
  }

  async get(name: string): Promise<Backup> {
    const backup = await this.find(name);
    if (!backup) throw new BackupNotFoundError(name, this.store.describe());
    return backup;
  }

  private gunzipped(key: string): Promise<Buffer | undefined> {
    return readGunzippedIfExists(this.store, key);
  }

  async logText(name: string): Promise<string> {
    await this.get(name);
    return (await this.gunzipped(backupKeys(name).log))?.toString('utf8') ?? '';
  }

  async results(name: string): Promise<BackupResults | undefined> {
    const data = await this.gunzipped(backupKeys(name).results);
    return data ? (JSON.parse(data.toString('utf8')) as BackupResults) : undefined;
  }

  async resourceList(name: string): Promise<Record<string, string[]> | undefined> {
    const data = await this.gunzipped(backupKeys(name).resourceList);
    return data ? (JSON.parse(data.toString('utf8')) as Record<string, string[]>) : undefined;
  }

  async tarball(name: string): Promise<Readable> {
    await this.get(name);
    return this.store.get(backupKeys(name).tarball);
  }

  /**
   * velero-backup.json first, so a half-deleted backup is no longer listed. A backup known only by
   * its heartbeat record may be deleted once that is stale (its process is gone), never while it beats.
   */
  async delete(name: string): Promise<void> {
    const keys = backupKeys(name);
    if (await this.store.exists(keys.metadata)) await this.store.delete(keys.metadata);
    else {
      const running = await readInProgress(this.store, name);
      if (!running) throw new BackupNotFoundError(name, this.store.describe());
      if (!isStale(running)) throw new Error(`backup "${name}" is in progress (${running.holder}, last heartbeat ${running.heartbeat}): wait for it to finish, or stop that process`);
    }
    for await (const key of this.store.list(keys.dir)) await this.store.delete(key);
    await this.store.delete(pluginBackupKeys(name).inProgress);
  }
}
