// Where backed-up items go: the archive writer (internal/archive) streams them into the tarball.
// The engine only says which item it is; the writer owns the tarball's path layout.
export interface ArchiveItemCoordinates {
  /** `deployments.apps`, `configmaps` */
  groupResource: string;
  /** the API version the item was read at: `v1` */
  version: string;
  /** true when that is the resource's preferred version: Velero then writes the item twice. */
  preferred: boolean;
  namespace?: string;
  name: string;
}

export interface ItemSink {
  addItem(item: ArchiveItemCoordinates, json: string): Promise<void>;
}

/** Serialises writes from parallel listers: a tar stream takes one entry at a time. */
export function serialSink(sink: ItemSink): ItemSink {
  let tail: Promise<void> = Promise.resolve();
  return {
    addItem(item, json) {
      const next = tail.then(() => sink.addItem(item, json));
      // Later writes still run after a failure; the failure reaches the caller of this write.
      tail = next.catch(() => undefined);
      return next;
    },
  };
}
