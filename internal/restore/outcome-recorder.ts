// Where every item's outcome goes: Velero's resource list (`ns/name(created)` by apiVersion/Kind),
// the results (warnings/errors by namespace, cluster or velero), the log, and the dry-run preview.
import type { BackupLog } from '../backup/backup-log.ts';
import { ResultsCollector, scopeOf } from '../backup/results.ts';
import type { ItemOutcome } from './apply-item.ts';
import { formatDifferences } from './object-diff.ts';
import { type ListedAction, RestoreResourceList } from './restore-resource-list.ts';

export interface ItemRef {
  groupResource: string;
  /** `apiVersion/Kind` of the backed-up item: the resource-list key. */
  listKey: string;
  kind: string;
  /** Target namespace and name (after mapping). */
  namespace?: string;
  name: string;
}

const label = (ref: ItemRef) => `${ref.namespace ? `${ref.namespace}/` : ''}${ref.name}`;
const indent = (lines: string[]) => lines.map((l) => `             ${l}`).join('\n');

export class OutcomeRecorder {
  readonly results = new ResultsCollector();
  readonly resourceList = new RestoreResourceList();
  /** The dry run's lines; a real restore keeps none (a line per item would be memory per item). */
  readonly preview: string[] = [];
  restored = 0;

  constructor(
    private readonly log: BackupLog,
    private readonly keepPreview = true,
  ) {}

  private previewLine(line: () => string): void {
    if (this.keepPreview) this.preview.push(line());
  }

  private list(ref: ItemRef, action: ListedAction): void {
    this.resourceList.add(ref.listKey, ref.namespace, ref.name, action);
  }

  skipped(ref: ItemRef, reason: string): void {
    this.log.info('Skipping item', { resource: ref.groupResource, name: label(ref), reason });
    this.previewLine(() => `skip       ${ref.groupResource} ${label(ref)}: ${reason}`);
    this.list(ref, 'skipped');
  }

  /** An item created in a namespace (or of a resource) that only a dry run made: not checked by the server. */
  previewedUnchecked(ref: ItemRef, why: string): void {
    this.previewLine(() => `create     ${ref.groupResource} ${label(ref)} (${why}: not checked by the server)`);
    this.list(ref, 'created');
  }

  error(ref: ItemRef, message: string): void {
    this.results.error(scopeOf(ref.namespace), `error restoring ${ref.groupResource}/${label(ref)}: ${message}`);
    this.log.error('Error restoring item', { resource: ref.groupResource, name: label(ref), error: message });
    this.previewLine(() => `fail       ${ref.groupResource} ${label(ref)}: ${message}`);
    this.list(ref, 'failed');
  }

  warning(ref: ItemRef, message: string): void {
    this.results.warn(scopeOf(ref.namespace), message);
    this.log.warn(message, { resource: ref.groupResource, name: label(ref) });
  }

  outcome(ref: ItemRef, outcome: ItemOutcome): void {
    for (const w of outcome.warnings ?? []) this.warning(ref, w);
    switch (outcome.action) {
      case 'created':
        this.restored++;
        this.previewLine(() => `create     ${ref.groupResource} ${label(ref)}`);
        this.log.info('Restored item', { resource: ref.groupResource, name: label(ref) });
        return this.list(ref, 'created');
      case 'updated':
        this.restored++;
        this.previewLine(() => `update     ${ref.groupResource} ${label(ref)}${outcome.differences.length ? `\n${indent(formatDifferences(outcome.differences))}` : ''}`);
        this.log.info("Updated existing item to the backup's content", { resource: ref.groupResource, name: label(ref) });
        return this.list(ref, 'updated');
      case 'unchanged':
        this.previewLine(() => `unchanged  ${ref.groupResource} ${label(ref)}`);
        this.log.info('Restore of item skipped: it already exists in the cluster and is the same as the backed up version', { resource: ref.groupResource, name: label(ref) });
        return this.list(ref, 'skipped');
      case 'exists-different':
        this.warning(ref, `could not restore, ${ref.kind} "${ref.name}" already exists. Warning: the in-cluster version is different than the backed-up version`);
        this.previewLine(() => `skip       ${ref.groupResource} ${label(ref)}: exists and differs (use --existing-resource-policy=update)\n${indent(formatDifferences(outcome.differences))}`);
        return this.list(ref, 'skipped');
      case 'update-refused':
        this.previewLine(() => `skip       ${ref.groupResource} ${label(ref)}: exists, differs and the server refuses the update\n${indent(formatDifferences(outcome.differences))}`);
        return this.list(ref, 'skipped');
      case 'failed':
        return this.error(ref, outcome.message);
    }
  }

}
