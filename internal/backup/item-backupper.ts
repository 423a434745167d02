// Backs up one item: Velero's inclusion checks, once per group/resource/namespace/name, item actions
// (which may change it and pull in related items, fetched from the cluster), then the archive write.
import type { NamespaceFilter } from '../collections/namespace-filter.ts';
import type { ResourceFilter } from '../collections/resource-filter.ts';
import type { ActionContext, BackupItemAction, ItemRef } from './actions/index.ts';
import type { BackupLog } from './backup-log.ts';
import type { ApiResource, ClusterSource, KubeObject } from './cluster-source.ts';
import type { ItemSink } from './item-sink.ts';
import { rawJsonOf } from '../kube/list.ts';
import { ItemKeys } from './item-keys.ts';
import { describeError, isForbidden } from './list-errors.ts';
import type { ResourceList } from './resource-list.ts';
import { scopeOf, type ResultsCollector } from './results.ts';

export const EXCLUDE_FROM_BACKUP_LABEL = 'velero.io/exclude-from-backup';
const MUST_INCLUDE_ANNOTATION = 'backup.velero.io/must-include-additional-items';

export interface ItemBackupperDeps {
  backupName: string;
  source: ClusterSource;
  sink: ItemSink;
  namespaces: NamespaceFilter;
  resources: ResourceFilter;
  /** Discovery's answer for a group resource (`persistentvolumes`), undefined when not served. */
  resourceFor(groupResource: string): ApiResource | undefined;
  actions: readonly BackupItemAction[];
  log: BackupLog;
  results: ResultsCollector;
  resourceList: ResourceList;
  /** Called after each item written. */
  onItemWritten?(): void;
  /** Velero's backup exec hooks around each pod (internal/hooks): pre before the pod, post after its volumes. */
  podHooks?: PodHooks;
  /** File-system backup of a pod's selected volumes (internal/volumes), after the pod and its PVCs are written. */
  podVolumes?: PodVolumes;
}

/** Where a pod step reports what went wrong without stopping the backup. */
export interface StepReport {
  warn(message: string): void;
  error(message: string): void;
}

export interface PodHooks {
  /** Runs the pod's hooks of `phase`; throws BackupAbort when a hook with on-error Fail fails. */
  run(phase: 'pre' | 'post', pod: KubeObject, report: StepReport): Promise<void>;
}

export interface PodVolumes {
  /** Backs up the pod's selected volumes; failures go to `report`, a BackupAbort stops the backup. */
  backup(pod: KubeObject, report: StepReport): Promise<void>;
}

/** Stops the whole backup (it ends Failed) — e.g. a hook with on-error: Fail, or the repository unwritable. */
export class BackupAbort extends Error {}

export class ItemBackupper {
  private readonly seen = new ItemKeys();
  private crbs: Promise<KubeObject[]> | undefined;
  /** Group resources with at least one item written (custom resources bring their CRD). */
  readonly writtenGroupResources = new Set<string>();
  itemsWritten = 0;
  additionalItemsFetched = 0;

  constructor(private readonly deps: ItemBackupperDeps) {}

  /** Whether an item with this identity was already taken (listing dedupes with it too). */
  has(groupResource: string, namespace: string | undefined, name: string): boolean {
    return this.seen.has(groupResource, namespace, name);
  }

  /** True when the item is in the backup (now or before). Throws only when the archive write fails. */
  async backupItem(item: KubeObject, resource: ApiResource, mustInclude = false): Promise<boolean> {
    const { namespace, name } = item.metadata;
    const gr = resource.groupResource;
    if (!this.passesInclusionChecks(item, gr, mustInclude)) return false;
    if (this.seen.has(gr, namespace, name)) return true;
    this.seen.add(gr, namespace, name);

    const isPod = gr === 'pods' && (this.deps.podHooks || this.deps.podVolumes);
    const report = isPod ? this.stepReport(namespace) : undefined;
    if (isPod) await this.deps.podHooks?.run('pre', item, report!);
    try {
      return await this.writeItem(item, resource);
    } finally {
      if (isPod) {
        // Velero's order: pre hook, the pod and what its actions pull in (PVCs, PVs), its volume data, post hook.
        try {
          await this.deps.podVolumes?.backup(item, report!);
        } finally {
          await this.deps.podHooks?.run('post', item, report!);
        }
      }
    }
  }

  private async writeItem(item: KubeObject, resource: ApiResource): Promise<boolean> {
    const { namespace, name } = item.metadata;
    const gr = resource.groupResource;
    let current = item;
    let acted = false;
    for (const action of this.deps.actions) {
      if (!action.appliesTo.includes(gr)) continue;
      acted = true;
      let additional: ItemRef[];
      try {
        ({ item: current, additionalItems: additional } = await action.execute(current, this.actionContext()));
      } catch (error) {
        this.seen.delete(gr, namespace, name);
        this.recordError(namespace, `error executing custom action ${action.name} (groupResource=${gr}, namespace=${namespace ?? ''}, name=${name}): ${describeError(error)}`);
        return false;
      }
      const mustIncludeMore = current.metadata.annotations?.[MUST_INCLUDE_ANNOTATION] === 'true';
      for (const ref of additional) await this.backupAdditional(ref, mustIncludeMore);
    }

    // As listed, when no action had it: the server's own text (no second serialisation, and numbers
    // kept digit for digit); an action may have changed the object, so that one is serialised.
    const json = (!acted && rawJsonOf(item)) || JSON.stringify(current);
    const version = current.apiVersion.slice(current.apiVersion.lastIndexOf('/') + 1);
    await this.deps.sink.addItem({ groupResource: gr, version, preferred: version === resource.version, namespace, name }, json);
    this.deps.resourceList.add(current.apiVersion, current.kind, namespace, name);
    this.writtenGroupResources.add(gr);
    this.itemsWritten++;
    this.deps.onItemWritten?.();
    return true;
  }

  private passesInclusionChecks(item: KubeObject, gr: string, mustInclude: boolean): boolean {
    const { namespace, labels, deletionTimestamp } = item.metadata;
    if (!mustInclude) {
      if (labels?.[EXCLUDE_FROM_BACKUP_LABEL] === 'true') return false;
      if (namespace && !this.deps.namespaces.shouldInclude(namespace)) return false;
      if (!namespace && gr !== 'namespaces' && this.deps.resources.shouldExclude(gr)) return false;
      if (namespace && !this.deps.resources.shouldInclude(gr)) return false;
    }
    return !deletionTimestamp;
  }

  /** An item an action asked for: fetched from the cluster; a missing one is a warning, as in Velero. */
  private async backupAdditional(ref: ItemRef, mustInclude: boolean): Promise<void> {
    if (this.has(ref.groupResource, ref.namespace, ref.name)) return;
    const resource = this.deps.resourceFor(ref.groupResource);
    if (!resource) {
      this.recordError(ref.namespace, `additional item ${ref.groupResource} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}: resource not served by the cluster`);
      return;
    }
    let item: KubeObject | undefined;
    try {
      item = await this.deps.source.get(resource, ref.namespace, ref.name);
    } catch (error) {
      const message = `cannot get additional item ${ref.groupResource} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}: ${describeError(error)}`;
      if (isForbidden(error)) this.recordWarning(ref.namespace, message);
      else this.recordError(ref.namespace, message);
      return;
    }
    if (!item) {
      this.recordWarning(ref.namespace, `Additional item was not found in Kubernetes API, can't back it up: ${ref.groupResource} ${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`);
      return;
    }
    this.additionalItemsFetched++;
    await this.backupItem(item, resource, mustInclude);
  }

  private actionContext(): ActionContext {
    return {
      backupName: this.deps.backupName,
      clusterRoleBindings: () => (this.crbs ??= this.listClusterRoleBindings()),
      error: (namespace, message) => this.recordError(namespace, message),
    };
  }

  private async listClusterRoleBindings(): Promise<KubeObject[]> {
    const resource = this.deps.resourceFor('clusterrolebindings.rbac.authorization.k8s.io');
    if (!resource) return [];
    const out: KubeObject[] = [];
    try {
      for await (const crb of this.deps.source.list(resource)) out.push(crb);
    } catch (error) {
      this.recordWarning(undefined, `cannot list clusterrolebindings to find those of service accounts: ${describeError(error)}`);
    }
    return out;
  }

  private stepReport(namespace: string | undefined): StepReport {
    return { warn: (m) => this.recordWarning(namespace, m), error: (m) => this.recordError(namespace, m) };
  }

  recordWarning(namespace: string | undefined, message: string): void {
    this.deps.log.warn(message, { namespace });
    this.deps.results.warn(scopeOf(namespace), message);
  }

  recordError(namespace: string | undefined, message: string): void {
    this.deps.log.error(message, { namespace });
    this.deps.results.error(scopeOf(namespace), message);
  }
}
