// An ObjectStore that remembers every key written or deleted through it: the fuzzer checks that
// reading, listing and checking write nothing, and that prune writes only inside the repository.
import type { Readable } from 'node:stream';
import type { ObjectStore, PutOptions } from '../../../storage/object-store.ts';

export class WatchedStore implements ObjectStore {
  /** `put <key>` and `delete <key>`, in order. */
  writes: string[] = [];

  constructor(private readonly inner: ObjectStore) {}

  describe(): string {
    return this.inner.describe();
  }

  put(key: string, body: Readable | Buffer | string, options?: PutOptions): Promise<void> {
    this.writes.push(`put ${key}`);
    return this.inner.put(key, body, options);
  }

  get(key: string, signal?: AbortSignal): Promise<Readable> {
    return this.inner.get(key, signal);
  }

  getRange(key: string, start: number, length: number, signal?: AbortSignal): Promise<Buffer> {
    return this.inner.getRange(key, start, length, signal);
  }

  exists(key: string): Promise<boolean> {
    return this.inner.exists(key);
  }

  list(prefix: string): AsyncIterable<string> {
    return this.inner.list(prefix);
  }

  listCommonPrefixes(prefix: string, delimiter?: string): Promise<string[]> {
    return this.inner.listCommonPrefixes(prefix, delimiter);
  }

  delete(key: string): Promise<void> {
    this.writes.push(`delete ${key}`);
    return this.inner.delete(key);
  }
}
