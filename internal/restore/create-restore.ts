// One restore from start to end, as `restore create` runs it: validate, find the backup, record the
// Restore as InProgress, stage the tarball, run the engine (progress saved every few seconds), and
// store the outcome under restores/NAME/. A backup that cannot be read (missing, corrupt,
// truncated) ends the restore Failed, with the reason stored like any other restore. A dry run
// stores nothing.
import type { ReadOptions } from '../archive/reader.ts';
import type { Backup } from '../backup/backup-object.ts';
import { BackupLog } from '../backup/backup-log.ts';
import { ResultsCollector } from '../backup/results.ts';
import { StoredBackups } from '../backup/stored-backups.ts';
import { backupKeys } from '../storage/layout.ts';
import type { KubeWriter } from '../kube/http-client.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { parseResourceModifiers } from './modifiers/rules.ts';
import { kubeNow, type Restore, type RestoreSpec } from './restore-object.ts';
import { type RestoreInput, type RestoreRun, runRestore } from './run-restore.ts';
import { StagedBackup } from './staged-backup.ts';
import { StoredRestores } from './stored-restores.ts';
import { startRestoreHeartbeat } from './restore-heartbeat.ts';
import { validateRestoreSpec } from './validate-restore.ts';
import { RestoreResourceList } from './restore-resource-list.ts';

export interface CreateRestoreInput {
  name: string;
  veleroNamespace: string;
  spec: RestoreSpec;
  store: ObjectStore;
  client: KubeWriter;
  labels?: Record<string, string>;
  /** The resource modifier rules' YAML text, with where it came from (for messages). */
  modifiers?: { text: string; source: string };
  concurrency?: number;
  dryRun?: boolean;
  onProgress?: (done: number, total: number) => void;
  /** Work around restored pods (volume data, hooks); see RestoreInput.podSteps. */
  podSteps?: RestoreInput['podSteps'];
  claimsWithVolumeData?: RestoreInput['claimsWithVolumeData'];
  nativeSnapshots?: RestoreInput['nativeSnapshots'];
  /** Bounds on what the backup archive may hold (defaults in internal/archive/reader.ts). */
  archiveLimits?: ReadOptions;
  /** How often the InProgress Restore is saved with its progress (default 5 s). */
  saveProgressEveryMs?: number;
}

export class RestoreAlreadyExistsError extends Error {}

/** Velero's --from-schedule: the newest Completed backup of the schedule (or PartiallyFailed, when allowed). */
export function latestScheduledBackup(backups: Backup[], schedule: string, allowPartiallyFailed: boolean): Backup | undefined {
  const usable = backups.filter((b) => b.metadata.labels?.['velero.io/schedule-name'] === schedule && (b.status.phase === 'Completed' || (allowPartiallyFailed && b.status.phase === 'PartiallyFailed')));
  return usable.sort((a, b) => String(b.status.startTimestamp ?? '').localeCompare(String(a.status.startTimestamp ?? '')))[0];
}

function failedRun(restore: Restore, phase: 'Failed' | 'FailedValidation', reasons: string[]): RestoreRun {
  const log = new BackupLog(`${restore.metadata.namespace}/${restore.metadata.name}`, undefined, undefined, 'restore');
  const results = new ResultsCollector();
  for (const reason of reasons) {
    log.error(phase === 'Failed' ? 'Restore failed' : 'Restore failed validation', { error: reason });
    if (phase === 'Failed') results.error('velero', reason);
  }
  restore.status.phase = phase;
  if (phase === 'Failed') {
    restore.status.failureReason = reasons.join('; ');
    restore.status.errors = reasons.length;
  } else restore.status.validationErrors = reasons;
  return { restore, log, results, resourceList: new RestoreResourceList(), preview: [] };
}

export async function createRestore(input: CreateRestoreInput): Promise<RestoreRun> {
  const restores = new StoredRestores(input.store);
  if (!input.dryRun && (await restores.exists(input.name))) throw new RestoreAlreadyExistsError(`restore "${input.name}" already exists in ${input.store.describe()}: choose another name`);
  const now = kubeNow();
  const restore: Restore = {
    apiVersion: 'velero.io/v1',
    kind: 'Restore',
    metadata: { name: input.name, namespace: input.veleroNamespace, ...(input.labels && Object.keys(input.labels).length ? { labels: input.labels } : {}), creationTimestamp: now },
    spec: input.spec,
    status: { phase: 'InProgress', startTimestamp: now },
  };
  const save = async (run: RestoreRun) => {
    run.restore.status.completionTimestamp ??= kubeNow();
    if (!input.dryRun) await restores.put(run.restore, { log: run.log.gzipped(), results: run.results.toJSON(), resourceList: run.resourceList, modifiers: input.modifiers?.text });
    return run;
  };

  const problems = validateRestoreSpec(input.spec);
  let modifiers;
  try {
    if (input.modifiers) modifiers = parseResourceModifiers(input.modifiers.text, input.modifiers.source);
  } catch (error) {
    problems.push((error as Error).message);
  }
  const backup = await new StoredBackups(input.store).find(input.spec.backupName);
  if (!backup) problems.push(`backup "${input.spec.backupName}" not found in ${input.store.describe()}: see kubectl velero backup get`);
  else if (backup.status.phase !== 'Completed' && backup.status.phase !== 'PartiallyFailed') problems.push(`backup "${backup.metadata.name}" is ${backup.status.phase}: only Completed or PartiallyFailed backups can be restored`);
  if (problems.length) return save(failedRun(restore, 'FailedValidation', problems));

  // Saved InProgress now, and renewed until the final save (see restore-heartbeat.ts), progress with it.
  const heartbeat = input.dryRun ? undefined : await startRestoreHeartbeat(restore, (r) => restores.putObject(r));
  let lastSave = Date.now();
  const onProgress = (done: number, total: number) => {
    input.onProgress?.(done, total);
    restore.status.progress = { totalItems: total, itemsRestored: done };
    if (!heartbeat || Date.now() - lastSave < (input.saveProgressEveryMs ?? 5000)) return;
    lastSave = Date.now();
    void heartbeat.save();
  };

  let run: RestoreRun;
  let staged: StagedBackup | undefined;
  try {
    staged = await StagedBackup.stage(await input.store.get(backupKeys(input.spec.backupName).tarball), input.archiveLimits);
    run = await runRestore({ restore, staged, client: input.client, concurrency: input.concurrency, dryRun: input.dryRun, modifiers, onProgress, podSteps: input.podSteps, claimsWithVolumeData: input.claimsWithVolumeData, nativeSnapshots: input.nativeSnapshots });
  } catch (error) {
    run = failedRun(restore, 'Failed', [error instanceof Error ? error.message : String(error)]);
  } finally {
    await staged?.dispose();
  }
  await heartbeat?.end();
  try {
    return await save(run);
  } catch (error) {
    // The store went away before the record could say how the restore ended: say both. The record
    // left InProgress stops beating, and readers show it Failed.
    const { errors } = run.results.toJSON();
    const first = [...(errors.velero ?? []), ...(errors.cluster ?? []), ...Object.values(errors.namespaces ?? {}).flat()].slice(0, 3);
    const outcome = run.restore.status.failureReason ? `the restore failed (${run.restore.status.failureReason})` : `the restore ended ${run.restore.status.phase}${first.length ? ` (${first.join('; ')})` : ''}`;
    throw new Error(`${outcome}, and its record could not be saved: ${(error as Error).message}`);
  }
}
