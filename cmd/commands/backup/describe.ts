import { Command, Option } from 'clipanion';
import { LocationCommand } from '../../location-command.ts';
import { safeText } from '../../../internal/text/quote.ts';
import { parseOutputFormat, renderStructured } from '../../../internal/output/format.ts';
import { readRecords } from '../../../internal/volumes/records.ts';
import { describeBackup } from './format-backup.ts';
import { openBackupStore } from './open-store.ts';

export class BackupDescribeCommand extends LocationCommand {
  static override paths = [['backup', 'describe']];

  static override usage = Command.Usage({
    category: 'Backup',
    description: 'show a backup\'s spec, status, and with --details its results and resource list',
    examples: [
      ['Describe a backup', 'kubectl velero backup describe shop-1'],
      ['With warnings, errors and every item', 'kubectl velero backup describe shop-1 --details'],
    ],
  });

  names = Option.Rest({ name: 'NAME', required: 1 });
  details = Option.Boolean('--details', false, { description: 'show errors, warnings and the resource list' });
  output = Option.String('-o,--output', { description: 'output format: table (default), json or yaml' });

  async run(): Promise<number> {
    const format = parseOutputFormat(this.output);
    const { backups, store } = openBackupStore(await this.openLocation());
    const parts: string[] = [];
    for (const name of this.names) {
      const backup = await backups.get(name);
      if (format !== 'table') {
        parts.push(renderStructured(backup, format));
        continue;
      }
      const results = this.details ? await backups.results(name) : undefined;
      const resourceList = this.details ? await backups.resourceList(name) : undefined;
      const podVolumeBackups = await readRecords(store, name);
      parts.push(describeBackup(backup, { results, resourceList, podVolumeBackups, details: this.details }));
    }
    this.context.stdout.write(safeText(parts.join('\n')));
    return 0;
  }
}
