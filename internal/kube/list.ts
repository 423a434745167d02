// Paginated LIST of any resource as an async generator of raw objects, so a caller holds at most two
// pages (the next is fetched while this one is consumed) however large the cluster. Items come back
// with apiVersion and kind set (the API server leaves them off list items).
import type { ApiResource } from './discovery.ts';
import type { KubeRequester } from './http-client.ts';
import { listItemSpans } from './list-item-spans.ts';
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

/** A page with where each item lies in its text, when the client gave the text and the scan agreed with the parse. */
interface ScannedPage extends ListPage {
  text?: string;
  spans?: number[];
}

const RAW_JSON = Symbol('kubectl-velero.rawJson');

/**
 * A listed item's JSON as the API server sent it, in two parts to be written one after the other:
 * an opening that puts apiVersion and kind first (list items lack them), and the rest of the
 * server's text. Undefined for an item that was not listed, or whose text could not be told apart.
 * Valid only while nothing changed the object (a backup item action, for one): the caller decides.
 * The parts are slices of the page's text, so they cost no copy, and keep that page alive while held.
 */
export function rawJsonOf(item: KubeObject): readonly [opening: string, rest: string] | undefined {
  return (item as { [RAW_JSON]?: readonly [string, string] })[RAW_JSON];
}

function parsePage(text: string): ScannedPage {
  const page = JSON.parse(text) as ScannedPage;
  const spans = listItemSpans(text);
  if (spans && Array.isArray(page.items) && spans.length === 2 * page.items.length) {
    page.text = text;
    page.spans = spans;
  }
  return page;
}

export async function* listObjects(client: KubeRequester, resource: Pick<ApiResource, 'groupVersion' | 'resource' | 'namespaced' | 'kind'>, options: ListOptions = {}): AsyncGenerator<KubeObject> {
  const path = resourcePath(resource, options.namespace);
  const fetchPage = (token: string | undefined): Promise<ScannedPage> => {
    const query = { limit: String(options.limit ?? 500), continue: token, labelSelector: options.labelSelector };
    const page = client.getJsonText ? client.getJsonText(path, query, options.signal).then(parsePage) : client.getJson<ListPage>(path, query, options.signal);
    // Awaited below; a consumer that stops early must not leave an unhandled rejection behind.
    page.catch(() => undefined);
    return page;
  };
  let token: string | undefined;
  let restarted = false;
  // The opening of a raw item that lacks apiVersion and kind (a built-in type's list item).
  const typedOpening = `{"apiVersion":${JSON.stringify(resource.groupVersion)},"kind":${JSON.stringify(resource.kind)},`;
  let pending: Promise<ScannedPage> | undefined = fetchPage(undefined);
  while (pending) {
    let page: ScannedPage;
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
    const items = page.items ?? [];
    const { text, spans } = page;
    for (let i = 0; i < items.length; i++) {
      const item = items[i]!;
      let opening: string | undefined;
      // An object with at least one member: `{` then not `}` (the API server sends no spaces).
      if (text && spans && text.charCodeAt(spans[2 * i]!) === 0x7b && text.charCodeAt(spans[2 * i]! + 1) !== 0x7d) {
        if (item.apiVersion === undefined && item.kind === undefined) opening = typedOpening;
        else if (item.apiVersion === resource.groupVersion && item.kind === resource.kind) opening = '{';
      }
      item.apiVersion = resource.groupVersion;
      item.kind = resource.kind;
      // Past the item's own '{': the opening stands for it.
      if (opening) (item as { [RAW_JSON]?: readonly [string, string] })[RAW_JSON] = [opening, text!.slice(spans![2 * i]! + 1, spans![2 * i + 1])];
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
