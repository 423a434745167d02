// Reading backups back from a store for get/describe/logs/download/delete: listed as the folders
// under backups/ that hold a velero-backup.json (a folder without it is an unfinished upload).
import type { Readable } from 'node:stream';
import type { ObjectStore } from '../storage/object-store.ts';
import { readGunzippedIfExists, readJsonIfExists } from '../storage/object-reads.ts';
import type { Backup } from './backup-object.ts';
import type { BackupResults } from './results.ts';
import { backupKeys } from './store-target.ts';

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

  async names(): Promise<string[]> {
    const prefixes = await this.store.listCommonPrefixes('backups/');
    return prefixes.map((p) => p.slice('backups/'.length).replace(/\/$/, '')).filter(Boolean).sort();
  }

  async list(): Promise<Backup[]> {
    const out: Backup[] = [];
    for (const name of await this.names()) {
      const backup = await this.find(name);
      if (backup) out.push(backup);
    }
    return out;
  }

  async find(name: string): Promise<Backup | undefined> {
    return readJsonIfExists<Backup>(this.store, backupKeys(name).metadata);
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

  /** velero-backup.json first, so a half-deleted backup is no longer listed. */
  async delete(name: string): Promise<void> {
    const keys = backupKeys(name);
    if (!(await this.store.exists(keys.metadata))) throw new BackupNotFoundError(name, this.store.describe());
    await this.store.delete(keys.metadata);
    for await (const key of this.store.list(keys.dir)) await this.store.delete(key);
  }
}
