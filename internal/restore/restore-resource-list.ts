// restore-NAME-resource-list.json.gz: every item the restore reached, keyed `apiVersion/Kind`
// (`v1/ConfigMap`), values `ns/name(action)` (cluster-scoped: `name(action)`), sorted — Velero's
// shape, built in bounded memory (SortedListFile).
import { SortedListFile } from '../collections/sorted-list-file.ts';

export type ListedAction = 'created' | 'updated' | 'failed' | 'skipped';

export class RestoreResourceList {
  private readonly file = new SortedListFile();

  add(listKey: string, namespace: string | undefined, name: string, action: ListedAction): void {
    this.file.add(listKey, `${namespace ? `${namespace}/` : ''}${name}(${action})`);
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
