// What the backup engine needs from a cluster, as a narrow interface: the kube implementation
// lives in internal/kube/cluster-source.ts, the unit tests feed fixtures through the same shape.
import type { ApiResource, DiscoveryResult } from '../kube/discovery.ts';
import type { KubeObject } from '../kube/list.ts';

export type { ApiResource, DiscoveryResult, KubeObject };

export interface ListRequest {
  namespace?: string;
  labelSelector?: string;
  signal?: AbortSignal;
}

export interface ClusterSource {
  discover(): Promise<DiscoveryResult>;
  /** Every object of `resource` (in `namespace` when given), page by page, apiVersion/kind set. */
  list(resource: ApiResource, request?: ListRequest): AsyncIterable<KubeObject>;
  /** One object, or undefined when it does not exist. */
  get(resource: ApiResource, namespace: string | undefined, name: string): Promise<KubeObject | undefined>;
}
