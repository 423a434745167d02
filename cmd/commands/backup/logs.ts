import { Command, Option } from 'clipanion';
import { LocationCommand } from '../../location-command.ts';
import { openBackupStore } from './open-store.ts';

export class BackupLogsCommand extends LocationCommand {
  static override paths = [['backup', 'logs']];

  static override usage = Command.Usage({
    category: 'Backup',
    description: 'print a backup\'s log',
    examples: [['Print the log of a backup', 'kubectl velero backup logs shop-1']],
  });

  name = Option.String({ name: 'NAME' });

  async run(): Promise<number> {
    const { backups } = openBackupStore(await this.openLocation());
    this.context.stdout.write(await backups.logText(this.name));
    return 0;
  }
}
