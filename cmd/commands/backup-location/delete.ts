import { Command, Option } from 'clipanion';
import { KubeCommand } from '../../kube-options.ts';
import { LocationConfigError, readLocations, writeLocations } from '../../../internal/storage/location-config.ts';

export class BackupLocationDeleteCommand extends KubeCommand {
  static override paths = [['backup-location', 'delete']];

  static override usage = Command.Usage({
    category: 'Backup storage locations',
    description: 'forget a backup storage location',
    details: 'Removes the location from the plugin config file. The backups in the bucket or directory are not touched.',
    examples: [['Forget the location minio', 'kubectl velero backup-location delete minio --confirm']],
  });

  name = Option.String({ required: true, name: 'NAME' });
  confirm = Option.Boolean('--confirm', false, { description: 'confirm the deletion' });

  async run(): Promise<number> {
    if (!this.confirm) throw new LocationConfigError(`add --confirm to delete backup storage location "${this.name}"`);
    const file = readLocations();
    if (!file.locations[this.name]) throw new LocationConfigError(`backup storage location "${this.name}" not found`);
    delete file.locations[this.name];
    if (file.defaultLocation === this.name) delete file.defaultLocation;
    writeLocations(file);
    this.context.stdout.write(`Backup storage location "${this.name}" deleted (its backups are untouched).\n`);
    return 0;
  }
}
