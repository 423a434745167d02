// Raw JSON GETs against the API server with the kubeconfig's credentials. The typed clients of
// @kubernetes/client-node need a class per resource; a backup lists arbitrary resources, so we
// speak HTTP directly, over one keep-alive agent shared by all parallel listers.
import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';
import { BodyBuffer } from './body-buffer.ts';
import { apiErrorFrom, isRetryableNetworkError, isRetryableStatus, KubeApiError, KubeUnreachableError } from './errors.ts';
import { assertNoDotSegments } from './names.ts';
import { DEFAULT_RETRY, withRetry, type RetryPolicy } from './retry.ts';

export interface KubeRequester {
  /** GETs `path` (relative to the server URL) with `query`; resolves to the parsed JSON body. */
  getJson<T = unknown>(path: string, query?: Record<string, string | undefined>, signal?: AbortSignal): Promise<T>;
  /**
   * The same GET's body as sent, undecoded, read into `into` (a lister parses a page item by item:
   * list-spans.ts); the result is a view of `into`, valid until it is used again.
   */
  getJsonBytes?(path: string, query?: Record<string, string | undefined>, signal?: AbortSignal, into?: BodyBuffer): Promise<Buffer>;
}

export type WriteMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Writes, for the restore side. */
export interface KubeWriter extends KubeRequester {
  /** Sends `body` as JSON (or a merge patch for PATCH); resolves to the parsed response. */
  sendJson<T = unknown>(method: WriteMethod, path: string, body?: unknown, query?: Record<string, string | undefined>): Promise<T>;
}

/** Longest silence on a request's socket before it counts as a (retryable) timeout. */
const DEFAULT_TIMEOUT_MS = 60_000;
const OPTIONS_TTL_MS = 5_000;
/** Server-side apply's patch type: JSON is YAML, so an object goes as it is. */
const APPLY_PATCH = 'application/apply-patch+yaml';

interface TransientError {
  retryAfterMs?: number;
}

/** A body as text, or as bytes read into a BodyBuffer. */
type BodyKind = 'text' | BodyBuffer;
type BodyOf<K extends BodyKind> = K extends BodyBuffer ? Buffer : string;

export class KubeHttpClient implements KubeWriter {
  private readonly server: URL;
  private agent: http.Agent | undefined;
  /** The kubeconfig's request options (TLS material, auth headers) for a few seconds: see requestOptions. */
  private cachedOptions: { opts: https.RequestOptions; until: number } | undefined;

  constructor(
    private readonly kc: KubeConfig,
    private readonly options: { maxSockets?: number; retry?: RetryPolicy; userAgent?: string; timeoutMs?: number } = {},
  ) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new KubeUnreachableError('no current cluster in kubeconfig');
    this.server = new URL(cluster.server);
  }

  describe(): string {
    return this.server.origin;
  }

  async getJson<T>(path: string, query: Record<string, string | undefined> = {}, signal?: AbortSignal): Promise<T> {
    return JSON.parse(await this.call('GET', path, query, undefined, signal)) as T;
  }

  getJsonBytes(path: string, query: Record<string, string | undefined> = {}, signal?: AbortSignal, into = new BodyBuffer()): Promise<Buffer> {
    return this.call('GET', path, query, undefined, signal, undefined, into);
  }

  async sendJson<T>(method: WriteMethod, path: string, body?: unknown, query: Record<string, string | undefined> = {}): Promise<T> {
    return JSON.parse(await this.call(method, path, query, body === undefined ? undefined : JSON.stringify(body))) as T;
  }

  /** Server-side apply of `object` (a PATCH the API server merges by field manager); resolves to the object as applied. */
  async apply<T>(path: string, object: unknown, fieldManager: string): Promise<T> {
    return JSON.parse(await this.call('PATCH', path, { fieldManager, force: 'true' }, JSON.stringify(object), undefined, APPLY_PATCH)) as T;
  }

  /** GETs a body that is not JSON (a pod's log). */
  getText(path: string, query: Record<string, string | undefined> = {}): Promise<string> {
    return this.call('GET', path, query, undefined);
  }

  private async call<K extends BodyKind = 'text'>(method: 'GET' | WriteMethod, path: string, query: Record<string, string | undefined>, payload: string | undefined, signal?: AbortSignal, contentType?: string, kind?: K): Promise<BodyOf<K>> {
    assertNoDotSegments(path);
    const url = new URL(this.server.href.replace(/\/$/, '') + path);
    for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') url.searchParams.set(key, value);
    try {
      return await withRetry(
        () => this.requestOnce401(url, signal, method, payload, contentType, kind ?? ('text' as K)),
        (error) => !signal?.aborted && (isRetryableNetworkError(error) || (error instanceof KubeApiError && isRetryableStatus(error.status))),
        this.options.retry ?? DEFAULT_RETRY,
      );
    } catch (error) {
      if (error instanceof KubeApiError || signal?.aborted) throw error;
      const code = (error as { code?: string }).code ?? (error as Error).message;
      throw new KubeUnreachableError(`cannot reach the API server at ${this.server.origin} (${code}): check --kubeconfig/--context and that the cluster is up`);
    }
  }

  /**
   * Keep-alive agent with the kubeconfig's TLS material; a proxy-configured cluster keeps
   * client-node's agent. client-node builds the options anew on every call (decoding certificates,
   * asking an exec plugin's cache for its token): a restore of 10,000 objects spent a tenth of its
   * CPU there, so they are kept for OPTIONS_TTL_MS, and a 401 drops them (a token that expired in
   * between is fetched again once).
   */
  private async requestOptions(): Promise<https.RequestOptions> {
    if (this.cachedOptions && Date.now() < this.cachedOptions.until) return this.cachedOptions.opts;
    const opts: https.RequestOptions = { headers: {} };
    await this.kc.applyToHTTPSOptions(opts);
    if (this.kc.getCurrentCluster()?.proxyUrl) return opts;
    if (!this.agent) {
      const common = { keepAlive: true, maxSockets: this.options.maxSockets ?? 16 };
      this.agent =
        this.server.protocol === 'http:'
          ? new http.Agent(common)
          : new https.Agent({ ...common, ca: opts.ca, cert: opts.cert, key: opts.key, rejectUnauthorized: opts.rejectUnauthorized, servername: opts.servername });
    }
    opts.agent = this.agent;
    this.cachedOptions = { opts, until: Date.now() + OPTIONS_TTL_MS };
    return opts;
  }

  /** A 401 with kept options: maybe a token that expired since; once more with options built anew. */
  private async requestOnce401<K extends BodyKind>(url: URL, signal: AbortSignal | undefined, method: 'GET' | WriteMethod, payload: string | undefined, contentType: string | undefined, kind: K): Promise<BodyOf<K>> {
    const kept = this.cachedOptions !== undefined;
    try {
      return await this.request(url, signal, method, payload, undefined, contentType, kind);
    } catch (error) {
      if (!(kept && error instanceof KubeApiError && error.status === 401)) throw error;
      this.cachedOptions = undefined;
      return this.request(url, signal, method, payload, undefined, contentType, kind);
    }
  }

  /** Resolves when the API server says it is ready (/readyz answers 200), once, within `timeoutMs`. */
  async ready(timeoutMs = 5_000): Promise<void> {
    await this.request(new URL(`${this.server.href.replace(/\/$/, '')}/readyz`), undefined, 'GET', undefined, timeoutMs);
  }

  private async request<K extends BodyKind = 'text'>(url: URL, signal?: AbortSignal, method: 'GET' | WriteMethod = 'GET', payload?: string, timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS, contentType?: string, kind?: K): Promise<BodyOf<K>> {
    const opts = await this.requestOptions();
    const transport = url.protocol === 'http:' ? http : https;
    return new Promise<BodyOf<K>>((resolve, reject) => {
      const req = transport.request(
        url,
        {
          ...opts,
          method,
          signal,
          headers: {
            ...(opts.headers as Record<string, string>),
            // As kubectl: JSON where there is a choice, anything else (a pod's log) as it is.
            Accept: 'application/json, */*',
            'User-Agent': this.options.userAgent ?? 'kubectl-velero',
            ...(payload !== undefined ? { 'Content-Type': contentType ?? (method === 'PATCH' ? 'application/merge-patch+json' : 'application/json'), 'Content-Length': String(Buffer.byteLength(payload)) } : {}),
          },
        },
        (res) => {
          // Text is decoded as it comes, not gathered into one Buffer first (a second copy of every
          // body outside V8's heap). Bytes (a LIST page, parsed item by item: list-spans.ts) go into
          // the caller's reusable buffer, and the page is not decoded whole.
          const into = kind instanceof BodyBuffer ? kind : undefined;
          const chunks: string[] = [];
          if (into) {
            into.reset();
            res.on('data', (c: Buffer) => into.append(c));
          } else {
            res.setEncoding('utf8');
            res.on('data', (c: string) => chunks.push(c));
          }
          res.on('error', reject);
          res.on('end', () => {
            const body = into ? into.view() : chunks.join('');
            const status = res.statusCode ?? 0;
            if (status >= 200 && status < 300) return resolve(body as BodyOf<K>);
            const text = body.toString();
            const error = apiErrorFrom(status, url.pathname, text) as KubeApiError & TransientError;
            const retryAfter = Number(res.headers['retry-after']);
            if (retryAfter > 0) error.retryAfterMs = Math.min(retryAfter, 10) * 1000;
            reject(error);
          });
        },
      );
      // A server that stops answering (its network cut, not its port closed) would otherwise hold the
      // request for as long as the kernel keeps the connection: an idle socket is a retryable timeout.
      req.setTimeout(timeoutMs, () => req.destroy(Object.assign(new Error(`no answer for ${Math.round(timeoutMs / 1000)} s`), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent?.destroy();
  }
}

/**
 * Asks the API server for its version, waiting at most ~25 s (three 8-second tries): commands that
 * write call this first, so an unreachable cluster is one clear error before anything is stored.
 */
export async function assertReachable(kc: KubeConfig): Promise<void> {
  const probe = new KubeHttpClient(kc, { retry: { attempts: 3, baseDelayMs: 300, maxDelayMs: 1_000 }, timeoutMs: 8_000 });
  try {
    await probe.getJson('/version');
  } catch (error) {
    // It answered: only a refusal of the credentials themselves stops here (RBAC may hide /version).
    if (error instanceof KubeApiError && error.status !== 401) return;
    if (error instanceof KubeApiError) throw new KubeUnreachableError(`the API server at ${probe.describe()} refused the credentials of the kubeconfig (HTTP ${error.status}): ${error.message}`);
    throw error;
  } finally {
    probe.close();
  }
}
