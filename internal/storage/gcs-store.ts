// ObjectStore for Google Cloud Storage (and GCS emulators such as fake-gcs-server): Velero's `gcp`
// provider, on @google-cloud/storage's JSON API client. Streams go up as resumable uploads, by
// default in one streamed request (the body flows through with backpressure, so memory stays bounded;
// with `chunkSize` in chunks of that size, each buffered for its retry); an upload that fails or is
// aborted is never finalised, so no object appears (GCS creates the object only when the last byte lands).
// Errors become one line that names the location, never the credentials.
import { PassThrough, Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type File, Storage, type StorageOptions } from '@google-cloud/storage';
import { AbortSignal as AbortSignalShim } from 'abort-controller';
import { checkKey, normalisePrefix } from './keys.ts';
import { ObjectNotFoundError, type ObjectStore, type PutOptions, StorageUnavailableError } from './object-store.ts';

/** The parsed JSON of a credentials file (service_account, authorized_user or external_account). */
export type GcsCredentialsJson = Record<string, unknown> & { type: string };

export interface GcsStoreOptions {
  bucket: string;
  prefix?: string;
  /** Velero's `storeEndpoint`: the JSON API's base URL (e.g. a private endpoint or an emulator). */
  endpoint?: string;
  /** Velero's `universeDomain` (a Google Cloud universe other than googleapis.com). */
  universeDomain?: string;
  /** Velero's `kmsKeyName`: new objects are encrypted with this Cloud KMS key. */
  kmsKeyName?: string;
  /** From a credentials file; without them Application Default Credentials are used. */
  credentials?: GcsCredentialsJson;
  /** Resumable upload chunk size in bytes (a multiple of 256 KiB). */
  chunkSize?: number;
  /** Retries of a failed request (the library's default is 3). */
  maxRetries?: number;
}

// Resumable uploads send their data with a signal from the `abort-controller` package (the library's
// own dependency), and node-fetch 2 underneath accepts a signal only if its class is *named*
// AbortSignal. A bundler that renames the class (esbuild makes it AbortSignal2 unless keepNames is
// on) breaks every resumable upload with "Expected signal to be an instanceof AbortSignal": give the
// class its name back. A no-op when it has it.
if (AbortSignalShim.name !== 'AbortSignal') Object.defineProperty(AbortSignalShim, 'name', { value: 'AbortSignal' });

const CHUNK_SIZE = 8 * 1024 * 1024;
const CHUNK_GRANULE = 256 * 1024;
/** Bodies given whole (Buffer, string) up to this size go up in one request. */
const SINGLE_REQUEST_MAX = CHUNK_SIZE;
const NETWORK_CODES = ['ECONNREFUSED', 'ENOTFOUND', 'ECONNRESET', 'EHOSTUNREACH', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENETUNREACH', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT'];

/** The options the client is made with: exported so the unit tests can check them without a network. */
export function storageOptions(options: GcsStoreOptions): StorageOptions {
  const creds = options.credentials;
  const projectId = typeof creds?.project_id === 'string' ? creds.project_id : typeof creds?.quota_project_id === 'string' ? creds.quota_project_id : undefined;
  return {
    ...(options.endpoint ? { apiEndpoint: options.endpoint } : {}),
    ...(options.universeDomain ? { universeDomain: options.universeDomain } : {}),
    // The library skips authentication for any custom endpoint unless told otherwise. Velero's plugin
    // (Go's storage client) authenticates against `storeEndpoint` too, and a real private endpoint
    // needs it, so we always do. Service-account keys sign their own JWTs (see useJWTAccessWithScope
    // in GcsStore), so an emulator needs no token server; credentials that must be exchanged for a
    // token (authorized_user, external_account, the metadata server) need one, as on real GCS.
    useAuthWithCustomEndpoint: true,
    ...(creds ? { credentials: creds as StorageOptions['credentials'] } : {}),
    ...(projectId ? { projectId } : {}),
    retryOptions: { maxRetries: options.maxRetries ?? 3, totalTimeout: 300 },
  };
}

export class GcsStore implements ObjectStore {
  private readonly client: Storage;
  private readonly prefix: string;
  /** Undefined: one streamed request per upload (bench/storage: 2.5x faster than 8 MiB chunks). */
  private readonly chunkSize: number | undefined;
  /** Set once the bucket was seen to exist, so a 404 on an object costs one bucket check at most once. */
  private bucketSeen = false;

  constructor(private readonly options: GcsStoreOptions) {
    this.prefix = normalisePrefix(options.prefix);
    const chunk = options.chunkSize;
    this.chunkSize = chunk === undefined ? undefined : Math.max(CHUNK_GRANULE, Math.ceil(chunk / CHUNK_GRANULE) * CHUNK_GRANULE);
    this.client = new Storage(storageOptions(options));
    // Service-account keys: sign a JWT carrying the scopes ourselves instead of trading it for an
    // OAuth token at the token endpoint, as Go's storage client (and so Velero's plugin) does. Real
    // GCS accepts such JWTs, and it needs no token server, which an emulator does not have.
    this.client.authClient.useJWTAccessWithScope = true;
  }

  describe(): string {
    // The library (like Go's, so Velero's plugin) sends everything to STORAGE_EMULATOR_HOST when it is set.
    const emulator = process.env.STORAGE_EMULATOR_HOST;
    const where = emulator ? ` at ${emulator} (STORAGE_EMULATOR_HOST)` : this.options.endpoint ? ` at ${this.options.endpoint}` : this.options.universeDomain ? ` in ${this.options.universeDomain}` : '';
    return `gs://${this.options.bucket}/${this.prefix}${where}`;
  }

  private file(key: string): File {
    return this.client.bucket(this.options.bucket).file(this.prefix + checkKey(key), this.options.kmsKeyName ? { kmsKeyName: this.options.kmsKeyName } : {});
  }

  /** Turns library, auth and network errors into one line a user can act on. */
  private explain(error: unknown, action: string): Error {
    if (error instanceof ObjectNotFoundError || error instanceof StorageUnavailableError) return error;
    const where = this.describe();
    const e = error as { code?: unknown; status?: unknown; message?: unknown; errors?: { reason?: string }[]; cause?: { code?: unknown }; response?: { status?: number; data?: unknown } };
    const status = typeof e.code === 'number' ? e.code : typeof e.status === 'number' ? e.status : e.response?.status;
    const code = typeof e.code === 'string' ? e.code : typeof e.cause?.code === 'string' ? e.cause.code : '';
    const reason = e.errors?.[0]?.reason ?? '';
    const message = oneLine(typeof e.message === 'string' ? e.message : String(error));
    const oauthError = typeof e.response?.data === 'object' && e.response.data !== null ? (e.response.data as { error?: unknown }).error : undefined;
    if (status === 401 || (typeof oauthError === 'string' && ['invalid_grant', 'invalid_client', 'unauthorized_client', 'invalid_request'].includes(oauthError))) {
      const what = typeof oauthError === 'string' ? oauthError : reason || 'HTTP 401';
      return new StorageUnavailableError(`the object store rejected the credentials (${what}) for ${where}: check the location's credentials`);
    }
    if (status === 403) return new StorageUnavailableError(`access denied while trying to ${action} in ${where}${message ? ` (${message})` : ''}`);
    if (NETWORK_CODES.includes(code) || /socket hang up|fetch failed/i.test(message)) {
      return new StorageUnavailableError(`cannot reach the object store ${where} (${code || message}) while trying to ${action}`);
    }
    if (/Could not load the default credentials|Unable to detect a Project Id/i.test(message)) {
      return new StorageUnavailableError(`no Google Cloud credentials found for ${where}: give the location a credentials file (a service-account key) or set up Application Default Credentials`);
    }
    if (/DECODER routines|PEM|private key|secretOrPrivateKey/i.test(message)) {
      return new StorageUnavailableError(`the private key in the credentials for ${where} cannot be used: check the location's credentials`);
    }
    const label = status ? `HTTP ${status}: ` : code ? `${code}: ` : '';
    return new StorageUnavailableError(`could not ${action} in ${where}: ${label}${message}`);
  }

  private async checkBucket(): Promise<void> {
    if (this.bucketSeen) return;
    let found: boolean;
    try {
      [found] = await this.client.bucket(this.options.bucket).exists();
    } catch (error) {
      throw this.explain(error, 'check the bucket');
    }
    if (!found) throw new StorageUnavailableError(`bucket "${this.options.bucket}" does not exist (${this.describe()})`);
    this.bucketSeen = true;
  }

  /** A 404 on an object: the object is missing, or the whole bucket is. */
  private async notFound(key: string): Promise<ObjectNotFoundError> {
    await this.checkBucket();
    return new ObjectNotFoundError(key, this.describe());
  }

  async put(key: string, body: Readable | Buffer | string, options: PutOptions = {}): Promise<void> {
    const file = this.file(key);
    const whole = typeof body === 'string' || Buffer.isBuffer(body);
    const size = whole ? Buffer.byteLength(body) : undefined;
    // Small bodies: one multipart request, which creates the object or nothing. Streams: a resumable
    // session in chunks of `chunkSize`; the object exists only once the last chunk is committed.
    const resumable = !whole || size! > SINGLE_REQUEST_MAX;
    let sessionUri: string | undefined;
    const stream = file.createWriteStream({
      resumable,
      ...(resumable && this.chunkSize ? { chunkSize: this.chunkSize } : {}),
      ...(options.contentType ? { contentType: options.contentType } : {}),
      // Backups and volume data carry their own checks; a CRC32C is cheap and GCS checks it server-side.
      validation: 'crc32c',
    });
    stream.on('uri', (uri: string) => {
      sessionUri = uri;
    });
    try {
      await pipeline(whole ? Readable.from([Buffer.isBuffer(body) ? body : Buffer.from(body)]) : body, stream, { signal: options.signal });
    } catch (error) {
      if (sessionUri) await this.cancelSession(sessionUri);
      if (options.signal?.aborted) throw options.signal.reason instanceof Error ? options.signal.reason : new Error('upload aborted');
      if (isNotFound(error)) await this.checkBucket();
      throw this.explain(error, `write ${key}`);
    }
  }

  /**
   * Cancels an unfinished resumable session (DELETE on its URI, which GCS answers with 499), so the
   * uploaded chunks are dropped now rather than when the session expires. Nothing was committed
   * either way; this is tidying, and its own failure is ignored.
   */
  private async cancelSession(uri: string): Promise<void> {
    try {
      await fetch(uri, { method: 'DELETE', headers: { 'Content-Length': '0' }, signal: AbortSignal.timeout(5_000) });
    } catch {
      /* best effort */
    }
  }

  async get(key: string, signal?: AbortSignal): Promise<Readable> {
    const stream = this.file(key).createReadStream({ decompress: false, validation: 'crc32c' });
    // The library reports a missing object as a stream error once the first read starts the request:
    // start it now and wait for a successful response (or that error), so a missing key rejects here
    // like every other store.
    const onAbort = () => stream.destroy(signal!.reason instanceof Error ? signal!.reason : new Error('read aborted'));
    signal?.addEventListener('abort', onAbort, { once: true });
    let failed: ((error: Error) => void) | undefined;
    try {
      await new Promise<void>((resolve, reject) => {
        failed = reject;
        stream.on('response', (response: { statusCode?: number }) => {
          if ((response.statusCode ?? 0) < 300) resolve();
        });
        stream.once('error', failed);
        stream.read(0);
      });
    } catch (error) {
      signal?.removeEventListener('abort', onAbort);
      stream.destroy();
      if (signal?.aborted) throw error;
      if (isNotFound(error)) throw await this.notFound(key);
      throw this.explain(error, `read ${key}`);
    }
    // Later errors (a dropped connection, a CRC32C mismatch) reach the reader as one-line errors.
    const out = new PassThrough();
    stream.off('error', failed!);
    stream.on('error', (error) => out.destroy(signal?.aborted ? (error as Error) : this.explain(error, `read ${key}`)));
    out.on('close', () => {
      signal?.removeEventListener('abort', onAbort);
      if (!stream.destroyed) stream.destroy();
    });
    stream.pipe(out);
    return out;
  }

  async getRange(key: string, start: number, length: number, signal?: AbortSignal): Promise<Buffer> {
    if (length <= 0) return Buffer.alloc(0);
    const file = this.file(key);
    const chunks: Buffer[] = [];
    try {
      const stream = file.createReadStream({ start, end: start + length - 1, decompress: false, validation: false });
      await pipeline(stream, async function* (source: AsyncIterable<Buffer>) {
        for await (const chunk of source) chunks.push(chunk);
      }, { signal });
    } catch (error) {
      if (signal?.aborted) throw error;
      if (isNotFound(error)) throw await this.notFound(key);
      // A range that starts past the end: like a short read, nothing there.
      if (statusOf(error) === 416) return Buffer.alloc(0);
      throw this.explain(error, `read ${key}`);
    }
    const out = Buffer.concat(chunks);
    return out.length > length ? out.subarray(0, length) : out;
  }

  async exists(key: string): Promise<boolean> {
    try {
      await this.file(key).getMetadata();
      return true;
    } catch (error) {
      if (isNotFound(error)) {
        await this.checkBucket();
        return false;
      }
      throw this.explain(error, `check ${key}`);
    }
  }

  async *list(prefix: string): AsyncIterable<string> {
    let pageToken: string | undefined;
    do {
      let files: File[];
      let next: { pageToken?: string } | null;
      try {
        [files, next] = (await this.client.bucket(this.options.bucket).getFiles({ prefix: this.prefix + prefix, autoPaginate: false, maxResults: 1000, ...(pageToken ? { pageToken } : {}) })) as [File[], { pageToken?: string } | null, unknown];
      } catch (error) {
        if (isNotFound(error)) await this.checkBucket();
        throw this.explain(error, `list ${prefix || "the bucket"}`);
      }
      for (const file of files) yield file.name.slice(this.prefix.length);
      pageToken = next?.pageToken;
    } while (pageToken);
  }

  async listCommonPrefixes(prefix: string, delimiter = '/'): Promise<string[]> {
    const out: string[] = [];
    let pageToken: string | undefined;
    do {
      let next: { pageToken?: string } | null;
      let response: { prefixes?: string[] };
      try {
        [, next, response] = (await this.client.bucket(this.options.bucket).getFiles({ prefix: this.prefix + prefix, delimiter, autoPaginate: false, maxResults: 1000, ...(pageToken ? { pageToken } : {}) })) as [File[], { pageToken?: string } | null, { prefixes?: string[] }];
      } catch (error) {
        if (isNotFound(error)) await this.checkBucket();
        throw this.explain(error, `list ${prefix || "the bucket"}`);
      }
      for (const p of response?.prefixes ?? []) out.push(p.slice(this.prefix.length));
      pageToken = next?.pageToken;
    } while (pageToken);
    return out.sort();
  }

  async delete(key: string): Promise<void> {
    try {
      await this.file(key).delete();
    } catch (error) {
      // Idempotent: a missing object is fine; a missing bucket is not.
      if (isNotFound(error)) {
        await this.checkBucket();
        return;
      }
      throw this.explain(error, `delete ${key}`);
    }
  }
}

function statusOf(error: unknown): number | undefined {
  const e = error as { code?: unknown; response?: { status?: unknown } };
  if (typeof e.code === 'number') return e.code;
  if (typeof e.response?.status === 'number') return e.response.status;
  return undefined;
}

function isNotFound(error: unknown): boolean {
  return statusOf(error) === 404;
}

/** A message as one line, short: library messages can hold a response body. */
function oneLine(message: string): string {
  const line = message.replace(/\s+/g, ' ').trim();
  return line.length > 300 ? `${line.slice(0, 297)}…` : line;
}
