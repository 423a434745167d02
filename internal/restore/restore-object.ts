// The velero.io/v1 Restore object. Without a server there is no cluster object to hold it, so it
// is kept in the storage location next to Velero's restore files: restores/NAME/restore-NAME.json
// (our addition to Velero's layout, like the resource-modifiers copy below).
import type { LabelSelector } from '../backup/label-selector.ts';

export type RestorePhase = 'New' | 'FailedValidation' | 'InProgress' | 'Completed' | 'PartiallyFailed' | 'Failed';
export type ExistingResourcePolicy = 'none' | 'update';

export interface RestoreSpec {
  backupName: string;
  scheduleName?: string;
  includedNamespaces?: string[];
  excludedNamespaces?: string[];
  includedResources?: string[];
  excludedResources?: string[];
  includeClusterResources?: boolean;
  namespaceMapping?: Record<string, string>;
  labelSelector?: LabelSelector;
  orLabelSelectors?: LabelSelector[];
  restoreStatus?: { includedResources?: string[]; excludedResources?: string[] };
  existingResourcePolicy?: ExistingResourcePolicy;
  preserveNodePorts?: boolean;
  restorePVs?: boolean;
  /** Velero's ConfigMap reference; a client-side --resource-modifiers file is recorded as kind "File". */
  resourceModifier?: { kind: string; name: string; apiGroup?: string };
  /** Velero's restore hooks (`resources: [...]` with postHooks of exec or init). */
  hooks?: { resources?: unknown[] };
}

export interface Restore {
  apiVersion: 'velero.io/v1';
  kind: 'Restore';
  metadata: { name: string; namespace: string; labels?: Record<string, string>; annotations?: Record<string, string>; creationTimestamp?: string };
  spec: RestoreSpec;
  status: {
    phase: RestorePhase;
    validationErrors?: string[];
    startTimestamp?: string;
    completionTimestamp?: string;
    progress?: { totalItems: number; itemsRestored: number };
    warnings?: number;
    errors?: number;
    failureReason?: string;
  };
}

/** Velero's default restore name: `<backup>-<yyyyMMddHHmmss>` (UTC). */
export function defaultRestoreName(backupName: string, now = new Date()): string {
  return `${backupName}-${now.toISOString().replace(/[-:T]/g, '').slice(0, 14)}`;
}


export function kubeNow(date = new Date()): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
