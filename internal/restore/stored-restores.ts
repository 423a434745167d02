// Restores in the storage location under restores/NAME/ (Velero's layout, plus the Restore object
// itself, since no server holds it): written at the end of a run, read by get/describe/logs.
import { gzipSync } from 'node:zlib';
import type { ObjectStore } from '../storage/object-store.ts';
import { readGunzippedIfExists, readJsonIfExists } from '../storage/object-reads.ts';
import type { BackupResults } from '../backup/results.ts';
import { type Restore, restoreKeys } from './restore-object.ts';

export class RestoreNotFoundError extends Error {
  constructor(name: string, where: string) {
    super(`restore "${name}" not found in ${where}: see kubectl velero restore get`);
  }
}

export class StoredRestores {
  constructor(private readonly store: ObjectStore) {}

  /** Log, results and resource list first; the Restore object last, so a listed restore is complete. */
  async put(restore: Restore, files: { log: string; results: BackupResults; resourceList: Record<string, string[]> }): Promise<void> {
    const keys = restoreKeys(restore.metadata.name);
    await this.store.put(keys.log, gzipSync(files.log));
    await this.store.put(keys.results, gzipSync(JSON.stringify(files.results)));
    await this.store.put(keys.resourceList, gzipSync(JSON.stringify(files.resourceList)));
    await this.store.put(keys.object, JSON.stringify(restore));
  }

  async exists(name: string): Promise<boolean> {
    return this.store.exists(restoreKeys(name).object);
  }

  async list(): Promise<Restore[]> {
    const out: Restore[] = [];
    for (const prefix of await this.store.listCommonPrefixes('restores/')) {
      const name = prefix.slice('restores/'.length, -1);
      const restore = await this.find(name);
      if (restore) out.push(restore);
    }
    return out;
  }

  async find(name: string): Promise<Restore | undefined> {
    return readJsonIfExists<Restore>(this.store, restoreKeys(name).object);
  }

  async get(name: string): Promise<Restore> {
    const restore = await this.find(name);
    if (!restore) throw new RestoreNotFoundError(name, this.store.describe());
    return restore;
  }

  private gunzipped(key: string): Promise<Buffer | undefined> {
    return readGunzippedIfExists(this.store, key);
  }

  async logText(name: string): Promise<string> {
    await this.get(name);
    return (await this.gunzipped(restoreKeys(name).log))?.toString('utf8') ?? '';
  }

  async results(name: string): Promise<BackupResults | undefined> {
    const data = await this.gunzipped(restoreKeys(name).results);
    return data ? (JSON.parse(data.toString('utf8')) as BackupResults) : undefined;
  }

  async resourceList(name: string): Promise<Record<string, string[]> | undefined> {
    const data = await this.gunzipped(restoreKeys(name).resourceList);
    return data ? (JSON.parse(data.toString('utf8')) as Record<string, string[]>) : undefined;
  }
}
