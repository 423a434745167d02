// BackupTarget over any ObjectStore, in Velero's layout under backups/NAME/. The tarball uploads
// while it is produced; the small files follow; velero-backup.json goes last.
import { gzipSync } from 'node:zlib';
import type { ObjectStore } from '../storage/object-store.ts';
import { readJsonIfExists } from '../storage/object-reads.ts';
import type { BackupFiles, BackupTarget, OpenArchive } from './backup-target.ts';
import { BackupArchiveWriter } from '../archive/writer.ts';
import { backupKeys, pluginBackupKeys } from '../storage/layout.ts';
import type { Backup } from './backup-object.ts';
import { type Heartbeat, startHeartbeat } from './in-progress.ts';

const gzJson = (value: unknown) => gzipSync(JSON.stringify(value));

export class ObjectStoreBackupTarget implements BackupTarget {
  constructor(private readonly store: ObjectStore) {}

  describe(): string {
    return this.store.describe();
  }

  /** Taken: published, in progress (or dead), or half-deleted (its snapshots would count as the new backup's). */
  async exists(name: string): Promise<boolean> {
    if ((await this.store.exists(backupKeys(name).metadata)) || (await this.store.exists(pluginBackupKeys(name).inProgress))) return true;
    return (await readJsonIfExists<{ stage?: string }>(this.store, pluginBackupKeys(name).deletion))?.stage === 'deleting';
  }

  begin(backup: Backup): Promise<Heartbeat> {
    return startHeartbeat(this.store, backup);
  }

  openArchive(name: string): OpenArchive {
    const key = backupKeys(name).tarball;
    const tarball = new BackupArchiveWriter();
    const controller = new AbortController();
    const upload = this.store.put(key, tarball.stream, { contentType: 'application/gzip', signal: controller.signal });
    // A failed upload must stop the writers at once, not when gzip's buffer fills.
    let uploadError: unknown;
    upload.catch((error: unknown) => {
      uploadError = error;
      tarball.destroy(error instanceof Error ? error : new Error(String(error)));
    });
    // A store that fails (a full disk) may close the tarball stream under the writer before its own
    // error arrives: the writer then only knows the stream closed, so the upload's error, which
    // says why, is the one reported.
    const because = async (error: unknown): Promise<never> => {
      await upload.catch(() => undefined);
      throw uploadError ?? error;
    };
    const started = tarball.writeVersion().catch(because);
    return {
      sink: {
        addItem: async (item, json) => {
          await started;
          if (uploadError) throw uploadError;
          await tarball.addItem(item, json).catch(because);
        },
      },
      finish: async () => {
        await started;
        await tarball.finish().catch(because);
        await upload;
      },
      abort: async (reason) => {
        controller.abort(reason);
        tarball.destroy(reason);
        await upload.catch(() => undefined);
        await this.store.delete(key).catch(() => undefined);
      },
    };
  }

  async publish(files: BackupFiles): Promise<void> {
    const keys = backupKeys(files.backup.metadata.name);
    const put = (key: string, body: Buffer) => this.store.put(key, body, { contentType: 'application/gzip' });
    await put(keys.log, files.log);
    await put(keys.resourceList, files.resourceList.gzippedJson());
    await put(keys.results, gzJson(files.results));
    const volumes = files.volumes ?? {};
    await put(keys.volumeSnapshots, gzJson(volumes.volumeSnapshots ?? []));
    await put(keys.podVolumeBackups, gzJson([]));
    await put(keys.itemOperations, gzJson(volumes.itemOperations ?? []));
    await put(keys.volumeInfo, gzJson(volumes.volumeInfo ?? []));
    if (volumes.csi) {
      await put(keys.csiVolumeSnapshots, gzJson(volumes.csi.volumeSnapshots));
      await put(keys.csiVolumeSnapshotContents, gzJson(volumes.csi.volumeSnapshotContents));
      await put(keys.csiVolumeSnapshotClasses, gzJson(volumes.csi.volumeSnapshotClasses));
    }
    // Last: only now does the backup exist for anyone listing the store.
    await this.store.put(keys.metadata, JSON.stringify(files.backup), { contentType: 'application/json' });
  }
}
