// NAME-resource-list.json.gz: every item written, keyed `group/version/Kind` (`v1/ConfigMap`,
// `apps/v1/Deployment`), values `ns/name` (cluster-scoped: `name`), sorted.
//
// Held as names per namespace per key until the end, and joined into `ns/name` only then: the
// names are the strings the item keys hold already (item-keys.ts), so an item costs an array slot
// here, not a string of its own for the whole backup.
export class ResourceList {
  private readonly byKey = new Map<string, Map<string, string[]>>();

  add(apiVersion: string, kind: string, namespace: string | undefined, name: string): void {
    const key = `${apiVersion}/${kind}`;
    let namespaces = this.byKey.get(key);
    if (!namespaces) this.byKey.set(key, (namespaces = new Map()));
    let names = namespaces.get(namespace ?? '');
    if (!names) namespaces.set(namespace ?? '', (names = []));
    names.push(name);
  }

  toJSON(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const key of [...this.byKey.keys()].sort()) {
      const values: string[] = [];
      for (const [namespace, names] of this.byKey.get(key)!) for (const name of names) values.push(namespace ? `${namespace}/${name}` : name);
      out[key] = values.sort();
    }
    return out;
  }
}
