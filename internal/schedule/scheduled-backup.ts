// The backup a schedule takes: its name, labels and annotations as Velero's builder derives them
// (BackupBuilder.FromSchedule), and its template turned back into the options `backup create`
// builds a spec from, so scheduled backups go through exactly the same engine.
import type { BackupSpec } from '../backup/backup-object.ts';
import { selectorToString } from '../backup/label-selector.ts';
import type { BackupCreateOptions } from '../backup/spec.ts';
import { SCHEDULE_NAME_LABEL, type Schedule, timestampedName } from './schedule-object.ts';

export interface ScheduledBackup {
  schedule: string;
  /** The Velero namespace of the schedule, which its backups belong to. */
  namespace: string;
  /** `<schedule>-<yyyyMMddHHmmss>` of `at`, in UTC. */
  name: string;
  at: Date;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  options: BackupCreateOptions;
}

/** The options that buildBackupSpec turns into this very spec. */
export function optionsFromTemplate(template: BackupSpec, storageLocation: string): BackupCreateOptions {
  return {
    includeNamespaces: template.includedNamespaces,
    excludeNamespaces: template.excludedNamespaces,
    includeResources: template.includedResources,
    excludeResources: template.excludedResources,
    includeClusterScopedResources: template.includedClusterScopedResources,
    excludeClusterScopedResources: template.excludedClusterScopedResources,
    includeNamespaceScopedResources: template.includedNamespaceScopedResources,
    excludeNamespaceScopedResources: template.excludedNamespaceScopedResources,
    includeClusterResources: template.includeClusterResources,
    selector: template.labelSelector ? selectorToString(template.labelSelector) || undefined : undefined,
    orSelector: template.orLabelSelectors?.length ? template.orLabelSelectors.map((s) => selectorToString(s)).join(' or ') : undefined,
    orderedResources: template.orderedResources ? Object.entries(template.orderedResources).map(([kind, items]) => `${kind}=${items}`).join(';') || undefined : undefined,
    ttl: template.ttl,
    // The location the schedule lives in is where its backups go.
    storageLocation,
    volumeSnapshotLocations: template.volumeSnapshotLocations,
    snapshotVolumes: template.snapshotVolumes,
    snapshotMoveData: template.snapshotMoveData,
    defaultVolumesToFsBackup: template.defaultVolumesToFsBackup,
    csiSnapshotTimeout: template.csiSnapshotTimeout,
    itemOperationTimeout: template.itemOperationTimeout,
    resourcePolicies: template.resourcePolicy?.name,
    labels: template.metadata?.labels,
    hooks: template.hooks,
  };
}

/**
 * The backup of `schedule` taken at `at`. Labels: the template's metadata labels when it has
 * them, else the schedule's own, plus velero.io/schedule-name; annotations: the schedule's.
 */
export function scheduledBackup(schedule: Schedule, at: Date, storageLocation: string): ScheduledBackup {
  const name = schedule.metadata.name;
  const labels = { ...(schedule.spec.template.metadata?.labels ?? schedule.metadata.labels ?? {}), [SCHEDULE_NAME_LABEL]: name };
  return {
    schedule: name,
    namespace: schedule.metadata.namespace,
    name: timestampedName(name, at),
    at,
    labels,
    ...(schedule.metadata.annotations ? { annotations: schedule.metadata.annotations } : {}),
    options: optionsFromTemplate(schedule.spec.template, storageLocation),
  };
}
