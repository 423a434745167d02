// Which backed-up items a restore selects (Velero's getOrderedResourceCollection,
// getSelectedRestoreableItems and the early checks of restoreItem): resource and namespace
// include/exclude lists, the cluster-scope rule, label selectors, never-restored resources,
// completed pods and jobs, mirror pods. Returns why an item is left out, or undefined to restore it.
import { IncludesExcludes } from '../collections/includes-excludes.ts';
import { type LabelSelector, selectorMatches } from '../backup/label-selector.ts';
import type { KubeObject } from '../kube/list.ts';
import { NEVER_RESTORED } from './priorities.ts';
import { resourceSelected } from './resource-selection.ts';
import type { RestoreSpec } from './restore-object.ts';

export class ItemFilter {
  private readonly namespaces: IncludesExcludes;
  private readonly resources: IncludesExcludes;

  constructor(private readonly spec: RestoreSpec) {
    this.namespaces = new IncludesExcludes(spec.includedNamespaces ?? [], spec.excludedNamespaces ?? []);
    this.resources = new IncludesExcludes(spec.includedResources ?? [], spec.excludedResources ?? []);
  }

  /** Whole resource types left out, before any item is read. */
  skipResource(groupResource: string): string | undefined {
    if (NEVER_RESTORED.has(groupResource)) return 'never restored';
    if (!resourceSelected(this.resources, groupResource)) return 'excluded by the resource filters';
    return undefined;
  }

  namespaceIncluded(namespace: string): boolean {
    return this.namespaces.shouldInclude(namespace);
  }

  /** By coordinates only (no need to read the item). */
  skipByLocation(groupResource: string, namespace: string | undefined, name: string): string | undefined {
    if (groupResource === 'namespaces') return this.namespaces.shouldInclude(name) ? undefined : 'namespace excluded';
    if (namespace !== undefined) return this.namespaces.shouldInclude(namespace) ? undefined : 'namespace excluded';
    if (this.spec.includeClusterResources === false) return 'cluster-scoped resources are excluded';
    // Unset: cluster-scoped items only when every namespace is restored — except PVs, which Velero
    // brings along with the claims that use them (below, once the PV is read).
    if (this.spec.includeClusterResources === undefined && !this.namespaces.includeEverything() && groupResource !== 'persistentvolumes') {
      return 'cluster-scoped, and only some namespaces are restored';
    }
    return undefined;
  }

  /** With the item read: selectors, related-PV rule, completed and mirror pods, completed jobs. */
  skipByContent(groupResource: string, item: KubeObject): string | undefined {
    if (groupResource === 'persistentvolumes' && this.spec.includeClusterResources === undefined && !this.namespaces.includeEverything()) {
      const claimNs = (item.spec as { claimRef?: { namespace?: string } } | undefined)?.claimRef?.namespace;
      if (!claimNs || !this.namespaces.shouldInclude(claimNs)) return 'cluster-scoped, and its claim is not restored';
    }
    const labels = item.metadata.labels ?? {};
    if (this.spec.labelSelector && !selectorMatches(this.spec.labelSelector, labels)) return 'labels do not match the selector';
    const or: LabelSelector[] = this.spec.orLabelSelectors ?? [];
    if (or.length && !or.some((s) => selectorMatches(s, labels))) return 'labels match none of the or-selectors';
    const status = (item as { status?: { phase?: string; completionTime?: string } }).status;
    if (groupResource === 'pods') {
      if (status?.phase === 'Succeeded' || status?.phase === 'Failed') return 'the pod has completed';
      if (item.metadata.annotations?.['kubernetes.io/config.mirror']) return 'a mirror pod (its kubelet makes it)';
    }
    if (groupResource === 'jobs.batch' && status?.completionTime) return 'the job has completed';
    return undefined;
  }

  includesEveryNamespace(): boolean {
    return this.namespaces.includeEverything();
  }
}
