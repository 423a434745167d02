// One resource's staged items, in columns of typed arrays rather than an object (or even a string)
// per item: the offset and length of its bytes in the staging file, its namespace as a number into
// the backup's table of namespaces, and the length of its name, which is staged in the file right
// after its bytes and read back when asked for. An item costs 18 bytes here, outside V8's heap.
// Kept as objects, 100,000 staged ConfigMaps held ~120 bytes of heap each; as columns with the name
// a string of its own, ~57: with the resource list's names, most of what made a restore's memory
// grow with the backup's size.
import { readSync } from 'node:fs';

export interface StagedItem {
  namespace?: string;
  name: string;
  /** Where the item's bytes are in the staging file. */
  offset: number;
  length: number;
}

/**
 * What a staged backup's lists share: its namespaces (one string each, numbered from 1; 0 is none)
 * and the staging file their names are read back from, once it is written (attach).
 */
export class StagedStrings {
  private readonly namespaces: (string | undefined)[] = [undefined];
  private readonly ids = new Map<string, number>();
  private fd = -1;

  namespaceId(namespace: string | undefined): number {
    if (namespace === undefined) return 0;
    let id = this.ids.get(namespace);
    if (id === undefined) {
      // Its own copy: cut from an archive path, the string would be a view keeping the whole path.
      id = this.namespaces.push(Buffer.from(namespace, 'utf8').toString('utf8')) - 1;
      this.ids.set(namespace, id);
    }
    return id;
  }

  namespace(id: number): string | undefined {
    return this.namespaces[id];
  }

  /** The staging file, open for reading, once every item is in it. */
  attach(fd: number): void {
    this.fd = fd;
  }

  /** The staging file is closed: names can no longer be read. */
  detach(): void {
    this.fd = -2;
  }

  /** The UTF-8 text at `offset` (one pread: a name is a few dozen bytes in the page cache). */
  text(offset: number, length: number): string {
    if (this.fd < 0) throw new Error(this.fd === -1 ? 'the staging file is not written yet' : 'the staging file is closed');
    const buffer = Buffer.allocUnsafe(length);
    const read = readSync(this.fd, buffer, 0, length, offset);
    if (read !== length) throw new Error(`the staging file is short at ${offset} (${read} of ${length} bytes)`);
    return buffer.toString('utf8');
  }
}

const FIRST_CAPACITY = 16;

export class StagedItemList implements Iterable<StagedItem> {
  private count = 0;
  private offsets = new Float64Array(FIRST_CAPACITY);
  private lengths = new Uint32Array(FIRST_CAPACITY);
  private nameLengths = new Uint16Array(FIRST_CAPACITY);
  private namespaceIds = new Uint32Array(FIRST_CAPACITY);

  constructor(private readonly strings: StagedStrings) {}

  get length(): number {
    return this.count;
  }

  /** An item whose bytes are at `offset` and its name's UTF-8 (at most 65,535 bytes) right after them. */
  push(namespace: string | undefined, offset: number, length: number, nameLength: number): void {
    if (nameLength > 0xffff) throw new RangeError(`a staged name of ${nameLength} bytes`);
    if (this.count === this.offsets.length) this.grow();
    this.offsets[this.count] = offset;
    this.lengths[this.count] = length;
    this.nameLengths[this.count] = nameLength;
    this.namespaceIds[this.count] = this.strings.namespaceId(namespace);
    this.count++;
  }

  /** The item at `index`, as a new object each time (the list keeps none). */
  at(index: number): StagedItem {
    const namespace = this.namespaceAt(index);
    const item: StagedItem = { name: this.nameAt(index), offset: this.offsets[index]!, length: this.lengths[index]! };
    if (namespace !== undefined) item.namespace = namespace;
    return item;
  }

  namespaceAt(index: number): string | undefined {
    this.check(index);
    return this.strings.namespace(this.namespaceIds[index]!);
  }

  nameAt(index: number): string {
    this.check(index);
    return this.strings.text(this.offsets[index]! + this.lengths[index]!, this.nameLengths[index]!);
  }

  *[Symbol.iterator](): Iterator<StagedItem> {
    for (let i = 0; i < this.count; i++) yield this.at(i);
  }

  private check(index: number): void {
    if (!(index >= 0 && index < this.count)) throw new RangeError(`no staged item ${index} (${this.count} staged)`);
  }

  private grow(): void {
    const grown = <T extends Float64Array | Uint32Array | Uint16Array>(column: T): T => {
      const next = new (column.constructor as new (n: number) => T)(column.length * 2);
      next.set(column);
      return next;
    };
    this.offsets = grown(this.offsets);
    this.lengths = grown(this.lengths);
    this.nameLengths = grown(this.nameLengths);
    this.namespaceIds = grown(this.namespaceIds);
  }
}
