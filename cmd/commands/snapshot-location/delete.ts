import { Command, Option } from 'clipanion';
import { KubeCommand } from '../../kube-options.ts';
import { LocationConfigError, readLocations } from '../../../internal/storage/location-config.ts';
import { removeSnapshotLocation } from '../../../internal/snapshots/snapshot-locations.ts';

export class SnapshotLocationDeleteCommand extends KubeCommand {
  static override paths = [['snapshot-location', 'delete']];

  static override usage = Command.Usage({
    category: 'Volume snapshot locations',
    description: 'forget a volume snapshot location',
    details: "Removes the location from the plugin config file. The snapshots taken through it stay in the cloud; deleting a backup that has some needs the location, so delete those backups first. A cluster's VolumeSnapshotLocation objects are Velero's: remove them with kubectl.",
    examples: [['Forget the location ebs', 'kubectl velero snapshot-location delete ebs --confirm']],
  });

  name = Option.String({ required: true, name: 'NAME' });
  confirm = Option.Boolean('--confirm', false, { description: 'confirm the deletion' });

  async run(): Promise<number> {
    if (!this.confirm) throw new LocationConfigError(`add --confirm to delete volume snapshot location "${this.name}"`);
    if (!readLocations().volumeSnapshotLocations?.[this.name]) throw new LocationConfigError(`volume snapshot location "${this.name}" not found in the plugin config`);
    removeSnapshotLocation(this.name);
    this.context.stdout.write(`Volume snapshot location "${this.name}" deleted (its snapshots are untouched).\n`);
    return 0;
  }
}
