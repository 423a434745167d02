// One restore from start to end, as `restore create` runs it: find the backup, stage its tarball,
// run the engine, store the outcome. A backup that cannot be read (missing, corrupt, truncated) ends
// the restore Failed, with the reason stored like any other restore.
import type { KubeWriter } from '../kube/http-client.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { StoredBackups } from '../backup/stored-backups.ts';
import { backupKeys } from '../backup/store-target.ts';
import { type RestoreRun, runRestore } from './run-restore.ts';
import type { Restore, RestoreSpec } from './restore-object.ts';
import { StagedBackup } from './staged-backup.ts';
import { StoredRestores } from './stored-restores.ts';
import { BackupLog } from '../backup/backup-log.ts';
import { ResultsCollector } from '../backup/results.ts';

export interface CreateRestoreInput {
  name: string;
  veleroNamespace: string;
  spec: RestoreSpec;
  store: ObjectStore;
  client: KubeWriter;
  concurrency?: number;
  dryRun?: boolean;
  onProgress?: (done: number, total: number) => void;
}

export async function createRestore(input: CreateRestoreInput): Promise<RestoreRun> {
  const restores = new StoredRestores(input.store);
  if (!input.dryRun && (await restores.exists(input.name))) throw new Error(`restore "${input.name}" already exists in ${input.store.describe()}: choose another name`);
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const restore: Restore = {
    apiVersion: 'velero.io/v1',
    kind: 'Restore',
    metadata: { name: input.name, namespace: input.veleroNamespace, creationTimestamp: now },
    spec: input.spec,
    status: { phase: 'InProgress', startTimestamp: now },
  };
  const backup = await new StoredBackups(input.store).get(input.spec.backupName);
  if (backup.status.phase !== 'Completed' && backup.status.phase !== 'PartiallyFailed') {
    throw new Error(`backup "${backup.metadata.name}" is ${backup.status.phase}: only Completed or PartiallyFailed backups can be restored`);
  }
  let run: RestoreRun;
  let staged: StagedBackup | undefined;
  try {
    staged = await StagedBackup.stage(await input.store.get(backupKeys(input.spec.backupName).tarball));
    run = await runRestore({ restore, staged, client: input.client, concurrency: input.concurrency, dryRun: input.dryRun, onProgress: input.onProgress });
  } catch (error) {
    const log = new BackupLog(`${input.veleroNamespace}/${input.name}`, undefined, undefined, 'restore');
    const results = new ResultsCollector();
    const reason = error instanceof Error ? error.message : String(error);
    log.error('Restore failed', { error: reason });
    results.error('velero', reason);
    restore.status.phase = 'Failed';
    restore.status.failureReason = reason;
    restore.status.errors = 1;
    run = { restore, log, results, resourceList: {}, preview: [] };
  } finally {
    await staged?.dispose();
  }
  run.restore.status.completionTimestamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  if (!input.dryRun) await restores.put(run.restore, { log: run.log.text(), results: run.results.toJSON(), resourceList: run.resourceList });
  return run;
}
