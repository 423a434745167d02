// Velero's resetMetadata and addRestoreLabels: what the server populated is dropped, what the user
// wrote (name, namespace, labels, annotations, finalizers) is kept; every restored object is
// labelled with the backup and restore names (cut to a valid label value).
import { createHash } from 'node:crypto';
import type { KubeObject } from '../kube/list.ts';

/** Velero's list (pkg/restore/restore.go resetMetadata). */
export const RESET_METADATA_FIELDS = [
  'generateName', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp',
  'deletionGracePeriodSeconds', 'ownerReferences',
];

export const BACKUP_NAME_LABEL = 'velero.io/backup-name';
export const RESTORE_NAME_LABEL = 'velero.io/restore-name';

/** Velero's label.GetValidName: values over 63 characters become 57 characters + 6 hex of their sha256. */
export function validLabelValue(value: string): string {
  if (value.length <= 63) return value;
  return value.slice(0, 57) + createHash('sha256').update(value).digest('hex').slice(0, 6);
}

/** A copy without the reset fields and without status. managedFields stay: item actions read them. */
export function resetMetadataAndStatus(item: KubeObject): KubeObject {
  const out = structuredClone(item) as KubeObject & { status?: unknown };
  const metadata = (out.metadata ?? {}) as Record<string, unknown>;
  for (const key of RESET_METADATA_FIELDS) delete metadata[key];
  out.metadata = metadata as KubeObject['metadata'];
  delete out.status;
  return out;
}

export function addRestoreLabels(item: KubeObject, backupName: string, restoreName: string): KubeObject {
  const labels = { ...(item.metadata.labels ?? {}), [BACKUP_NAME_LABEL]: validLabelValue(backupName), [RESTORE_NAME_LABEL]: validLabelValue(restoreName) };
  return { ...item, metadata: { ...item.metadata, labels } };
}

export function withoutRestoreLabels<T extends KubeObject>(item: T): T {
  const labels = { ...(item.metadata.labels ?? {}) };
  delete labels[BACKUP_NAME_LABEL];
  delete labels[RESTORE_NAME_LABEL];
  const metadata = { ...item.metadata, labels };
  if (Object.keys(labels).length === 0) delete (metadata as { labels?: unknown }).labels;
  return { ...item, metadata };
}
