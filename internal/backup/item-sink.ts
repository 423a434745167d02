// Where backed-up items go: the archive writer (internal/archive) streams them into the tarball.
// The engine only says which item it is; the writer owns the tarball's path layout.
export type { ArchiveItemCoordinates } from '../archive/item-paths.ts';
export type { ItemJson } from '../archive/writer.ts';

import type { ArchiveItemCoordinates } from '../archive/item-paths.ts';
import type { ItemJson } from '../archive/writer.ts';

export interface ItemSink {
  addItem(item: ArchiveItemCoordinates, json: ItemJson): Promise<void>;
}

/** A write into the archive failed: the backup cannot complete (unlike an API error, which skips one thing). */
export class SinkFailure extends Error {
  constructor(override readonly cause: unknown) {
    super(`writing the backup archive failed: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

/** Serialises writes from parallel listers (a tar stream takes one entry at a time); failures become SinkFailure. */
export function serialSink(sink: ItemSink): ItemSink {
  let tail: Promise<void> = Promise.resolve();
  return {
    addItem(item, json) {
      const next = tail.then(() => sink.addItem(item, json)).catch((error: unknown) => {
        throw error instanceof SinkFailure ? error : new SinkFailure(error);
      });
      // Later writes still run after a failure; the failure reaches the caller of this write.
      tail = next.catch(() => undefined);
      return next;
    },
  };
}
