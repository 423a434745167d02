// Paginated LIST of any resource as an async generator of raw objects, so a caller holds at most two
// pages (the next is fetched while this one is consumed) however large the cluster. Items come back
// with apiVersion and kind set (the API server leaves them off list items).
import type { ApiResource } from './discovery.ts';
import type { KubeRequester } from './http-client.ts';
import { nameSegment, namespaceSegment } from './names.ts';

export type KubeObject = {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    deletionTimestamp?: string;
    uid?: string;
    [key: string]: unknown;
  };
  [key: string]: unknown;
};

export interface ListOptions {
  /** Only this namespace; undefined lists across all namespaces (or a cluster-scoped resource). */
  namespace?: string;
  labelSelector?: string;
  /** Page size; the API server caps it anyway. */
  limit?: number;
  signal?: AbortSignal;
}

export function resourcePath(resource: Pick<ApiResource, 'groupVersion' | 'resource' | 'namespaced'>, namespace?: string, name?: string): string {
  const base = resource.groupVersion.includes('/') ? `/apis/${resource.groupVersion}` : `/api/${resource.groupVersion}`;
  const ns = resource.namespaced && namespace !== undefined ? `/namespaces/${namespaceSegment(namespace)}` : '';
  return `${base}${ns}/${resource.resource}${name !== undefined ? `/${nameSegment(name)}` : ''}`;
}

interface ListPage {
  items?: KubeObject[];
  metadata?: { continue?: string };
}

export async function* listObjects(client: KubeRequester, resource: Pick<ApiResource, 'groupVersion' | 'resource' | 'namespaced' | 'kind'>, options: ListOptions = {}): AsyncGenerator<KubeObject> {
  const path = resourcePath(resource, options.namespace);
  const fetchPage = (token: string | undefined): Promise<ListPage> => {
    const page = client.getJson<ListPage>(path, { limit: String(options.limit ?? 500), continue: token, labelSelector: options.labelSelector }, options.signal);
    // Awaited below; a consumer that stops early must not leave an unhandled rejection behind.
    page.catch(() => undefined);
    return page;
  };
  let token: string | undefined;
  let restarted = false;
  let pending: Promise<ListPage> | undefined = fetchPage(undefined);
  while (pending) {
    let page: ListPage;
    try {
      page = await pending;
    } catch (error) {
      // A continue token expires (410 Gone) when a slow consumer outlives etcd's compaction window:
      // start over once, as client-go's pager does; callers dedupe what they already saw.
      if (token && !restarted && (error as { status?: number }).status === 410) {
        restarted = true;
        token = undefined;
        pending = fetchPage(undefined);
        continue;
      }
      throw error;
    }
    token = page.metadata?.continue || undefined;
    // The next page is fetched while this one is consumed, so the API server's time and ours
    // overlap: one request in flight and at most two pages in memory per list.
    pending = token ? fetchPage(token) : undefined;
    for (const item of page.items ?? []) {
      item.apiVersion = resource.groupVersion;
      item.kind = resource.kind;
      yield item;
    }
  }
}

/** GET one object; undefined when it does not exist. */
export async function getObject(client: KubeRequester, resource: ApiResource, namespace: string | undefined, name: string): Promise<KubeObject | undefined> {
  try {
    const item = await client.getJson<KubeObject>(resourcePath(resource, namespace, name));
    item.apiVersion ??= resource.groupVersion;
    item.kind ??= resource.kind;
    return item;
  } catch (error) {
    if ((error as { status?: number }).status === 404) return undefined;
    throw error;
  }
}
