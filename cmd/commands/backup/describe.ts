import { Command, Option } from 'clipanion';
import { LocationCommand } from '../../location-command.ts';
import { safeText } from '../../../internal/text/quote.ts';
import { parseOutputFormat, renderStructured } from '../../../internal/output/format.ts';
import { readRecords } from '../../../internal/volumes/records.ts';
import { readVeleroPodVolumeBackups } from '../../../internal/volumes/velero-pod-volumes.ts';
import { readGzJsonIfExists } from '../../../internal/storage/object-reads.ts';
import { backupKeys } from '../../../internal/storage/layout.ts';
import type { BackupOperation, BackupVolumeInfo } from '../../../internal/snapshots/volume-info.ts';
import { describeBackup } from './format-backup.ts';
import { openBackupStore } from './open-store.ts';

export class BackupDescribeCommand extends LocationCommand {
  static override paths = [['backup', 'describe']];

  static override usage = Command.Usage({
    category: 'Backup',
    description: 'show a backup\'s spec, status, warnings and errors, and with --details its resource list',
    examples: [
      ['Describe a backup', 'kubectl velero backup describe shop-1'],
      ['With every item and each volume', 'kubectl velero backup describe shop-1 --details'],
    ],
  });

  names = Option.Rest({ name: 'NAME', required: 1 });
  details = Option.Boolean('--details', false, { description: 'also show the resource list and each volume backed up' });
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
      // As Velero: the results file is read whenever the backup counts warnings or errors, with or
      // without --details; the resource list only with --details.
      const results = backup.status.errors || backup.status.warnings ? await backups.results(name) : undefined;
      const resourceList = this.details ? await backups.resourceList(name) : undefined;
      // Ours (under plugins/), or those of a Velero-made backup (its node agent's, in Velero's file).
      const podVolumeBackups = [...(await readRecords(store, name)), ...(await readVeleroPodVolumeBackups(store, name))];
      const volumeInfo = (await readGzJsonIfExists<BackupVolumeInfo[]>(store, backupKeys(name).volumeInfo)) ?? [];
      const itemOperations = this.details && backup.status.backupItemOperationsAttempted ? await readGzJsonIfExists<BackupOperation[]>(store, backupKeys(name).itemOperations) : undefined;
      parts.push(describeBackup(backup, { results, resourceList, podVolumeBackups, volumeInfo, itemOperations, details: this.details }));
    }
    // Velero separates backups by two blank lines.
    this.context.stdout.write(safeText(parts.join(format === 'table' ? '\n\n' : '\n')));
    return 0;
  }
}
