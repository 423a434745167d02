// Restores in the storage location under restores/NAME/ (Velero's layout, plus the Restore object
// itself and the modifier rules it applied, since no server holds them): the Restore object is
// saved when the restore starts (InProgress), while it runs (progress), and last at the end, after
// the log, results and resource list.
import { gzipSync } from 'node:zlib';
import type { ObjectStore } from '../storage/object-store.ts';
import { readGunzippedIfExists, readIfExists, readJsonIfExists } from '../storage/object-reads.ts';
import type { BackupResults } from '../backup/results.ts';
import type { Restore } from './restore-object.ts';
import { HEARTBEAT_ANNOTATION, HOLDER_ANNOTATION, RENEW_ANNOTATION, restoreAsSeen } from './restore-heartbeat.ts';
import { folderNames, RESTORES_PREFIX, restoreKeys } from '../storage/layout.ts';
import type { RestoreResourceList } from './restore-resource-list.ts';

export class RestoreNotFoundError extends Error {
  constructor(name: string, where: string) {
    super(`restore "${name}" not found in ${where}: see kubectl velero restore get`);
  }
}

export class StoredRestores {
  constructor(private readonly store: ObjectStore) {}

  describe(): string {
    return this.store.describe();
  }

  async putObject(restore: Restore): Promise<void> {
    await this.store.put(restoreKeys(restore.metadata.name).object, JSON.stringify(restore));
  }

  /** The final record: the heartbeat's annotations go, the object keeps Velero's shape. */
  private withoutHeartbeat(restore: Restore): Restore {
    const annotations = { ...restore.metadata.annotations };
    for (const key of [HEARTBEAT_ANNOTATION, RENEW_ANNOTATION, HOLDER_ANNOTATION]) delete annotations[key];
    const { annotations: _, ...metadata } = restore.metadata;
    return { ...restore, metadata: Object.keys(annotations).length ? { ...metadata, annotations } : metadata };
  }

  /** Log, results, resource list (and modifier rules) first; the final Restore object last. */
  async put(restore: Restore, files: { /** gzipped */ log: Buffer; results: BackupResults; resourceList: RestoreResourceList; modifiers?: string }): Promise<void> {
    const keys = restoreKeys(restore.metadata.name);
    await this.store.put(keys.log, files.log);
    await this.store.put(keys.results, gzipSync(JSON.stringify(files.results)));
    await this.store.put(keys.resourceList, files.resourceList.gzippedJson());
    if (files.modifiers !== undefined) await this.store.put(keys.resourceModifiers, files.modifiers);
    await this.putObject(this.withoutHeartbeat(restore));
  }

  /** Has the location a restore's files without its object — a restore a Velero server made? */
  async hasFilesOnly(name: string): Promise<boolean> {
    return !(await this.exists(name)) && this.store.exists(restoreKeys(name).resourceList);
  }

  async exists(name: string): Promise<boolean> {
    return this.store.exists(restoreKeys(name).object);
  }

  async names(): Promise<string[]> {
    return folderNames(RESTORES_PREFIX, await this.store.listCommonPrefixes(RESTORES_PREFIX));
  }

  async list(): Promise<Restore[]> {
    const out: Restore[] = [];
    for (const name of await this.names()) {
      const restore = await this.find(name);
      if (restore) out.push(restore);
    }
    return out;
  }

  /** The restore as readers show it: one whose process stopped beating is Failed (restore-heartbeat.ts). */
  async find(name: string): Promise<Restore | undefined> {
    const restore = await readJsonIfExists<Restore>(this.store, restoreKeys(name).object);
    return restore && restoreAsSeen(restore);
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

  async modifiersText(name: string): Promise<string | undefined> {
    return (await readIfExists(this.store, restoreKeys(name).resourceModifiers))?.toString('utf8');
  }

  /** The Restore object first, so a half-deleted restore is no longer listed; then everything under its folder. */
  async delete(name: string): Promise<void> {
    const keys = restoreKeys(name);
    if (!(await this.store.exists(keys.object))) throw new RestoreNotFoundError(name, this.store.describe());
    await this.store.delete(keys.object);
    for await (const key of this.store.list(keys.dir)) await this.store.delete(key);
  }
}
