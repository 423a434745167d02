// NAME-resource-list.json.gz: every item written, keyed `group/version/Kind` (`v1/ConfigMap`,
// `apps/v1/Deployment`), values `ns/name` (cluster-scoped: `name`), sorted — built in bounded
// memory (SortedListFile).
import { SortedListFile } from '../collections/sorted-list-file.ts';

export class ResourceList {
  private readonly file = new SortedListFile();

  add(apiVersion: string, kind: string, namespace: string | undefined, name: string): void {
    this.file.add(`${apiVersion}/${kind}`, namespace ? `${namespace}/${name}` : name);
  }

  /** The file as stored. */
  gzippedJson(): Buffer {
    return this.file.gzippedJson();
  }

  toJSON(): Record<string, string[]> {
    return this.file.toJSON();
  }

  /** Frees the sort's temp files (see SortedListFile). */
  close(): void {
    this.file.close();
  }
}
