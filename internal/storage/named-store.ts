// Every store error a user meets names the location it came from: a store's own messages name its
// bucket and endpoint (`s3://velero/ at http://…`), which is not what the user typed. This wraps a
// location's store so that StorageUnavailableError messages start with `backup storage location
// "NAME": `; a missing key (ObjectNotFoundError) and everything else pass through unchanged.
import { PassThrough, type Readable } from 'node:stream';
import { type ObjectStore, type PutOptions, StorageUnavailableError } from './object-store.ts';

export class NamedStore implements ObjectStore {
  constructor(
    readonly location: string,
    readonly inner: ObjectStore,
  ) {}

  private named(error: unknown): unknown {
    // By name too: a store module loaded by a dynamic import under the test runner's CJS hook has
    // its own copy of the error classes (the bundle has one; the build keeps class names).
    const unavailable = error instanceof StorageUnavailableError || (error instanceof Error && error.constructor.name === StorageUnavailableError.name);
    if (!unavailable || error.message.startsWith('backup storage location "')) return error;
    const named = new StorageUnavailableError(`backup storage location "${this.location}": ${error.message}`);
    named.stack = error.stack;
    return named;
  }

  private async call<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      throw this.named(error);
    }
  }

  describe(): string {
    return this.inner.describe();
  }

  put(key: string, body: Readable | Buffer | string, options?: PutOptions): Promise<void> {
    return this.call(() => this.inner.put(key, body, options));
  }

  /**
   * The body, whose errors part-way (the store killed, the connection reset) are StorageUnavailableErrors
   * naming the location and the key: a reader must not take a cut download for a damaged object.
   */
  async get(key: string, signal?: AbortSignal): Promise<Readable> {
    const body = await this.call(() => this.inner.get(key, signal));
    const out = new PassThrough({ highWaterMark: body.readableHighWaterMark });
    body.on('error', (error: Error & { code?: string }) => {
      if (out.destroyed) return;
      const cause = error.code && !error.message.includes(error.code) ? `${error.message}, ${error.code}` : error.message;
      out.destroy(this.named(new StorageUnavailableError(`the object store ${this.inner.describe()} stopped sending ${key} part-way (${cause})`)) as Error);
    });
    // A reader that stops early lets go of the download too.
    out.on('close', () => {
      if (!body.readableEnded) body.destroy();
    });
    return body.pipe(out);
  }

  getRange(key: string, start: number, length: number, signal?: AbortSignal): Promise<Buffer> {
    return this.call(() => this.inner.getRange(key, start, length, signal));
  }

  exists(key: string): Promise<boolean> {
    return this.call(() => this.inner.exists(key));
  }

  async *list(prefix: string): AsyncIterable<string> {
    try {
      yield* this.inner.list(prefix);
    } catch (error) {
      throw this.named(error);
    }
  }

  listCommonPrefixes(prefix: string, delimiter?: string): Promise<string[]> {
    return this.call(() => this.inner.listCommonPrefixes(prefix, delimiter));
  }

  delete(key: string): Promise<void> {
    return this.call(() => this.inner.delete(key));
  }
}
