import { Command, Option } from 'clipanion';
import { LocationCommand } from '../../location-command.ts';
import type { Backup } from '../../../internal/backup/backup-object.ts';
import { parseOutputFormat, renderStructured } from '../../../internal/output/format.ts';
import { renderTable } from '../../../internal/output/table.ts';
import { GET_COLUMNS, getRow } from './format-backup.ts';
import { openBackupStore } from './open-store.ts';

export class BackupGetCommand extends LocationCommand {
  static override paths = [['backup', 'get']];

  static override usage = Command.Usage({
    category: 'Backup',
    description: 'list backups in a storage location',
    details: 'Lists the backups stored in the storage location (the default one unless `--storage-location` says otherwise). Only backups whose upload finished are listed.',
    examples: [
      ['List all backups', 'kubectl velero backup get'],
      ['Show two backups as JSON', 'kubectl velero backup get shop-1 shop-2 -o json'],
    ],
  });

  names = Option.Rest({ name: 'NAME' });
  output = Option.String('-o,--output', { description: 'output format: table (default), json or yaml' });

  async run(): Promise<number> {
    const format = parseOutputFormat(this.output);
    const { backups } = openBackupStore(await this.openLocation());
    let items: Backup[];
    if (this.names.length) items = await Promise.all(this.names.map((n) => backups.get(n)));
    else items = await backups.list();
    if (format !== 'table') {
      const value = this.names.length === 1 ? items[0] : { apiVersion: 'velero.io/v1', kind: 'BackupList', items };
      this.context.stdout.write(renderStructured(value, format));
      return 0;
    }
    this.context.stdout.write(renderTable(GET_COLUMNS, items.map((b) => getRow(b))));
    return 0;
  }
}

