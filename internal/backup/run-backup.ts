// The backup engine: discovery → filters → parallel paginated lists → item backupper → sink, then
// the namespaces of what was collected and the CRDs of custom resources. Items stream straight into
// the sink; memory holds one page per lister, the set of item keys, and the namespace objects.
import { DiscoveryResolver } from '../collections/resource-resolver.ts';
import { NamespaceFilter } from '../collections/namespace-filter.ts';
import { GlobalResourceFilter, ScopedResourceFilter, type ResourceFilter } from '../collections/resource-filter.ts';
import { DEFAULT_ACTIONS, type BackupItemAction } from './actions/index.ts';
import type { Backup } from './backup-object.ts';
import type { BackupLog } from './backup-log.ts';
import type { ApiResource, ClusterSource, KubeObject } from './cluster-source.ts';
import { BackupAbort, EXCLUDE_FROM_BACKUP_LABEL, ItemBackupper, type PodHooks, type PodVolumes } from './item-backupper.ts';
import { serialSink, SinkFailure, type ItemSink } from './item-sink.ts';
import { describeError, isForbidden } from './list-errors.ts';
import { selectorMatches } from './label-selector.ts';
import { planListTasks, sortByOrder, type ListTask } from './plan.ts';
import { ResourceList } from './resource-list.ts';
import { ResultsCollector } from './results.ts';
import { EXTERNAL_BUDGET_BYTES, GcPacer } from '../runtime/gc-pacer.ts';
import { usesOldResourceFilters, validateBackupSpec } from './spec.ts';

export interface BackupProgress {
  itemsBackedUp: number;
  totalItems: number;
}

export interface BackupRunInput {
  backup: Backup;
  source: ClusterSource;
  sink: ItemSink;
  log: BackupLog;
  concurrency?: number;
  actions?: readonly BackupItemAction[];
  onProgress?(progress: BackupProgress): void;
  podHooks?: PodHooks;
  podVolumes?: PodVolumes;
}

export interface BackupRunResult {
  validationErrors: string[];
  itemsBackedUp: number;
  results: ResultsCollector;
  resourceList: ResourceList;
  /** The spec as run: namespaces labelled velero.io/exclude-from-backup=true join excludedNamespaces. */
  excludedNamespaces?: string[];
  serverVersion?: { gitVersion: string; major: string; minor: string };
}

const CRDS = 'customresourcedefinitions.apiextensions.k8s.io';

export async function runBackup(input: BackupRunInput): Promise<BackupRunResult> {
  const { backup, source, log } = input;
  const spec = backup.spec;
  const results = new ResultsCollector();
  const resourceList = new ResourceList();
  const validationErrors = validateBackupSpec(spec);
  if (validationErrors.length) return { validationErrors, itemsBackedUp: 0, results, resourceList };

  log.info('Setting up backup', { storageLocation: spec.storageLocation });
  const discovery = await source.discover();
  for (const failed of discovery.failedGroups) {
    log.warn(`Failed to discover group: ${failed.groupVersion}: ${failed.message}`);
    results.warn('velero', `Failed to discover group ${failed.groupVersion}: ${failed.message}`);
  }
  const byGroupResource = new Map(discovery.resources.map((r) => [r.groupResource, r]));
  const resolver = new DiscoveryResolver(discovery.resources);

  // Namespaces first: wildcard expansion and velero.io/exclude-from-backup need the list that exists.
  const namespaceObjects = await listNamespaces(source, byGroupResource.get('namespaces'), log, results);
  const labelledOut = namespaceObjects.filter((ns) => ns.metadata.labels?.[EXCLUDE_FROM_BACKUP_LABEL] === 'true').map((ns) => ns.metadata.name);
  const excludedNamespaces = [...new Set([...(spec.excludedNamespaces ?? []), ...labelledOut])];
  const namespaces = new NamespaceFilter(spec.includedNamespaces?.length ? spec.includedNamespaces : ['*'], excludedNamespaces);
  namespaces.expand(namespaceObjects.map((ns) => ns.metadata.name));
  log.info(`Including namespaces: ${namespaces.includesString()}`);
  log.info(`Excluding namespaces: ${namespaces.excludesString()}`);
  for (const name of spec.includedNamespaces ?? []) {
    if (name !== '*' && !name.match(/[*?[]/) && namespaceObjects.length && !namespaceObjects.some((ns) => ns.metadata.name === name)) {
      log.error(`fail to get the namespace ${name} specified in backup.Spec.IncludedNamespaces`);
    }
  }

  const filter: ResourceFilter = usesOldResourceFilters(spec)
    ? new GlobalResourceFilter(resolver, spec.includedResources, spec.excludedResources, spec.includeClusterResources, namespaces)
    : new ScopedResourceFilter(
        resolver,
        {
          includedNamespaceScoped: spec.includedNamespaceScopedResources,
          excludedNamespaceScoped: spec.excludedNamespaceScopedResources,
          includedClusterScoped: spec.includedClusterScopedResources,
          excludedClusterScoped: spec.excludedClusterScopedResources,
        },
        namespaces,
      );

  let listed = 0;
  // Listed items are parsed one by one and die young (internal/kube/list.ts): only Buffers pile up.
  const gcPacer = new GcPacer(undefined, EXTERNAL_BUDGET_BYTES);
  const backupper: ItemBackupper = new ItemBackupper({
    backupName: backup.metadata.name,
    source,
    sink: serialSink(input.sink),
    namespaces,
    resources: filter,
    resourceFor: (gr) => byGroupResource.get(gr),
    actions: input.actions ?? DEFAULT_ACTIONS,
    log,
    results,
    resourceList,
    podHooks: input.podHooks,
    podVolumes: input.podVolumes,
    onItemWritten: () => input.onProgress?.({ itemsBackedUp: backupper.itemsWritten, totalItems: listed + backupper.additionalItemsFetched }),
  });

  const { tasks, skipped } = planListTasks({ resources: discovery.resources, filter, namespaces, spec });
  for (const gr of skipped) log.info('Skipping resource because it is excluded', { resource: gr });
  const namespacesWithItems = new Set<string>();

  const runTask = async (task: ListTask): Promise<void> => {
    const fields = { resource: task.resource.groupResource, namespace: task.namespace };
    log.info('Listing items', fields);
    const buffered: KubeObject[] = [];
    let count = 0;
    try {
      for await (const item of source.list(task.resource, { namespace: task.namespace, labelSelector: task.labelSelector })) {
        count++;
        listed++;
        // Every item listed, written or not: a cluster-wide list filtered to a few namespaces reads them all.
        gcPacer.tick();
        if (task.coversNamespaces && !namespaces.shouldInclude(item.metadata.namespace ?? '')) continue;
        if (item.metadata.namespace) namespacesWithItems.add(item.metadata.namespace);
        if (task.order) buffered.push(item);
        else await backupper.backupItem(item, task.resource);
      }
    } catch (error) {
      if (isSinkFailure(error)) throw error;
      // Not allowed to list across the cluster: fall back to the per-namespace lists it replaced.
      if (task.coversNamespaces && isForbidden(error)) {
        log.info('Cluster-wide list forbidden, listing per namespace', fields);
        for (const namespace of task.coversNamespaces) await runTask({ ...task, namespace, coversNamespaces: undefined });
        return;
      }
      const where = task.namespace ? ` in namespace ${task.namespace}` : '';
      // A list cut part-way says how far it got: what it read is in the backup, the rest is not.
      const partly = count ? ` (the first ${count} were read; the rest are not in the backup)` : '';
      const message = `cannot list ${task.resource.groupResource}${where}${partly}: ${describeError(error)}`;
      if (isForbidden(error)) backupper.recordWarning(task.namespace, message);
      else backupper.recordError(task.namespace, message);
    }
    for (const item of task.order ? sortByOrder(buffered, task.order) : []) await backupper.backupItem(item, task.resource);
    log.info(`Retrieved ${count} items`, fields);
  };
  // Pods first, all of them, before any other list runs: a pod brings its claims and volumes
  // between its pre and post hooks (Velero's order), so a claim must not be met first by its own
  // lister, outside the hooks, and snapshotted there while the pod's pre hook still runs.
  const podTasks = tasks.filter((t) => t.resource.groupResource === 'pods');
  await runPool(podTasks, input.concurrency ?? 8, runTask);
  await runPool(tasks.filter((t) => !podTasks.includes(t)), input.concurrency ?? 8, runTask);

  // Namespaces last: those named by the filter (or matching the selectors) and those holding items.
  const nsResource = byGroupResource.get('namespaces');
  if (nsResource && filter.shouldInclude('namespaces')) {
    for (const ns of namespaceObjects) {
      if (isTrackedNamespace(ns, namespaces, spec, namespacesWithItems)) await backupper.backupItem(ns, nsResource);
    }
  }

  // A custom resource's CRD comes with it unless CRDs are explicitly included (already listed) or excluded.
  const crdResource = byGroupResource.get(CRDS);
  if (crdResource && !filter.shouldExclude(CRDS) && !filter.shouldInclude(CRDS)) {
    for (const gr of [...backupper.writtenGroupResources].sort()) {
      if (!gr.includes('.') || backupper.has(CRDS, undefined, gr)) continue;
      try {
        const crd = await source.get(crdResource, undefined, gr);
        if (crd) {
          log.info(`Found associated CRD ${gr} to add to backup`);
          await backupper.backupItem(crd, crdResource);
        }
      } catch (error) {
        if (isSinkFailure(error)) throw error;
        backupper.recordWarning(undefined, `cannot get the CRD of ${gr}: ${describeError(error)}`);
      }
    }
  }

  log.info(`Backed up a total of ${backupper.itemsWritten} items`);
  return { validationErrors: [], itemsBackedUp: backupper.itemsWritten, results, resourceList, excludedNamespaces, serverVersion: discovery.serverVersion };
}

/** Velero's nsTracker: a namespace object is backed up when its items are, or when the filters name it. */
// Unlike Velero (vmware-tanzu/velero#9180) an excluded namespace's object is never backed up.
function isTrackedNamespace(ns: KubeObject, filter: NamespaceFilter, spec: Backup['spec'], withItems: Set<string>): boolean {
  const name = ns.metadata.name;
  const phase = (ns.status as { phase?: string } | undefined)?.phase;
  if ((phase && phase !== 'Active') || !filter.shouldInclude(name)) return false;
  if (withItems.has(name)) return true;
  const selectors = spec.orLabelSelectors ?? (spec.labelSelector ? [spec.labelSelector] : []);
  if (selectors.some((s) => selectorMatches(s, ns.metadata.labels))) return true;
  // With a selector over every namespace, only namespaces that hold selected items come along.
  return !(filter.includeEverything() && selectors.length);
}

async function listNamespaces(source: ClusterSource, resource: ApiResource | undefined, log: BackupLog, results: ResultsCollector): Promise<KubeObject[]> {
  if (!resource) return [];
  const out: KubeObject[] = [];
  try {
    for await (const ns of source.list(resource)) out.push(ns);
  } catch (error) {
    if (!isForbidden(error)) throw error;
    const message = `cannot list namespaces (${describeError(error)}): namespace wildcards are not expanded and namespace objects are not backed up`;
    log.warn(message);
    results.warn('cluster', message);
  }
  return out;
}

/** Failures that stop the whole backup rather than one list. */
function isSinkFailure(error: unknown): boolean {
  return error instanceof SinkFailure || error instanceof BackupAbort;
}

async function runPool<T>(items: readonly T[], size: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: unknown;
  const worker = async () => {
    while (next < items.length && failure === undefined) {
      const item = items[next++]!;
      try {
        await run(item);
      } catch (error) {
        failure ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(size, items.length)) }, worker));
  if (failure !== undefined) throw failure;
}
