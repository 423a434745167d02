// restore-NAME-resource-list.json.gz: every item the restore reached, keyed `apiVersion/Kind`
// (`v1/ConfigMap`), values `ns/name(action)` (cluster-scoped: `name(action)`), sorted — Velero's
// shape.
//
// Held as names per namespace per key, with an action code, until the end (as the backup's
// ResourceList does): the names are the staged items' own strings and the namespaces one string
// each, so an item costs two array slots here, not a string of its own for the whole restore. The
// stored file is written from these columns (gzippedJson): joined, the entries of a 100,000-item
// restore, their sort and their JSON made the whole command's peak (+12 MB of heap in its last two
// seconds).
import { gzipSync } from 'node:zlib';

export type ListedAction = 'created' | 'updated' | 'failed' | 'skipped';

const ACTIONS: readonly ListedAction[] = ['created', 'updated', 'failed', 'skipped'];

interface Names {
  names: string[];
  actions: number[];
}

export class RestoreResourceList {
  private readonly byKey = new Map<string, Map<string, Names>>();

  add(listKey: string, namespace: string | undefined, name: string, action: ListedAction): void {
    let namespaces = this.byKey.get(listKey);
    if (!namespaces) this.byKey.set(listKey, (namespaces = new Map()));
    let entries = namespaces.get(namespace ?? '');
    if (!entries) namespaces.set(namespace ?? '', (entries = { names: [], actions: [] }));
    entries.names.push(name);
    entries.actions.push(ACTIONS.indexOf(action));
  }

  /**
   * The file as stored: the same JSON as `JSON.stringify(toJSON())`, gzipped, written entry by
   * entry in sorted order with no entry kept as a string of its own.
   */
  gzippedJson(): Buffer {
    const out = new JsonBuffer();
    out.text('{');
    let firstKey = true;
    for (const key of [...this.byKey.keys()].sort()) {
      out.text(`${firstKey ? '' : ','}${JSON.stringify(key)}:[`);
      firstKey = false;
      const groups = this.byKey.get(key)!;
      if (groups.has('') && groups.size > 1) {
        // Cluster-scoped and namespaced entries under one key (not a real resource's shape): joined.
        const joined = this.joined(key);
        for (let i = 0; i < joined.length; i++) out.text(`${i ? ',' : ''}${JSON.stringify(joined[i])}`);
      } else {
        let first = true;
        // `ns/…` entries of two namespaces compare as `ns/` does (a namespace has no '/'): namespaces
        // sorted by that, then each one's entries.
        for (const namespace of [...groups.keys()].sort((a, b) => compareStrings(`${a}/`, `${b}/`))) {
          const { names, actions } = groups.get(namespace)!;
          const prefix = namespace ? `${namespace}/` : '';
          const order = Uint32Array.from(names.keys()).sort((a, b) => compareEntries(names[a]!, actions[a]!, names[b]!, actions[b]!));
          for (const i of order) {
            out.text(`${first ? '' : ','}${JSON.stringify(`${prefix}${names[i]}(${ACTIONS[actions[i]!]})`)}`);
            first = false;
          }
        }
      }
      out.text(']');
    }
    out.text('}');
    return gzipSync(out.bytes());
  }

  private joined(key: string): string[] {
    const values: string[] = [];
    for (const [namespace, { names, actions }] of this.byKey.get(key)!) {
      const prefix = namespace ? `${namespace}/` : '';
      for (let i = 0; i < names.length; i++) values.push(`${prefix}${names[i]}(${ACTIONS[actions[i]!]})`);
    }
    return values.sort();
  }

  toJSON(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const key of [...this.byKey.keys()].sort()) {
      out[key] = this.joined(key);
    }
    return out;
  }
}

/** JavaScript's default sort order (UTF-16 code units). */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `name(action)` against `name(action)` in default sort order, joining them only when one name starts the other. */
function compareEntries(nameA: string, actionA: number, nameB: string, actionB: number): number {
  if (nameA === nameB) return compareStrings(ACTIONS[actionA]!, ACTIONS[actionB]!);
  if (!nameA.startsWith(nameB) && !nameB.startsWith(nameA)) return compareStrings(nameA, nameB);
  return compareStrings(`${nameA}(${ACTIONS[actionA]})`, `${nameB}(${ACTIONS[actionB]})`);
}

/** UTF-8 text appended into one growing Buffer (outside V8's heap), not a string of the whole file. */
class JsonBuffer {
  private buf = Buffer.allocUnsafe(64 * 1024);
  private used = 0;

  text(s: string): void {
    const need = Buffer.byteLength(s);
    if (this.used + need > this.buf.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.buf.length * 2, this.used + need));
      this.buf.copy(grown, 0, 0, this.used);
      this.buf = grown;
    }
    this.used += this.buf.write(s, this.used);
  }

  bytes(): Buffer {
    return this.buf.subarray(0, this.used);
  }
}
