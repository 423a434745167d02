// The narrow interface every object-store provider implements (local directory, S3/MinIO now;
// Azure Blob and GCS later). It knows keys and bytes, nothing of Kubernetes or of Velero's layout:
// the layout lives in layout.ts, above it.
import type { Readable } from 'node:stream';

export interface PutOptions {
  /** Content type stored with the object where the provider supports it. */
  contentType?: string;
  /** Cancels an upload in progress; a cancelled or failed put leaves no partial object behind. */
  signal?: AbortSignal;
  /**
   * The body carries its own checks, verified whenever it is read (the volume repository's packs:
   * every chunk is checked against its id). A store may then leave the body out of the request's
   * signature instead of hashing it once more.
   */
  selfChecked?: boolean;
}

export interface ObjectStore {
  /** A short human description, e.g. `s3://bucket/prefix` or `file:///path`, safe for logs (no secrets). */
  describe(): string;
  /** Writes `body` under `key`. Streams are uploaded without being held in memory whole. */
  put(key: string, body: Readable | Buffer | string, options?: PutOptions): Promise<void>;
  /** Opens `key` for reading; rejects with ObjectNotFoundError when it does not exist. */
  get(key: string, signal?: AbortSignal): Promise<Readable>;
  /**
   * `length` bytes of `key` from `start` (the volume repository reads one blob of a pack); fewer
   * only where the object ends sooner. Rejects with ObjectNotFoundError when it does not exist.
   */
  getRange(key: string, start: number, length: number, signal?: AbortSignal): Promise<Buffer>;
  exists(key: string): Promise<boolean>;
  /** Keys under `prefix` (recursively), in lexical order. */
  list(prefix: string): AsyncIterable<string>;
  /** The "folders" right under `prefix` with `delimiter` (default `/`), each ending in the delimiter. */
  listCommonPrefixes(prefix: string, delimiter?: string): Promise<string[]>;
  /** Deletes `key`; deleting a missing key is not an error. */
  delete(key: string): Promise<void>;
}

const NOT_FOUND = Symbol.for('kubectl-velero/object-not-found');

export class ObjectNotFoundError extends Error {
  readonly [NOT_FOUND] = true;

  constructor(readonly key: string, where: string) {
    super(`object "${key}" not found in ${where}`);
  }

  // A store module loaded through a dynamic import() can be a second copy of this module (under a
  // test runner's loader): `instanceof` asks for the brand, not for this copy of the class.
  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[NOT_FOUND] === true;
  }
}

export class StorageUnavailableError extends Error {}
