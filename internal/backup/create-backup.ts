// One `backup create`: the Backup object, the engine run into the target's tarball, then the
// results published with the final phase. A failure to write anywhere ends the backup Failed; its
// velero-backup.json (written last, and only when the tarball is whole) never says Completed.
import { completeBackup, finalPhase, newBackup, type Backup } from './backup-object.ts';
import { BackupLog } from './backup-log.ts';
import type { BackupTarget, VolumeFiles } from './backup-target.ts';
import { DEFAULT_ACTIONS, type BackupItemAction } from './actions/index.ts';
import type { ClusterSource } from './cluster-source.ts';
import { nsToMs, parseDuration } from './duration.ts';
import { SinkFailure } from './item-sink.ts';
import type { PodHooks, PodVolumes } from './item-backupper.ts';
import { ResourceList } from './resource-list.ts';
import { type BackupResults, ResultsCollector, scopeOf } from './results.ts';
import { runBackup, type BackupProgress } from './run-backup.ts';
import { buildBackupSpec, type BackupCreateOptions } from './spec.ts';

export class BackupExistsError extends Error {}
export class BackupValidationError extends Error {
  constructor(readonly errors: string[]) {
    super(`the backup spec is invalid:\n  ${errors.join('\n  ')}`);
  }
}

export interface CreateBackupInput {
  name: string;
  veleroNamespace: string;
  options: BackupCreateOptions;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  source: ClusterSource;
  target: BackupTarget;
  concurrency?: number;
  onProgress?(progress: BackupProgress): void;
  onLogLine?(line: string): void;
  /** The run's errors and warnings, as published (a caller prints the first ones). */
  onResults?(results: BackupResults): void;
  /** Per-backup pod steps (exec hooks, volume data), made once the Backup object exists. */
  podSteps?(backup: Backup, log: BackupLog): PodSteps;
  /** Aborted (Ctrl-C, SIGTERM): the backup stops, its partial tarball is removed and it is recorded Failed with the reason. */
  signal?: AbortSignal;
}

export interface SnapshotOutcome {
  files: VolumeFiles;
  status: Pick<Backup['status'], 'volumeSnapshotsAttempted' | 'volumeSnapshotsCompleted' | 'csiVolumeSnapshotsAttempted' | 'csiVolumeSnapshotsCompleted' | 'backupItemOperationsAttempted' | 'backupItemOperationsCompleted' | 'backupItemOperationsFailed'>;
}

/** The backup was stopped from outside (a signal); its message is the failure reason recorded. */
export class BackupInterruptedError extends Error {}

export interface PodSteps {
  hooks?: PodHooks;
  /** Volume snapshots: item actions on claims and snapshots, and what they recorded once the items are in. */
  snapshots?: {
    actions: readonly BackupItemAction[];
    /** After the items (`failed`: the backup will not be published): the files to publish, and the status counts. */
    finish(failed: boolean, report: { error(namespace: string | undefined, message: string): void }): Promise<SnapshotOutcome>;
    /**
     * Publishing failed after `finish`: no stored file names the storage snapshots it kept, so no
     * `backup delete` could ever find them. They are deleted now.
     */
    discard(outcome: SnapshotOutcome): Promise<void>;
  };
  volumes?: PodVolumes & {
    /** Stores what the volume backups recorded; runs before velero-backup.json is written. */
    finish(): Promise<void>;
  };
}

export async function createBackup(input: CreateBackupInput): Promise<Backup> {
  const spec = buildBackupSpec(input.options);
  let backup = newBackup({ name: input.name, namespace: input.veleroNamespace, spec, labels: input.labels, annotations: input.annotations, ttlMs: nsToMs(parseDuration(spec.ttl!)) });
  if (await input.target.exists(input.name)) throw new BackupExistsError(`backup "${input.name}" already exists in ${input.target.describe()}: choose another name or delete it first`);

  // From here until the final record is published, a heartbeat says the backup is running, so a
  // process killed outright leaves a backup that readers show as Failed, not nothing.
  let heartbeat;
  try {
    heartbeat = await input.target.begin(backup);
  } catch (error) {
    // The location takes no writes at all: Failed before anything runs in the cluster (no hooks run).
    return completeBackup(backup, { phase: 'Failed', warnings: 0, errors: 1, itemsBackedUp: 0, totalItems: 0, failureReason: `cannot write to ${input.target.describe()}: ${(error as Error).message}` });
  }
  const log = new BackupLog(`${input.veleroNamespace}/${input.name}`, input.onLogLine);
  const archive = input.target.openArchive(input.name);
  let result: Awaited<ReturnType<typeof runBackup>> | undefined;
  let failure: Error | undefined;
  const steps = input.podSteps?.(backup, log) ?? {};
  // An abort does not wait for the engine to notice: the run is raced against it, and what is
  // still in flight dies with the process once the Failed record is published.
  let onAbort: (() => void) | undefined;
  const interrupted = new Promise<never>((_, reject) => {
    onAbort = () => reject(new BackupInterruptedError(`interrupted (${String(input.signal?.reason ?? 'aborted')}) before the backup was complete`));
    if (input.signal?.aborted) onAbort();
    else input.signal?.addEventListener('abort', onAbort, { once: true });
  });
  interrupted.catch(() => undefined);
  try {
    const actions = steps.snapshots ? [...DEFAULT_ACTIONS, ...steps.snapshots.actions] : undefined;
    const running = runBackup({ backup, source: input.source, sink: archive.sink, log, concurrency: input.concurrency, onProgress: input.onProgress, podHooks: steps.hooks, podVolumes: steps.volumes, actions });
    // Once interrupted, the engine's own later failure (its requests cut) is of no interest.
    running.catch(() => undefined);
    result = await Promise.race([running, interrupted]);
    if (result.validationErrors.length) {
      await archive.abort(new Error('validation failed'));
      throw new BackupValidationError(result.validationErrors);
    }
    await Promise.race([archive.finish(), interrupted]);
  } catch (error) {
    if (error instanceof BackupValidationError) throw error;
    failure = error instanceof SinkFailure ? error : error instanceof Error ? error : new Error(String(error));
    log.error(`Backup failed: ${failure.message}`);
    await archive.abort(failure).catch(() => undefined);
  }

  const results = result?.results ?? new ResultsCollector();
  if (failure) results.error('velero', failure.message);
  // Snapshots are settled before the phase is: a backup that will not be published keeps none.
  let snapshots: SnapshotOutcome | undefined;
  if (steps.snapshots) {
    try {
      snapshots = await steps.snapshots.finish(failure !== undefined, {
        error: (namespace, message) => {
          log.error(message, { namespace });
          results.error(scopeOf(namespace), message);
        },
      });
    } catch (error) {
      results.error('velero', `volume snapshots: ${(error as Error).message}`);
    }
  }
  if (result?.excludedNamespaces?.length) backup.spec.excludedNamespaces = result.excludedNamespaces;
  if (result?.serverVersion) {
    backup.metadata.annotations = {
      ...backup.metadata.annotations,
      'velero.io/source-cluster-k8s-gitversion': result.serverVersion.gitVersion,
      'velero.io/source-cluster-k8s-major-version': result.serverVersion.major,
      'velero.io/source-cluster-k8s-minor-version': result.serverVersion.minor,
    };
  }
  const items = result?.itemsBackedUp ?? 0;
  backup = completeBackup(backup, {
    phase: finalPhase(failure !== undefined, results.errors),
    warnings: results.warnings,
    errors: results.errors,
    itemsBackedUp: items,
    totalItems: items,
    failureReason: failure?.message,
  });
  if (snapshots) backup.status = { ...backup.status, ...withoutZeros(snapshots.status) };
  log.info(`Backup completed with phase ${backup.status.phase}`);
  input.onResults?.(results.toJSON());
  if (onAbort) input.signal?.removeEventListener('abort', onAbort);
  try {
    // Interrupted: the volume records may be half made; the backup is Failed without them.
    if (!(failure instanceof BackupInterruptedError)) await steps.volumes?.finish();
    await input.target.publish({ backup, log: log.gzipped(), resourceList: result?.resourceList ?? new ResourceList(), results: results.toJSON(), volumes: snapshots?.files });
  } catch (error) {
    // The store refused even the small files: nothing is listed, and the caller reports Failed.
    if (backup.status.phase !== 'Failed') {
      backup = completeBackup(backup, { phase: 'Failed', warnings: results.warnings, errors: results.errors + 1, itemsBackedUp: items, totalItems: items, failureReason: `uploading the backup failed: ${(error as Error).message}` });
    }
    if (snapshots && steps.snapshots) {
      await steps.snapshots.discard(snapshots).catch((discardError: unknown) => log.error(`the volume snapshots of this unpublished backup could not all be deleted: ${(discardError as Error).message}`));
    }
  }
  result?.resourceList.close();
  // The published record speaks for the backup now. Were it not published, the record left behind
  // goes stale and readers show the backup Failed, which is what it is.
  await heartbeat.end().catch(() => undefined);
  return backup;
}

/** Go's omitempty: zero counts stay out of the JSON. */
function withoutZeros<T extends Record<string, number | undefined>>(counts: T): Partial<T> {
  return Object.fromEntries(Object.entries(counts).filter(([, v]) => v)) as Partial<T>;
}
