// Turns what a user types for a resource (`pods`, `pod`, `po`, `Pod`, `deployments.apps`,
// `deploy.apps`) into the `resource.group` name discovery knows, as Velero's discovery helper does
// through client-go's REST mapper and kubectl's shortcut expander. The first match in discovery
// order wins, so `events` is the core group's, as with kubectl.
export interface ResolvableResource {
  group: string;
  resource: string;
  groupResource: string;
  kind: string;
  singular: string;
  shortNames: string[];
  namespaced: boolean;
}

export interface ResourceResolver {
  /** undefined when nothing discovered matches. */
  resolve(name: string): ResolvableResource | undefined;
}

/** client-go's schema.ParseGroupResource: the text before the first dot is the resource. */
export function parseGroupResource(name: string): { resource: string; group: string } {
  const dot = name.indexOf('.');
  return dot < 0 ? { resource: name, group: '' } : { resource: name.slice(0, dot), group: name.slice(dot + 1) };
}

export class DiscoveryResolver implements ResourceResolver {
  private readonly cache = new Map<string, ResolvableResource | undefined>();

  constructor(private readonly resources: readonly ResolvableResource[]) {}

  resolve(name: string): ResolvableResource | undefined {
    if (this.cache.has(name)) return this.cache.get(name);
    const found = this.lookup(name);
    this.cache.set(name, found);
    return found;
  }

  private lookup(name: string): ResolvableResource | undefined {
    const { resource, group } = parseGroupResource(name.toLowerCase());
    const inGroup = (r: ResolvableResource) => !group || r.group === group;
    // Exact plural names first, then singular/kind, then short names, like the REST mapper + expander.
    return (
      this.resources.find((r) => inGroup(r) && r.resource === resource) ??
      this.resources.find((r) => inGroup(r) && (r.singular === resource || r.kind.toLowerCase() === resource)) ??
      this.resources.find((r) => inGroup(r) && r.shortNames.includes(resource)) ??
      // `deployments.apps` where the whole string is the name of a group-less match (e.g. a typo'd group) stays unresolved.
      undefined
    );
  }
}
