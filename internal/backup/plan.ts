// Which LIST requests a backup makes: one per resource type the filters let through, per included
// namespace (or one cluster-wide list when every namespace is included), per label selector.
// Namespaces themselves are not listed here: the engine decides on them last, as Velero does.
import type { NamespaceFilter } from '../collections/namespace-filter.ts';
import type { ResourceFilter } from '../collections/resource-filter.ts';
import type { BackupSpec } from './backup-object.ts';
import type { ApiResource } from './cluster-source.ts';
import { selectorToString } from './label-selector.ts';

export interface ListTask {
  resource: ApiResource;
  /** undefined: all namespaces, or a cluster-scoped resource */
  namespace?: string;
  labelSelector?: string;
  /** `ns/name` entries from --ordered-resources to back up first, in this order. */
  order?: string[];
  /** Set when one cluster-wide list replaces per-namespace lists: the namespaces it stands for. */
  coversNamespaces?: string[];
}

/** Above this many included namespaces one cluster-wide LIST per type beats a LIST per namespace. */
export const CLUSTER_WIDE_LIST_THRESHOLD = 8;

/** Never backed up: intermediate CSI objects Velero's controller always excludes. */
export const AUTO_EXCLUDED = new Set(['volumesnapshots.snapshot.storage.k8s.io', 'volumesnapshotcontents.snapshot.storage.k8s.io']);

/** The same objects served by two groups: only the first one discovery lists is collected. */
const COHABITING: Record<string, [string, string]> = {
  deployments: ['extensions', 'apps'],
  daemonsets: ['extensions', 'apps'],
  replicasets: ['extensions', 'apps'],
  networkpolicies: ['extensions', 'networking.k8s.io'],
  events: ['', 'events.k8s.io'],
};

const CORE_PRIORITY: Record<string, number> = { pods: 0, persistentvolumeclaims: 1, persistentvolumes: 2 };

/** Velero sorts the core group pods → PVCs → PVs → the rest, so a pod's volumes follow the pod. */
export function orderResources(resources: readonly ApiResource[]): ApiResource[] {
  const core = resources.filter((r) => r.group === '');
  const rest = resources.filter((r) => r.group !== '');
  const rank = (r: ApiResource) => CORE_PRIORITY[r.resource] ?? 3;
  return [...core.map((r, i) => ({ r, i })).sort((a, b) => rank(a.r) - rank(b.r) || a.i - b.i).map(({ r }) => r), ...rest];
}

export function planListTasks(input: { resources: readonly ApiResource[]; filter: ResourceFilter; namespaces: NamespaceFilter; spec: BackupSpec }): { tasks: ListTask[]; skipped: string[] } {
  const { filter, namespaces, spec } = input;
  const tasks: ListTask[] = [];
  const skipped: string[] = [];
  const seenCohabitant = new Set<string>();
  const selectors = spec.orLabelSelectors?.length ? spec.orLabelSelectors.map(selectorToString) : [selectorToString(spec.labelSelector)];
  for (const resource of orderResources(input.resources)) {
    const gr = resource.groupResource;
    if (gr === 'namespaces') continue;
    if (AUTO_EXCLUDED.has(gr) || !filter.shouldInclude(gr)) {
      skipped.push(gr);
      continue;
    }
    const cohabiting = COHABITING[resource.resource];
    if (cohabiting?.includes(resource.group)) {
      if (seenCohabitant.has(resource.resource)) {
        skipped.push(gr);
        continue;
      }
      seenCohabitant.add(resource.resource);
    }
    const order = spec.orderedResources?.[resource.resource]?.split(',').map((s) => s.trim()).filter(Boolean);
    const perNamespace = resource.namespaced ? namespaces.namespacesToList() : [undefined];
    // Many namespaces: list once across the cluster; the item backupper drops items of other namespaces.
    const wide = perNamespace.length > CLUSTER_WIDE_LIST_THRESHOLD;
    for (const namespace of wide ? [undefined] : perNamespace) {
      for (const labelSelector of selectors) {
        tasks.push({ resource, namespace, labelSelector: labelSelector || undefined, ...(order?.length ? { order } : {}), ...(wide ? { coversNamespaces: perNamespace as string[] } : {}) });
      }
    }
  }
  return { tasks, skipped };
}

/** --ordered-resources: the named items first, in the given order, then the others as listed. */
export function sortByOrder<T extends { metadata: { name: string; namespace?: string } }>(items: T[], order: string[]): T[] {
  const key = (i: T) => (i.metadata.namespace ? `${i.metadata.namespace}/${i.metadata.name}` : i.metadata.name);
  const byKey = new Map(items.map((i) => [key(i), i]));
  const first = order.flatMap((k) => (byKey.has(k) ? [byKey.get(k)!] : []));
  const taken = new Set(first);
  return [...first, ...items.filter((i) => !taken.has(i))];
}
