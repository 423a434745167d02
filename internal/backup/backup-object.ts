// The velero.io/v1 Backup object we write as velero-backup.json: the spec as the user asked for it
// (with the defaults Velero's server fills in) and the status of our run.
import { createHash, randomUUID } from 'node:crypto';
import type { LabelSelector } from './label-selector.ts';

import { ARCHIVE_FORMAT_VERSION } from '../archive/item-paths.ts';

export const BACKUP_FORMAT_VERSION = ARCHIVE_FORMAT_VERSION;
export const STORAGE_LOCATION_LABEL = 'velero.io/storage-location';

export interface BackupSpec {
  metadata?: { labels?: Record<string, string> };
  includedNamespaces?: string[];
  excludedNamespaces?: string[];
  includedResources?: string[];
  excludedResources?: string[];
  includedClusterScopedResources?: string[];
  excludedClusterScopedResources?: string[];
  includedNamespaceScopedResources?: string[];
  excludedNamespaceScopedResources?: string[];
  labelSelector?: LabelSelector;
  orLabelSelectors?: LabelSelector[];
  snapshotVolumes?: boolean;
  ttl?: string;
  includeClusterResources?: boolean;
  hooks?: { resources?: unknown[] };
  storageLocation?: string;
  volumeSnapshotLocations?: string[];
  defaultVolumesToFsBackup?: boolean;
  orderedResources?: Record<string, string>;
  csiSnapshotTimeout?: string;
  itemOperationTimeout?: string;
  /** Velero's volume policies: a ConfigMap (`kind: configmap`) in the Velero namespace. */
  resourcePolicy?: { kind: string; name: string };
  snapshotMoveData?: boolean;
}

export type BackupPhase = 'New' | 'FailedValidation' | 'InProgress' | 'Completed' | 'PartiallyFailed' | 'Failed';

export interface BackupStatus {
  version?: number;
  formatVersion?: string;
  expiration?: string;
  phase?: BackupPhase;
  validationErrors?: string[];
  startTimestamp?: string;
  completionTimestamp?: string;
  failureReason?: string;
  warnings?: number;
  errors?: number;
  progress?: { totalItems?: number; itemsBackedUp?: number };
  hookStatus?: { hooksAttempted?: number; hooksFailed?: number };
  volumeSnapshotsAttempted?: number;
  volumeSnapshotsCompleted?: number;
  csiVolumeSnapshotsAttempted?: number;
  csiVolumeSnapshotsCompleted?: number;
  backupItemOperationsAttempted?: number;
  backupItemOperationsCompleted?: number;
  backupItemOperationsFailed?: number;
  /** A Velero server's queue (Queued backups); ours never queue. */
  queuePosition?: number;
}

export interface Backup {
  apiVersion: 'velero.io/v1';
  kind: 'Backup';
  metadata: {
    name: string;
    namespace: string;
    uid?: string;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: BackupSpec;
  status: BackupStatus;
}

/** RFC 3339 in UTC to the second, as Kubernetes serialises metav1.Time. */
export function kubeTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function newBackup(input: { name: string; namespace: string; spec: BackupSpec; labels?: Record<string, string>; annotations?: Record<string, string>; now?: Date; ttlMs: number }): Backup {
  const now = input.now ?? new Date();
  const labels = { ...input.labels };
  if (input.spec.storageLocation) labels[STORAGE_LOCATION_LABEL] = validLabelValue(input.spec.storageLocation);
  return {
    apiVersion: 'velero.io/v1',
    kind: 'Backup',
    metadata: {
      name: input.name,
      namespace: input.namespace,
      uid: randomUUID(),
      creationTimestamp: kubeTime(now),
      labels,
      ...(input.annotations && Object.keys(input.annotations).length ? { annotations: input.annotations } : {}),
    },
    spec: input.spec,
    status: {
      version: 1,
      formatVersion: BACKUP_FORMAT_VERSION,
      phase: 'InProgress',
      expiration: kubeTime(new Date(now.getTime() + input.ttlMs)),
      startTimestamp: kubeTime(now),
    },
  };
}

/** The final phase from what happened: a fatal error fails the backup, any other error makes it partial. */
export function finalPhase(fatal: boolean, errors: number): BackupPhase {
  if (fatal) return 'Failed';
  return errors > 0 ? 'PartiallyFailed' : 'Completed';
}

export function completeBackup(backup: Backup, outcome: { phase: BackupPhase; warnings: number; errors: number; itemsBackedUp: number; totalItems: number; failureReason?: string; now?: Date }): Backup {
  const status: BackupStatus = {
    ...backup.status,
    phase: outcome.phase,
    completionTimestamp: kubeTime(outcome.now ?? new Date()),
    progress: { totalItems: outcome.totalItems, itemsBackedUp: outcome.itemsBackedUp },
  };
  // Go's omitempty: zero counts are left out of the JSON.
  if (outcome.warnings) status.warnings = outcome.warnings;
  else delete status.warnings;
  if (outcome.errors) status.errors = outcome.errors;
  else delete status.errors;
  if (outcome.failureReason) status.failureReason = outcome.failureReason;
  return { ...backup, status };
}

/** Velero's label.GetValidName: values over 63 characters become 57 characters plus 6 hex digits of their sha256. */
export function validLabelValue(value: string): string {
  if (value.length <= 63) return value;
  return value.slice(0, 57) + createHash('sha256').update(value).digest('hex').slice(0, 6);
}
