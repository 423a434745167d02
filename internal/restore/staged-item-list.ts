// One resource's staged items, kept in columns rather than as an object per item: a restore of
// 100,000 ConfigMaps held ~120 bytes of heap per item as objects, ~57 here (the offsets and lengths
// in typed arrays, the namespace a pointer to one shared string, the name its own short string):
// with the resource list's ~100 bytes per item (now ~25, restore-resource-list.ts), most of what
// made a restore's memory grow with the backup's size.

export interface StagedItem {
  namespace?: string;
  name: string;
  /** Where the item's bytes are in the staging file. */
  offset: number;
  length: number;
}

const FIRST_CAPACITY = 16;

export class StagedItemList implements Iterable<StagedItem> {
  static readonly EMPTY: StagedItemList = new StagedItemList();

  private count = 0;
  private offsets = new Float64Array(FIRST_CAPACITY);
  private lengths = new Uint32Array(FIRST_CAPACITY);
  private readonly namespaces: (string | undefined)[] = [];
  private readonly names: string[] = [];

  get length(): number {
    return this.count;
  }

  push(namespace: string | undefined, name: string, offset: number, length: number): void {
    if (this.count === this.offsets.length) this.grow();
    this.offsets[this.count] = offset;
    this.lengths[this.count] = length;
    this.namespaces.push(namespace);
    this.names.push(name);
    this.count++;
  }

  /** The item at `index`, as a new object each time (the list keeps none). */
  at(index: number): StagedItem {
    if (index < 0 || index >= this.count) throw new RangeError(`no staged item ${index} (${this.count} staged)`);
    const namespace = this.namespaces[index];
    const item: StagedItem = { name: this.names[index]!, offset: this.offsets[index]!, length: this.lengths[index]! };
    if (namespace !== undefined) item.namespace = namespace;
    return item;
  }

  namespaceAt(index: number): string | undefined {
    return this.namespaces[index];
  }

  nameAt(index: number): string {
    return this.names[index]!;
  }

  *[Symbol.iterator](): Iterator<StagedItem> {
    for (let i = 0; i < this.count; i++) yield this.at(i);
  }

  private grow(): void {
    const offsets = new Float64Array(this.offsets.length * 2);
    offsets.set(this.offsets);
    this.offsets = offsets;
    const lengths = new Uint32Array(this.lengths.length * 2);
    lengths.set(this.lengths);
    this.lengths = lengths;
  }
}
