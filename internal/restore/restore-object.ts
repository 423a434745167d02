// The velero.io/v1 Restore object we keep in the storage location (restores/NAME/restore-NAME.json —
// our addition: without a server there is no cluster object to hold it).
export type RestorePhase = 'InProgress' | 'Completed' | 'PartiallyFailed' | 'Failed';
export type ExistingResourcePolicy = 'none' | 'update';

export interface RestoreSpec {
  backupName: string;
  includedNamespaces?: string[];
  excludedNamespaces?: string[];
  includedResources?: string[];
  excludedResources?: string[];
  includeClusterResources?: boolean;
  namespaceMapping?: Record<string, string>;
  existingResourcePolicy?: ExistingResourcePolicy;
  preserveNodePorts?: boolean;
}

export interface Restore {
  apiVersion: 'velero.io/v1';
  kind: 'Restore';
  metadata: { name: string; namespace: string; labels?: Record<string, string>; creationTimestamp?: string };
  spec: RestoreSpec;
  status: {
    phase: RestorePhase;
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

export const restoreKeys = (name: string) => ({
  dir: `restores/${name}/`,
  object: `restores/${name}/restore-${name}.json`,
  log: `restores/${name}/restore-${name}-logs.gz`,
  results: `restores/${name}/restore-${name}-results.gz`,
  resourceList: `restores/${name}/restore-${name}-resource-list.json.gz`,
});
