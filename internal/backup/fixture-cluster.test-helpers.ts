// An in-memory ClusterSource for engine tests: a discovery snapshot plus objects, with switches
// for "this resource is forbidden" — not an API server, just the interface the engine reads.
import { KubeApiError } from '../kube/errors.ts';
import type { ApiResource, ClusterSource, DiscoveryResult, KubeObject, ListRequest } from './cluster-source.ts';
import type { ArchiveItemCoordinates, ItemJson, ItemSink } from './item-sink.ts';
import { selectorMatches, parseLabelSelector } from './label-selector.ts';

const res = (group: string, version: string, resource: string, kind: string, namespaced: boolean, shortNames: string[] = []): ApiResource => ({
  group,
  version,
  groupVersion: group ? `${group}/${version}` : version,
  resource,
  groupResource: group ? `${resource}.${group}` : resource,
  kind,
  singular: kind.toLowerCase(),
  shortNames,
  namespaced,
  verbs: ['list', 'create', 'get', 'delete'],
});

export const RESOURCES: ApiResource[] = [
  res('', 'v1', 'configmaps', 'ConfigMap', true, ['cm']),
  res('', 'v1', 'secrets', 'Secret', true),
  res('', 'v1', 'pods', 'Pod', true, ['po']),
  res('', 'v1', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, ['pvc']),
  res('', 'v1', 'persistentvolumes', 'PersistentVolume', false, ['pv']),
  res('', 'v1', 'serviceaccounts', 'ServiceAccount', true, ['sa']),
  res('', 'v1', 'namespaces', 'Namespace', false, ['ns']),
  res('', 'v1', 'events', 'Event', true, ['ev']),
  res('apps', 'v1', 'deployments', 'Deployment', true, ['deploy']),
  res('events.k8s.io', 'v1', 'events', 'Event', true, ['ev']),
  res('rbac.authorization.k8s.io', 'v1', 'clusterroles', 'ClusterRole', false),
  res('rbac.authorization.k8s.io', 'v1', 'clusterrolebindings', 'ClusterRoleBinding', false),
  res('apiextensions.k8s.io', 'v1', 'customresourcedefinitions', 'CustomResourceDefinition', false, ['crd']),
  res('storage.k8s.io', 'v1', 'storageclasses', 'StorageClass', false, ['sc']),
  res('shop.example.com', 'v1', 'widgets', 'Widget', true),
  res('snapshot.storage.k8s.io', 'v1', 'volumesnapshotcontents', 'VolumeSnapshotContent', false),
];

export function o(groupResource: string, namespace: string | undefined, name: string, extra: Record<string, unknown> = {}): KubeObject & { _gr: string } {
  const r = RESOURCES.find((x) => x.groupResource === groupResource)!;
  const { metadata, ...rest } = extra as { metadata?: Record<string, unknown> };
  return { _gr: groupResource, apiVersion: r.groupVersion, kind: r.kind, metadata: { name, ...(namespace ? { namespace } : {}), ...metadata }, ...rest } as KubeObject & { _gr: string };
}

export class FixtureCluster implements ClusterSource {
  forbidden = new Set<string>();
  /** Types the user may list per namespace but not across the cluster. */
  forbidClusterWide = new Set<string>();
  listCalls: { groupResource: string; namespace?: string; labelSelector?: string }[] = [];

  constructor(private readonly objects: (KubeObject & { _gr: string })[]) {}

  async discover(): Promise<DiscoveryResult> {
    return { resources: RESOURCES, failedGroups: [] };
  }

  async *list(resource: ApiResource, request: ListRequest = {}): AsyncIterable<KubeObject> {
    this.listCalls.push({ groupResource: resource.groupResource, namespace: request.namespace, labelSelector: request.labelSelector });
    if (this.forbidden.has(resource.groupResource) || (resource.namespaced && !request.namespace && this.forbidClusterWide.has(resource.groupResource))) throw new KubeApiError(403, 'Forbidden', '/x', `${resource.resource} is forbidden: User "u" cannot list resource "${resource.resource}"`);
    const selector = request.labelSelector ? parseLabelSelector(request.labelSelector) : undefined;
    for (const obj of this.objects) {
      if (obj._gr !== resource.groupResource) continue;
      if (request.namespace && obj.metadata.namespace !== request.namespace) continue;
      if (selector && !selectorMatches(selector, obj.metadata.labels)) continue;
      const { _gr, ...copy } = structuredClone(obj);
      yield copy as KubeObject;
    }
  }

  async get(resource: ApiResource, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    const found = this.objects.find((x) => x._gr === resource.groupResource && x.metadata.name === name && (x.metadata.namespace ?? undefined) === namespace);
    if (!found) return undefined;
    const { _gr, ...copy } = structuredClone(found);
    return copy as KubeObject;
  }
}

export class MemorySink implements ItemSink {
  items: { coords: ArchiveItemCoordinates; json: string }[] = [];
  failAfter = Infinity;

  async addItem(coords: ArchiveItemCoordinates, json: ItemJson): Promise<void> {
    if (this.items.length >= this.failAfter) throw new Error('bucket went read-only');
    this.items.push({ coords, json: typeof json === 'string' ? json : json.map((part) => (typeof part === 'string' ? part : Buffer.from(part).toString())).join('') });
  }

  /** `groupResource ns/name` (cluster-scoped: `groupResource name`), sorted. */
  keys(): string[] {
    return this.items.map(({ coords: c }) => `${c.groupResource} ${c.namespace ? `${c.namespace}/` : ''}${c.name}`).sort();
  }
}
