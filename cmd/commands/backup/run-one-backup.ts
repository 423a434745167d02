// One backup from this machine, wired the one way `backup create` runs it and `schedule run` runs
// each due backup: the cluster checked reachable first and ridden through API server restarts,
// the volume policies read, the hook and volume-data steps, the progress line on a terminal, and
// the summary printed after.
import type { Writable } from 'node:stream';
import type { Backup } from '../../../internal/backup/backup-object.ts';
import { createBackup } from '../../../internal/backup/create-backup.ts';
import type { BackupResults } from '../../../internal/backup/results.ts';
import type { BackupCreateOptions } from '../../../internal/backup/spec.ts';
import { KubeClusterSource } from '../../../internal/kube/cluster-source.ts';
import { type KubeTarget, loadKubeConfig } from '../../../internal/kube/kubeconfig.ts';
import { VolumeActionLookup } from '../../../internal/volumes/volume-action-lookup.ts';
import { connectForRun } from '../api-connection.ts';
import { firstErrors } from '../results-lines.ts';
import { formatBytes, podExec } from '../volume-options.ts';
import { ProgressLine } from './flags.ts';
import { backupHooks } from './hook-steps.ts';
import type { OpenedStore } from './open-store.ts';
import type { BackupRunSettings } from './run-flags.ts';
import { snapshotStep } from './snapshot-steps.ts';
import { readVolumePolicies } from './volume-policies.ts';
import { volumeBackupStep } from './volume-steps.ts';

export interface OneBackup {
  name: string;
  veleroNamespace: string;
  options: BackupCreateOptions;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  store: OpenedStore;
  kube: KubeTarget;
  settings: BackupRunSettings;
  /** Where progress and waiting notes go. */
  stderr: Writable;
  /** Aborted: the backup stops and is recorded Failed ("interrupted"). */
  signal?: AbortSignal;
}

export interface BackupRun {
  backup: Backup;
  results?: BackupResults;
}

/** Runs the backup to its end; throws only when it could not start (bad spec, name taken, cluster unreachable). */
export async function runOneBackup(input: OneBackup): Promise<BackupRun> {
  const { store, settings } = input;
  const kc = await loadKubeConfig(input.kube);
  const progress = new ProgressLine(input.stderr, Boolean((input.stderr as { isTTY?: boolean }).isTTY));
  const { client, close } = await connectForRun(kc, { concurrency: settings.concurrency, reconnectTimeout: settings.reconnectTimeout, note: (line) => progress.note(line) });
  let volumeBytes = 0;
  const volumes = volumeBackupStep({ kc, store: store.store, location: store.location, encryptionKey: settings.encryptionKey, onBytes: (b) => (volumeBytes = b) });
  const snapshots = snapshotStep(client, settings.helperImage);
  let results: BackupResults | undefined;
  try {
    const policyName = input.options.resourcePolicies;
    const policies = policyName ? await readVolumePolicies(client, input.veleroNamespace, policyName) : undefined;
    const backup = await createBackup({
      onResults: (r) => (results = r),
      signal: input.signal,
      name: input.name,
      veleroNamespace: input.veleroNamespace,
      options: input.options,
      labels: input.labels,
      annotations: input.annotations,
      source: new KubeClusterSource(client, settings.pageSize),
      target: store.target,
      concurrency: settings.concurrency,
      onProgress: (p) => progress.update(() => `Backup in progress: ${p.itemsBackedUp} items backed up (${p.totalItems} found so far)${volumeBytes ? `, ${formatBytes(volumeBytes)} of volume data` : ''}`),
      podSteps: (backup, log) => {
        // The volume policies, resolved against the cluster once per backup, decide for each engine.
        const lookup = policies && new VolumeActionLookup(policies, client, log);
        const volumeStep = volumes(backup, log, lookup && ((pod, volume) => lookup.ofPodVolume(pod, volume)));
        const snapshotsStep = snapshots(backup, log, volumeStep.backupFrom, lookup && ((volume) => lookup.ofVolume(volume)));
        return { hooks: backupHooks(backup, log, podExec(kc)), volumes: volumeStep, snapshots: snapshotsStep };
      },
    });
    return { backup, results };
  } finally {
    progress.done();
    close();
  }
}

/** What a finished backup says on the terminal: one line, then why it did not complete, if it did not. */
export function reportBackup(out: { stdout: Writable; stderr: Writable }, run: BackupRun, where: string): void {
  const { backup, results } = run;
  const name = backup.metadata.name;
  const { phase, warnings = 0, errors = 0, progress: counts } = backup.status;
  out.stdout.write(`Backup "${name}" ${phase === 'Completed' ? 'completed' : `finished with phase ${phase}`}: ${counts?.itemsBackedUp ?? 0} items, ${errors} errors, ${warnings} warnings, stored in ${where}.\n`);
  if (phase === 'PartiallyFailed') for (const line of firstErrors(results?.errors ?? {}, 5)) out.stderr.write(`error: ${line}\n`);
  if (phase !== 'Completed') out.stdout.write(`Run \`kubectl velero backup describe ${name}\` and \`kubectl velero backup logs ${name}\` for details.\n`);
  if (backup.status.failureReason) out.stderr.write(`error: ${backup.status.failureReason}\n`);
}
