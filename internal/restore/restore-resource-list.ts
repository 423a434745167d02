// restore-NAME-resource-list.json.gz: every item the restore reached, keyed `apiVersion/Kind`
// (`v1/ConfigMap`), values `ns/name(action)` (cluster-scoped: `name(action)`), sorted — Velero's
// shape.
//
// Held as names per namespace per key, with an action code, until the end, and joined into
// `ns/name(action)` only then (as the backup's ResourceList does): the names are the staged items'
// own strings and the namespaces one string each, so an item costs two array slots here, not a
// string of its own for the whole restore.
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

  toJSON(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const key of [...this.byKey.keys()].sort()) {
      const values: string[] = [];
      for (const [namespace, { names, actions }] of this.byKey.get(key)!) {
        const prefix = namespace ? `${namespace}/` : '';
        for (let i = 0; i < names.length; i++) values.push(`${prefix}${names[i]}(${ACTIONS[actions[i]!]})`);
      }
      out[key] = values.sort();
    }
    return out;
  }
}
