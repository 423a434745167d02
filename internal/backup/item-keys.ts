// The identities of the items a backup has taken (group resource, namespace, name), to take each
// once. Nested rather than one joined `gr|ns|name` string per item: at 100,000 items the joined keys
// (and the parts each was joined from) were the largest thing a backup kept, tens of MB; here an
// item costs its name string, which the resource list holds too, and a set entry.
export class ItemKeys {
  private readonly byResource = new Map<string, Map<string, Set<string>>>();

  has(groupResource: string, namespace: string | undefined, name: string): boolean {
    return this.byResource.get(groupResource)?.get(namespace ?? '')?.has(name) ?? false;
  }

  add(groupResource: string, namespace: string | undefined, name: string): void {
    let namespaces = this.byResource.get(groupResource);
    if (!namespaces) this.byResource.set(groupResource, (namespaces = new Map()));
    let names = namespaces.get(namespace ?? '');
    if (!names) namespaces.set(namespace ?? '', (names = new Set()));
    names.add(name);
  }

  delete(groupResource: string, namespace: string | undefined, name: string): void {
    this.byResource.get(groupResource)?.get(namespace ?? '')?.delete(name);
  }
}
