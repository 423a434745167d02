import { Command, Option } from 'clipanion';
import { KubeCommand } from '../../kube-options.ts';
import { openBackupStore } from './open-store.ts';

export class BackupLogsCommand extends KubeCommand {
  static override paths = [['backup', 'logs']];

  static override usage = Command.Usage({
    category: 'Backup',
    description: 'print a backup\'s log',
    examples: [['Print the log of a backup', 'kubectl velero backup logs shop-1']],
  });

  name = Option.String({ name: 'NAME' });
  storageLocation = Option.String('--storage-location', { description: 'the backup storage location (default: the default location)' });

  async run(): Promise<number> {
    const { backups } = await openBackupStore(this.storageLocation, this);
    this.context.stdout.write(await backups.logText(this.name));
    return 0;
  }
}
