// NAME-resource-list.json.gz: every item written, keyed `group/version/Kind` (`v1/ConfigMap`,
// `apps/v1/Deployment`), values `ns/name` (cluster-scoped: `name`), sorted.
export class ResourceList {
  private readonly byKey = new Map<string, string[]>();

  add(apiVersion: string, kind: string, namespace: string | undefined, name: string): void {
    const key = `${apiVersion}/${kind}`;
    let list = this.byKey.get(key);
    if (!list) this.byKey.set(key, (list = []));
    list.push(namespace ? `${namespace}/${name}` : name);
  }

  toJSON(): Record<string, string[]> {
    const out: Record<string, string[]> = {};
    for (const key of [...this.byKey.keys()].sort()) out[key] = [...this.byKey.get(key)!].sort();
    return out;
  }
}
