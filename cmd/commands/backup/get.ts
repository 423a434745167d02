import { Command, Option } from 'clipanion';
import Table from 'cli-table3';
import { BaseCommand } from '../../base-command.ts';
import { kubeOptions } from '../../kube-options.ts';
import type { Backup } from '../../../internal/backup/backup-object.ts';
import { parseOutputFormat, renderStructured } from '../../../internal/output/format.ts';
import { GET_COLUMNS, getRow } from './format-backup.ts';
import { openBackupStore } from './open-store.ts';

export class BackupGetCommand extends BaseCommand {
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
  kube = kubeOptions();
  storageLocation = Option.String('--storage-location', { description: 'the backup storage location (default: the default location)' });
  output = Option.String('-o,--output', { description: 'output format: table (default), json or yaml' });

  async run(): Promise<number> {
    const format = parseOutputFormat(this.output);
    const { backups } = await openBackupStore(this.storageLocation);
    let items: Backup[];
    if (this.names.length) items = await Promise.all(this.names.map((n) => backups.get(n)));
    else items = await backups.list();
    if (format !== 'table') {
      const value = this.names.length === 1 ? items[0] : { apiVersion: 'velero.io/v1', kind: 'BackupList', items };
      this.context.stdout.write(renderStructured(value, format));
      return 0;
    }
    const table = new Table({ head: GET_COLUMNS, style: { head: [], border: [], compact: true }, chars: noBorders });
    for (const b of items) table.push(getRow(b));
    this.context.stdout.write(`${table.toString().split('\n').map((l) => l.trimEnd()).join('\n')}\n`);
    return 0;
  }
}

// kubectl-style plain columns: no box drawing, two spaces between columns.
const noBorders = {
  top: '', 'top-mid': '', 'top-left': '', 'top-right': '', bottom: '', 'bottom-mid': '', 'bottom-left': '', 'bottom-right': '',
  left: '', 'left-mid': '', mid: '', 'mid-mid': '', right: '', 'right-mid': '', middle: '  ',
};
