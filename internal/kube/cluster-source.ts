// The backup engine's ClusterSource over a real API server: discovery, paginated lists and GETs
// through one KubeHttpClient.
import type { ApiResource, DiscoveryResult } from './discovery.ts';
import { discoverResources } from './discovery.ts';
import type { KubeRequester } from './http-client.ts';
import { getObject, listObjects, type KubeObject } from './list.ts';

export class KubeClusterSource {
  constructor(
    private readonly client: KubeRequester,
    private readonly pageSize = 500,
  ) {}

  discover(): Promise<DiscoveryResult> {
    return discoverResources(this.client);
  }

  list(resource: ApiResource, request: { namespace?: string; labelSelector?: string; signal?: AbortSignal } = {}): AsyncIterable<KubeObject> {
    return listObjects(this.client, resource, { ...request, limit: this.pageSize });
  }

  get(resource: ApiResource, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
    return getObject(this.client, resource, namespace, name);
  }
}
