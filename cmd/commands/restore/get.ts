import { Command, Option } from 'clipanion';
import { LocationCommand } from '../../location-command.ts';
import type { ResolvedLocation } from '../../location.ts';
import { goTime } from '../backup/format-backup.ts';
import { parseOutputFormat, renderStructured } from '../../../internal/output/format.ts';
import { renderTable } from '../../../internal/output/table.ts';
import { StoredRestores } from '../../../internal/restore/stored-restores.ts';
import type { Restore } from '../../../internal/restore/restore-object.ts';
import { formatLabelSelector } from '../../../internal/backup/label-selector.ts';

export const RESTORE_COLUMNS = ['NAME', 'BACKUP', 'STATUS', 'STARTED', 'COMPLETED', 'ERRORS', 'WARNINGS', 'CREATED', 'SELECTOR'];

export function restoreRow(r: Restore): string[] {
  return [r.metadata.name, r.spec.backupName, r.status.phase, goTime(r.status.startTimestamp), goTime(r.status.completionTimestamp), String(r.status.errors ?? 0), String(r.status.warnings ?? 0), goTime(r.metadata.creationTimestamp), selectorText(r)];
}

/** Velero's SELECTOR column: the label selector, or the or-selectors joined by " or ". */
export function selectorText(r: Restore): string {
  if (r.spec.orLabelSelectors?.length) return r.spec.orLabelSelectors.map((s) => formatLabelSelector(s)).join(' or ');
  return formatLabelSelector(r.spec.labelSelector);
}

export function openStoredRestores(location: ResolvedLocation): StoredRestores {
  return new StoredRestores(location.store);
}

export class RestoreGetCommand extends LocationCommand {
  static override paths = [['restore', 'get']];

  static override usage = Command.Usage({
    category: 'Restore',
    description: 'list restores',
    details: 'Lists the restores recorded in the storage location.',
    examples: [['List restores', 'kubectl velero restore get'], ['One restore as YAML', 'kubectl velero restore get shop-1-20261124101500 -o yaml']],
  });

  names = Option.Rest({ name: 'NAME' });
  output = Option.String('-o,--output', { description: 'output format: table (default), json or yaml' });

  async run(): Promise<number> {
    const format = parseOutputFormat(this.output);
    const restores = openStoredRestores(await this.openLocation());
    const items = this.names.length ? await Promise.all(this.names.map((n) => restores.get(n))) : await restores.list();
    if (format !== 'table') {
      this.context.stdout.write(renderStructured(this.names.length === 1 ? items[0] : { apiVersion: 'velero.io/v1', kind: 'RestoreList', items }, format));
      return 0;
    }
    this.context.stdout.write(renderTable(RESTORE_COLUMNS, items.map((r) => restoreRow(r))));
    return 0;
  }
}
