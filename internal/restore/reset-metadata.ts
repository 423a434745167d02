// Velero's resetMetadata plus the restore labels: what the server populated is dropped, what the
// user wrote (name, namespace, labels, annotations, finalizers) is kept. Status goes unless asked for.
import { createHash } from 'node:crypto';
import type { KubeObject } from '../kube/list.ts';

const DROPPED_METADATA = [
  'generateName', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp', 'deletionTimestamp',
  'deletionGracePeriodSeconds', 'ownerReferences', 'managedFields',
];

export const BACKUP_NAME_LABEL = 'velero.io/backup-name';
export const RESTORE_NAME_LABEL = 'velero.io/restore-name';

/** Velero's label.GetValidName: values over 63 characters become 57 characters + 6 hex of their sha256. */
export function validLabelValue(value: string): string {
  if (value.length <= 63) return value;
  return value.slice(0, 57) + createHash('sha256').update(value).digest('hex').slice(0, 6);
}

export function resetMetadata(item: KubeObject, opts: { backupName: string; restoreName: string; keepStatus: boolean }): KubeObject {
  const out = structuredClone(item) as KubeObject & { status?: unknown };
  const metadata = (out.metadata ?? {}) as Record<string, unknown>;
  for (const key of DROPPED_METADATA) delete metadata[key];
  const labels = { ...((metadata.labels as Record<string, string> | undefined) ?? {}) };
  labels[BACKUP_NAME_LABEL] = validLabelValue(opts.backupName);
  labels[RESTORE_NAME_LABEL] = validLabelValue(opts.restoreName);
  metadata.labels = labels;
  out.metadata = metadata as KubeObject['metadata'];
  if (!opts.keepStatus) delete out.status;
  return out;
}
