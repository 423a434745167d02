// Groups sealed chunks (blobs) into pack objects of about `packSize` bytes, the way restic and kopia
// do: a 1 GiB volume in 32 KiB chunks is ~30,000 blobs but ~130 PUTs. Each pack is followed by its
// index object (`index/<pack>.json`: every blob's id, offset and length), written only after the
// pack itself, so an index never points into a pack that is not stored. Uploads run in the
// background, at most `concurrency` packs at once; `add` waits when that many are in flight, so
// memory stays at about (concurrency + 1) × packSize.
import { randomBytes } from 'node:crypto';
import type { ObjectStore } from '../../storage/object-store.ts';

export type IndexEntry = [id: string, offset: number, length: number];

export interface PackIndex {
  pack: string;
  blobs: IndexEntry[];
}

export interface PackLayout {
  packKey(pack: string): string;
  indexKey(pack: string): string;
}

interface OpenPack {
  id: string;
  parts: Buffer[];
  size: number;
  blobs: IndexEntry[];
  stored: Deferred;
}

interface Deferred {
  promise: Promise<void>;
  resolve(): void;
  reject(error: unknown): void;
}

function deferred(): Deferred {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  // Awaited by whoever needs it; nobody waiting must not be an unhandled rejection.
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}

export class PackWriter {
  private current: OpenPack | undefined;
  private readonly inFlight = new Set<Promise<void>>();
  private failure: unknown;
  /** Bytes PUT so far: packs and their indexes. */
  uploadedBytes = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly layout: PackLayout,
    private readonly opts: { packSize: number; concurrency: number; signal?: AbortSignal },
  ) {}

  /**
   * Adds a sealed blob. Returns where it will be, and a promise that settles when its pack and
   * the pack's index are stored (or fail).
   */
  async add(id: string, sealed: Buffer): Promise<{ pack: string; offset: number; length: number; stored: Promise<void> }> {
    if (this.failure) throw this.failure;
    const pack = (this.current ??= { id: randomBytes(16).toString('hex'), parts: [], size: 0, blobs: [], stored: deferred() });
    const where = { pack: pack.id, offset: pack.size, length: sealed.length, stored: pack.stored.promise };
    pack.blobs.push([id, pack.size, sealed.length]);
    pack.parts.push(sealed);
    pack.size += sealed.length;
    if (pack.size >= this.opts.packSize) await this.close();
    return where;
  }

  /** Stores the open pack, waits for every upload; throws the first failure. */
  async flush(): Promise<void> {
    await this.close();
    await Promise.all(this.inFlight);
    if (this.failure) throw this.failure;
  }

  /** Gives up: the open pack is never stored, and whoever waits for it hears `error`. */
  abort(error: unknown): void {
    this.failure ??= error;
    this.current?.stored.reject(error);
    this.current = undefined;
  }

  private async close(): Promise<void> {
    const pack = this.current;
    if (!pack) return;
    this.current = undefined;
    while (this.inFlight.size >= this.opts.concurrency) await Promise.race(this.inFlight);
    if (this.failure) {
      pack.stored.reject(this.failure);
      throw this.failure;
    }
    const upload = (async () => {
      const body = Buffer.concat(pack.parts);
      pack.parts = [];
      await this.store.put(this.layout.packKey(pack.id), body, { signal: this.opts.signal, selfChecked: true });
      const index = JSON.stringify({ pack: pack.id, blobs: pack.blobs } satisfies PackIndex);
      await this.store.put(this.layout.indexKey(pack.id), index, { contentType: 'application/json', signal: this.opts.signal });
      this.uploadedBytes += body.length + Buffer.byteLength(index);
    })();
    const tracked: Promise<void> = upload.then(
      () => pack.stored.resolve(),
      (error: unknown) => {
        this.failure ??= error;
        pack.stored.reject(error);
      },
    ).finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
  }
}
