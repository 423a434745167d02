// The flags that say what a backup holds — Velero's backup template: filters, selectors, TTL,
// labels, hooks. `backup create` takes them for one backup, `schedule create` for every backup of
// the schedule (Velero binds the same flag set to both), so they are declared once, here.
import { Option } from 'clipanion';
import { type BackupCreateOptions, splitList } from '../../../internal/backup/spec.ts';
import type { LocationCommand } from '../../location-command.ts';
import { readHooksFile } from '../hooks-file.ts';
import { parseKeyValues, parseOptionalBool } from './flags.ts';

/** Any command class, abstract or not: what a flag mixin extends. */
export type AbstractCommand<T> = abstract new (...args: any[]) => T;

export interface BackupTemplate {
  options: BackupCreateOptions;
  /** Labels of the Backup (or Schedule) object itself. */
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export function withBackupTemplateFlags<TBase extends AbstractCommand<LocationCommand>>(Base: TBase) {
  abstract class WithBackupTemplateFlags extends Base {
    includeNamespaces = Option.Array('--include-namespaces', { description: 'namespaces to include (comma-separated; default *)' });
    excludeNamespaces = Option.Array('--exclude-namespaces', { description: 'namespaces to exclude' });
    includeResources = Option.Array('--include-resources', { description: 'resources to include (resource.group, short names or kinds)' });
    excludeResources = Option.Array('--exclude-resources', { description: 'resources to exclude' });
    includeClusterScoped = Option.Array('--include-cluster-scoped-resources', { description: 'cluster-scoped resources to include' });
    excludeClusterScoped = Option.Array('--exclude-cluster-scoped-resources', { description: 'cluster-scoped resources to exclude' });
    includeNamespaceScoped = Option.Array('--include-namespace-scoped-resources', { description: 'namespace-scoped resources to include' });
    excludeNamespaceScoped = Option.Array('--exclude-namespace-scoped-resources', { description: 'namespace-scoped resources to exclude' });
    includeClusterResources = Option.String('--include-cluster-resources', { tolerateBoolean: true, description: 'include cluster-scoped resources: true, false, or unset for auto' });
    selector = Option.String('-l,--selector', { description: 'only back up objects matching this label selector' });
    orSelector = Option.String('--or-selector', { description: 'back up objects matching any of these selectors: "a=b or c=d"' });
    orderedResources = Option.String('--ordered-resources', { description: 'back up these items first: "pods=ns1/pod1,ns1/pod2;persistentvolumes=pv4"' });
    ttl = Option.String('--ttl', { description: 'how long to keep the backup (default 720h0m0s)' });
    labels = Option.String('--labels', { description: 'labels for the backup: key=value,key2=value2' });
    annotations = Option.String('--annotations', { description: 'annotations for the backup: key=value' });
    snapshotVolumes = Option.String('--snapshot-volumes', { tolerateBoolean: true, description: 'take volume snapshots: CSI snapshots of claims whose driver has a VolumeSnapshotClass labelled velero.io/csi-volumesnapshot-class (default true)' });
    snapshotMoveData = Option.String('--snapshot-move-data', { tolerateBoolean: true, description: "move each CSI snapshot's data into the backup location's volume repository, then delete the snapshot" });
    csiSnapshotTimeout = Option.String('--csi-snapshot-timeout', { description: 'how long to wait for each CSI snapshot to be ready (default 10m)' });
    volumeSnapshotLocations = Option.String('--volume-snapshot-locations', { description: 'snapshot locations to use, at most one per provider: name1,name2' });
    defaultVolumesToFsBackup = Option.String('--default-volumes-to-fs-backup', { tolerateBoolean: true, description: 'use file-system backup for all volumes by default (recorded in the spec)' });
    resourcePolicies = Option.String('--resource-policies-configmap', { description: 'a ConfigMap in the Velero namespace holding volume policies (skip, snapshot or fs-backup volumes by size, class, driver, type, claim labels)' });
    hooksFile = Option.String('--hooks-file', { description: "Velero's backup hooks spec (YAML/JSON: resources with pre/post exec hooks); pod annotations still take priority" });

    /** The template the flags describe, for backups stored in `storageLocation`; a bad value is a BadFlagValueError. */
    backupTemplate(storageLocation: string): BackupTemplate {
      const labels = parseKeyValues('--labels', this.labels);
      return {
        options: {
          includeNamespaces: splitList(this.includeNamespaces),
          excludeNamespaces: splitList(this.excludeNamespaces),
          includeResources: splitList(this.includeResources),
          excludeResources: splitList(this.excludeResources),
          includeClusterScopedResources: splitList(this.includeClusterScoped),
          excludeClusterScopedResources: splitList(this.excludeClusterScoped),
          includeNamespaceScopedResources: splitList(this.includeNamespaceScoped),
          excludeNamespaceScopedResources: splitList(this.excludeNamespaceScoped),
          includeClusterResources: parseOptionalBool('--include-cluster-resources', this.includeClusterResources),
          selector: this.selector,
          orSelector: this.orSelector,
          orderedResources: this.orderedResources,
          ttl: this.ttl,
          storageLocation,
          snapshotVolumes: parseOptionalBool('--snapshot-volumes', this.snapshotVolumes),
          snapshotMoveData: parseOptionalBool('--snapshot-move-data', this.snapshotMoveData),
          csiSnapshotTimeout: this.csiSnapshotTimeout,
          volumeSnapshotLocations: splitList(this.volumeSnapshotLocations ? [this.volumeSnapshotLocations] : undefined),
          defaultVolumesToFsBackup: parseOptionalBool('--default-volumes-to-fs-backup', this.defaultVolumesToFsBackup),
          labels,
          hooks: readHooksFile(this.hooksFile),
          resourcePolicies: this.resourcePolicies || undefined,
        },
        labels,
        annotations: parseKeyValues('--annotations', this.annotations),
      };
    }
  }
  return WithBackupTemplateFlags;
}
