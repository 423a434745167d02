// `backup create` flags → a BackupSpec, with the defaults Velero's server fills in, and the
// validation Velero's backup controller does before it starts (FailedValidation when it fails).
import { validateIncludesExcludes, validateScopedIncludesExcludes } from '../collections/includes-excludes.ts';
import { validateNamespaceIncludesExcludes } from '../collections/namespace-filter.ts';
import type { BackupSpec } from './backup-object.ts';
import { formatDuration, parseDuration } from './duration.ts';
import { parseLabelSelector, parseOrSelectors } from './label-selector.ts';

export interface BackupCreateOptions {
  /** Velero's spec.hooks (`resources: [...]`), e.g. from --hooks-file. */
  hooks?: { resources?: unknown[] };
  includeNamespaces?: string[];
  excludeNamespaces?: string[];
  includeResources?: string[];
  excludeResources?: string[];
  includeClusterScopedResources?: string[];
  excludeClusterScopedResources?: string[];
  includeNamespaceScopedResources?: string[];
  excludeNamespaceScopedResources?: string[];
  includeClusterResources?: boolean;
  selector?: string;
  orSelector?: string;
  orderedResources?: string;
  ttl?: string;
  storageLocation: string;
  volumeSnapshotLocations?: string[];
  snapshotVolumes?: boolean;
  snapshotMoveData?: boolean;
  defaultVolumesToFsBackup?: boolean;
  csiSnapshotTimeout?: string;
  itemOperationTimeout?: string;
  /** --resource-policies-configmap: the ConfigMap of volume policies, in the Velero namespace. */
  resourcePolicies?: string;
  labels?: Record<string, string>;
}

export const DEFAULT_TTL = '720h0m0s';

export class BadFlagError extends Error {}

/** Velero's --ordered-resources: `pods=ns1/pod1,ns1/pod2;persistentvolumes=pv4,pv8`. */
export function parseOrderedResources(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of text.split(';').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0 || eq === part.length - 1) throw new BadFlagError(`invalid --ordered-resources entry "${part}": use resource=ns/name,ns/name;resource2=name`);
    out[part.slice(0, eq).trim().toLowerCase()] = part.slice(eq + 1).trim();
  }
  return out;
}

/** Comma-separated flag values, repeated flags allowed: `-a x,y -a z`. */
export function splitList(values: string[] | undefined): string[] | undefined {
  if (!values?.length) return undefined;
  const out = values.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  return out.length ? out : undefined;
}

const nonEmpty = <T>(list: T[] | undefined): T[] | undefined => (list && list.length ? list : undefined);

export function buildBackupSpec(o: BackupCreateOptions): BackupSpec {
  // Velero's server gives a TTL of 0 the default TTL (prepareBackupRequest); it never means "expired at once".
  const ttl = formatDuration(parseDuration(o.ttl ?? DEFAULT_TTL) || parseDuration(DEFAULT_TTL));
  const spec: BackupSpec = {
    ...(o.labels && Object.keys(o.labels).length ? { metadata: { labels: o.labels } } : {}),
    includedNamespaces: nonEmpty(o.includeNamespaces) ?? ['*'],
    excludedNamespaces: nonEmpty(o.excludeNamespaces),
    includedResources: nonEmpty(o.includeResources),
    excludedResources: nonEmpty(o.excludeResources),
    includedClusterScopedResources: nonEmpty(o.includeClusterScopedResources),
    excludedClusterScopedResources: nonEmpty(o.excludeClusterScopedResources),
    includedNamespaceScopedResources: nonEmpty(o.includeNamespaceScopedResources),
    excludedNamespaceScopedResources: nonEmpty(o.excludeNamespaceScopedResources),
    labelSelector: o.selector ? parseLabelSelector(o.selector) : undefined,
    orLabelSelectors: o.orSelector ? parseOrSelectors(o.orSelector) : undefined,
    snapshotVolumes: o.snapshotVolumes,
    ttl,
    includeClusterResources: o.includeClusterResources,
    hooks: o.hooks ?? {},
    storageLocation: o.storageLocation,
    volumeSnapshotLocations: nonEmpty(o.volumeSnapshotLocations),
    defaultVolumesToFsBackup: o.defaultVolumesToFsBackup ?? false,
    orderedResources: o.orderedResources ? parseOrderedResources(o.orderedResources) : undefined,
    csiSnapshotTimeout: formatDuration(parseDuration(o.csiSnapshotTimeout ?? '10m')),
    itemOperationTimeout: formatDuration(parseDuration(o.itemOperationTimeout ?? '4h')),
    resourcePolicy: o.resourcePolicies ? { kind: 'configmap', name: o.resourcePolicies } : undefined,
    snapshotMoveData: o.snapshotMoveData ?? false,
  };
  // Go's omitempty: absent, not null.
  for (const key of Object.keys(spec) as (keyof BackupSpec)[]) if (spec[key] === undefined) delete spec[key];
  return spec;
}

/** Old filters (includedResources/excludedResources/includeClusterResources) are in use. */
export function usesOldResourceFilters(spec: BackupSpec): boolean {
  return spec.includeClusterResources !== undefined || !!spec.includedResources?.length || !!spec.excludedResources?.length;
}

function usesNewResourceFilters(spec: BackupSpec): boolean {
  return !!(spec.includedClusterScopedResources?.length || spec.excludedClusterScopedResources?.length || spec.includedNamespaceScopedResources?.length || spec.excludedNamespaceScopedResources?.length);
}

/** Velero's validation messages; any message means FailedValidation. */
export function validateBackupSpec(spec: BackupSpec): string[] {
  const errors: string[] = [];
  if (usesOldResourceFilters(spec) && usesNewResourceFilters(spec)) {
    errors.push(
      'include-resources, exclude-resources and include-cluster-resources are old filter parameters.\n' +
        'include-cluster-scoped-resources, exclude-cluster-scoped-resources, include-namespace-scoped-resources and exclude-namespace-scoped-resources are new filter parameters.\n' +
        'They cannot be used together',
    );
  }
  if (usesOldResourceFilters(spec)) {
    for (const e of validateIncludesExcludes(spec.includedResources, spec.excludedResources)) errors.push(`Invalid included/excluded resource lists: ${e}`);
  } else {
    for (const e of validateScopedIncludesExcludes(spec.includedClusterScopedResources, spec.excludedClusterScopedResources)) errors.push(`Invalid cluster-scoped included/excluded resource lists: ${e}`);
    for (const e of validateScopedIncludesExcludes(spec.includedNamespaceScopedResources, spec.excludedNamespaceScopedResources)) errors.push(`Invalid namespace-scoped included/excluded resource lists: ${e}`);
  }
  for (const e of validateNamespaceIncludesExcludes(spec.includedNamespaces, spec.excludedNamespaces)) errors.push(`Invalid included/excluded namespace lists: ${e}`);
  if (spec.labelSelector && spec.orLabelSelectors) errors.push('encountered labelSelector as well as orLabelSelectors in backup spec, only one can be specified');
  return errors;
}
