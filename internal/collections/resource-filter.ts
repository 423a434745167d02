// Which resource types a backup collects, with Velero's two generations of filters:
// the old ones (includedResources/excludedResources + includeClusterResources) and the scoped ones
// (included/excluded{Cluster,Namespace}ScopedResources). Both answer the same two questions.
import { IncludesExcludes, matchesAny } from './includes-excludes.ts';
import type { NamespaceFilter } from './namespace-filter.ts';
import type { ResourceResolver } from './resource-resolver.ts';

export interface ResourceFilter {
  /** Collect this resource type by listing it? `groupResource` is `resource.group`. */
  shouldInclude(groupResource: string): boolean;
  /** Must an item of this type be left out even when an item action asks for it? */
  shouldExclude(groupResource: string): boolean;
}

const NAMESPACES = 'namespaces';

/** Velero's generateIncludesExcludes: resolve names through discovery; unresolvable names stay as typed. */
export function resolveResourceList(resolver: ResourceResolver, names: string[] = [], forExcludes = false): string[] {
  const out: string[] = [];
  for (const name of names) {
    if (name === '*') {
      if (!forExcludes) out.push(name);
      continue;
    }
    out.push(resolver.resolve(name)?.groupResource ?? name);
  }
  return out;
}

export class GlobalResourceFilter implements ResourceFilter {
  readonly resources: IncludesExcludes;

  constructor(
    private readonly resolver: ResourceResolver,
    includes: string[] | undefined,
    excludes: string[] | undefined,
    private readonly includeClusterResources: boolean | undefined,
    private readonly namespaces: NamespaceFilter,
  ) {
    this.resources = new IncludesExcludes(resolveResourceList(resolver, includes), resolveResourceList(resolver, excludes, true));
  }

  shouldInclude(groupResource: string): boolean {
    const r = this.resolver.resolve(groupResource);
    if (!r) return false;
    if (!r.namespaced && this.includeClusterResources === false) return false;
    // Unset = auto: list cluster-scoped types only for a whole-cluster backup; related cluster-scoped
    // items still come in through item actions. Namespaces are filtered later, by the namespace filter.
    if (groupResource !== NAMESPACES && !r.namespaced && this.includeClusterResources === undefined && !this.namespaces.includeEverything()) return false;
    return this.resources.shouldInclude(groupResource);
  }

  shouldExclude(groupResource: string): boolean {
    if (this.resources.isExcluded(groupResource)) return true;
    const r = this.resolver.resolve(groupResource);
    if (!r) return true;
    if (!r.namespaced) {
      if (this.includeClusterResources === false) return true;
      if (this.includeClusterResources === undefined && !this.resources.shouldInclude(groupResource)) return true;
    }
    return false;
  }
}

export class ScopedResourceFilter implements ResourceFilter {
  readonly namespaced: IncludesExcludes;
  readonly cluster: IncludesExcludes;

  constructor(
    private readonly resolver: ResourceResolver,
    lists: { includedNamespaceScoped?: string[]; excludedNamespaceScoped?: string[]; includedClusterScoped?: string[]; excludedClusterScoped?: string[] },
    private readonly namespaces: NamespaceFilter,
  ) {
    // A name that resolves to the other scope is dropped from this scope's list.
    const scoped = (names: string[] = [], namespaced: boolean) =>
      names.flatMap((name) => {
        if (name === '*') return [name];
        const r = resolver.resolve(name);
        if (!r) return [name];
        return r.namespaced === namespaced ? [r.groupResource] : [];
      });
    this.namespaced = new IncludesExcludes(scoped(lists.includedNamespaceScoped, true), scoped(lists.excludedNamespaceScoped, true));
    this.cluster = new IncludesExcludes(scoped(lists.includedClusterScoped, false), scoped(lists.excludedClusterScoped, false));
  }

  shouldInclude(groupResource: string): boolean {
    const r = this.resolver.resolve(groupResource);
    if (!r) return false;
    if (r.namespaced) {
      if (this.namespaced.excludes.has('*')) return false;
      return this.namespaced.shouldInclude(groupResource);
    }
    if (this.cluster.excludes.has('*') || this.cluster.isExcluded(groupResource)) return false;
    // Nothing said about cluster-scoped types: all of them for a whole-cluster backup.
    if (this.cluster.includes.size === 0 && this.cluster.excludes.size === 0 && this.namespaces.includeEverything() && this.namespaced.includeEverything()) return true;
    return this.cluster.includes.has('*') || matchesAny(this.cluster.includes, groupResource) || groupResource === NAMESPACES;
  }

  shouldExclude(groupResource: string): boolean {
    const r = this.resolver.resolve(groupResource);
    if (!r) return true;
    return r.namespaced ? this.namespaced.isExcluded(groupResource) : this.cluster.isExcluded(groupResource);
  }
}
