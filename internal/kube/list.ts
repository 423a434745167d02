// Paginated LIST of any resource as an async generator of raw objects, so a caller holds at most two
// pages (the next is fetched while this one is consumed) however large the cluster. Items come back
// with apiVersion and kind set (the API server leaves them off list items).
import type { ApiResource } from './discovery.ts';
import type { KubeRequester } from './http-client.ts';
import { BodyBuffer } from './body-buffer.ts';
import { listSpans } from './list-spans.ts';
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

/** Whether a page's buffer still holds that page (list.ts reads the next page but one into it). */
interface PageLease {
  live: boolean;
}

/** One page of a list, its items parsed when asked for. */
interface Page {
  continueToken: string | undefined;
  length: number;
  /** Live while the buffer item bytes are views of holds this page. */
  lease?: PageLease;
  /** Item `i`, parsed (apiVersion and kind not yet set). */
  item(i: number): KubeObject;
  /** Its JSON in the page's bytes past its opening `{`, when it is an object with members as sent; else undefined. */
  restOf?(i: number): Buffer | undefined;
}

function parsedPage(page: ListPage): Page {
  const items = page.items ?? [];
  return { continueToken: page.metadata?.continue || undefined, length: items.length, item: (i) => items[i]! };
}

/**
 * A page parsed item by item as the consumer comes to it (list-spans.ts), so each item's text and
 * object die young; a page the scan does not recognise is parsed whole.
 */
function scannedPage(bytes: Buffer): Page {
  const spans = listSpans(bytes);
  if (!spans) return parsedPage(JSON.parse(bytes.toString()) as ListPage);
  const metadata = spans.metadata ? (JSON.parse(bytes.toString('utf8', ...spans.metadata)) as ListPage['metadata']) : undefined;
  return {
    continueToken: metadata?.continue || undefined,
    length: spans.items.length / 2,
    item: (i) => JSON.parse(bytes.toString('utf8', spans.items[2 * i], spans.items[2 * i + 1])) as KubeObject,
    restOf(i) {
      const start = spans.items[2 * i]!;
      // An object with at least one member: `{` then not `}` (the API server sends no spaces).
      return bytes[start] === 0x7b && bytes[start + 1] !== 0x7d ? bytes.subarray(start + 1, spans.items[2 * i + 1]) : undefined;
    },
  };
}

const RAW_JSON = Symbol('kubectl-velero.rawJson');
const RAW_LEASE = Symbol('kubectl-velero.rawLease');

/** An item's JSON in parts written one after the other. */
export type RawJson = readonly [opening: string, rest: Uint8Array];

/** What a listed item carries: its raw JSON, and the lease of the page its bytes are views of. */
interface HeldRaw {
  [RAW_JSON]?: RawJson;
  [RAW_LEASE]?: PageLease;
}

/**
 * A listed item's JSON as the API server sent it, in two parts to be written one after the other:
 * an opening that puts apiVersion and kind first (list items lack them), and the rest of the
 * server's bytes. Undefined for an item that was not listed, or whose bytes could not be told apart.
 * Valid only while nothing changed the object (a backup item action, for one): the caller decides.
 * The bytes are a view of the lister's page buffer, so they cost no copy; once that buffer is read
 * into again (the page's lease ended) this is undefined, and an item kept that long is serialised.
 */
export function rawJsonOf(item: KubeObject): RawJson | undefined {
  const held = item as HeldRaw;
  return held[RAW_LEASE]?.live ? held[RAW_JSON] : undefined;
}

export async function* listObjects(client: KubeRequester, resource: Pick<ApiResource, 'groupVersion' | 'resource' | 'namespaced' | 'kind'>, options: ListOptions = {}): AsyncGenerator<KubeObject> {
  const path = resourcePath(resource, options.namespace);
  // Two buffers, one page each, alternating: the page being consumed and the one fetched ahead. A
  // buffer is read into again only once its page's items were all consumed, and its lease ends
  // first, so the raw JSON of an item kept longer (views of the buffer) is gone: such an item is
  // serialised when written. The lister keeps no item: each dies as soon as its consumer is done.
  const buffers = [new BodyBuffer(), new BodyBuffer()];
  const leases: PageLease[] = [{ live: false }, { live: false }];
  let fetches = 0;
  const fetchPage = (token: string | undefined): Promise<Page> => {
    const slot = fetches++ % 2;
    leases[slot]!.live = false;
    const next: PageLease = (leases[slot] = { live: true });
    const query = { limit: String(options.limit ?? 500), continue: token, labelSelector: options.labelSelector };
    const page = client.getJsonBytes
      ? client.getJsonBytes(path, query, options.signal, buffers[slot]).then((bytes) => ({ ...scannedPage(bytes), lease: next }))
      : client.getJson<ListPage>(path, query, options.signal).then(parsedPage);
    // Awaited below; a consumer that stops early must not leave an unhandled rejection behind.
    page.catch(() => undefined);
    return page;
  };
  let token: string | undefined;
  let restarted = false;
  // The opening of a raw item that lacks apiVersion and kind (a built-in type's list item).
  const typedOpening = `{"apiVersion":${JSON.stringify(resource.groupVersion)},"kind":${JSON.stringify(resource.kind)},`;
  let pending: Promise<Page> | undefined = fetchPage(undefined);
  while (pending) {
    let page: Page;
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
    token = page.continueToken;
    // The next page is fetched while this one is consumed, so the API server's time and ours
    // overlap: one request in flight and at most two pages in memory per list.
    pending = token ? fetchPage(token) : undefined;
    for (let i = 0; i < page.length; i++) {
      const item = page.item(i);
      let opening: string | undefined;
      if (page.lease) {
        if (item.apiVersion === undefined && item.kind === undefined) opening = typedOpening;
        else if (item.apiVersion === resource.groupVersion && item.kind === resource.kind) opening = '{';
      }
      item.apiVersion = resource.groupVersion;
      item.kind = resource.kind;
      // The rest is past the item's own '{': the opening stands for it.
      const rest = opening && page.restOf?.(i);
      if (rest) {
        (item as HeldRaw)[RAW_JSON] = [opening!, rest];
        (item as HeldRaw)[RAW_LEASE] = page.lease;
      }
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
