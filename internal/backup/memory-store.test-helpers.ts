// An ObjectStore in memory for tests of the upload order and of failures half-way.
import type { Readable } from 'node:stream';
import { Readable as NodeReadable } from 'node:stream';
import { ObjectNotFoundError, type ObjectStore, type PutOptions } from '../storage/object-store.ts';

export class MemoryStore implements ObjectStore {
  objects = new Map<string, Buffer>();
  putOrder: string[] = [];
  /** Puts fail once this many bytes of streamed uploads have been read (the bucket "goes read-only"). */
  failStreamsAfterBytes = Infinity;
  failAllPuts = false;

  describe(): string {
    return 'memory://test';
  }

  async put(key: string, body: Readable | Buffer | string, options?: PutOptions): Promise<void> {
    if (this.failAllPuts) throw new Error('AccessDenied: bucket is read-only');
    let data: Buffer;
    if (typeof body === 'string' || Buffer.isBuffer(body)) data = Buffer.from(body);
    else {
      const chunks: Buffer[] = [];
      let total = 0;
      for await (const chunk of body) {
        if (options?.signal?.aborted) throw new Error('aborted');
        total += (chunk as Buffer).length;
        if (total > this.failStreamsAfterBytes) {
          body.destroy();
          throw new Error('AccessDenied: bucket became read-only');
        }
        chunks.push(chunk as Buffer);
      }
      data = Buffer.concat(chunks);
    }
    this.objects.set(key, data);
    this.putOrder.push(key);
  }

  async get(key: string): Promise<Readable> {
    const data = this.objects.get(key);
    if (!data) throw new ObjectNotFoundError(key, this.describe());
    return NodeReadable.from([data]);
  }

  async getRange(key: string, start: number, length: number): Promise<Buffer> {
    const data = this.objects.get(key);
    if (!data) throw new ObjectNotFoundError(key, this.describe());
    return Buffer.from(data.subarray(start, start + length));
  }

  async exists(key: string): Promise<boolean> {
    return this.objects.has(key);
  }

  async *list(prefix: string): AsyncIterable<string> {
    for (const key of [...this.objects.keys()].sort()) if (key.startsWith(prefix)) yield key;
  }

  async listCommonPrefixes(prefix: string, delimiter = '/'): Promise<string[]> {
    const out = new Set<string>();
    for (const key of this.objects.keys()) {
      if (!key.startsWith(prefix)) continue;
      const rest = key.slice(prefix.length);
      const cut = rest.indexOf(delimiter);
      if (cut >= 0) out.add(prefix + rest.slice(0, cut + 1));
    }
    return [...out].sort();
  }

  async delete(key: string): Promise<void> {
    this.objects.delete(key);
  }
}
