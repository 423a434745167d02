import { Command, Option } from 'clipanion';
import { KubeCommand } from '../../kube-options.ts';
import { LocationConfigError, readLocations, writeLocations } from '../../../internal/storage/location-config.ts';

export class BackupLocationSetDefaultCommand extends KubeCommand {
  static override paths = [['backup-location', 'set-default']];

  static override usage = Command.Usage({
    category: 'Backup storage locations',
    description: 'make a location the default',
    details: 'Backups and restores use the default location unless `--storage-location` names another.',
    examples: [['Use minio by default', 'kubectl velero backup-location set-default minio']],
  });

  name = Option.String({ required: true, name: 'NAME' });

  async run(): Promise<number> {
    const file = readLocations();
    if (!file.locations[this.name]) throw new LocationConfigError(`backup storage location "${this.name}" not found`);
    file.defaultLocation = this.name;
    writeLocations(file);
    this.context.stdout.write(`Backup storage location "${this.name}" is now the default.\n`);
    return 0;
  }
}
