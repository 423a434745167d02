import { Command, Option } from 'clipanion';
import { KubeCommand } from '../../kube-options.ts';
import { LocationConfigError, readLocations } from '../../../internal/storage/location-config.ts';
import { checkSnapshotLocationCredentials } from '../../../internal/snapshots/registry.ts';
import { configSnapshotLocations, replaceSnapshotLocation, resolveSnapshotLocation, type SnapshotLocationSpec } from '../../../internal/snapshots/snapshot-locations.ts';
import { parseCredentialFlag } from './create.ts';

export class SnapshotLocationSetCommand extends KubeCommand {
  static override paths = [['snapshot-location', 'set']];

  static override usage = Command.Usage({
    category: 'Volume snapshot locations',
    description: 'change the credentials or the default of a volume snapshot location',
    details: "Changes a location of the plugin config file: Velero's `--credential SECRET=KEY` or `--credential-file`, each replacing the other, and `--default`, which makes it its provider's default.",
    examples: [
      ['Take the credentials from a Secret of the Velero namespace', 'kubectl velero snapshot-location set ebs --credential cloud-credentials=cloud'],
      ['Make ebs-west the default for aws', 'kubectl velero snapshot-location set ebs-west --default'],
    ],
  });

  name = Option.String({ required: true, name: 'NAME' });
  credential = Option.String('--credential', { description: 'SECRET-NAME=KEY: the credentials are that key of a Secret in the Velero namespace' });
  credentialFile = Option.String('--credential-file,--credentials-file', { description: "the location's credentials file" });
  makeDefault = Option.Boolean('--default', false, { description: "make it its provider's default location" });

  async run(): Promise<number> {
    const credential = parseCredentialFlag(this.credential);
    if (credential && this.credentialFile) throw new LocationConfigError('give --credential or --credential-file, not both');
    if (!credential && !this.credentialFile && !this.makeDefault) throw new LocationConfigError('nothing to set: give --credential, --credential-file or --default');
    const current = readLocations().volumeSnapshotLocations?.[this.name];
    if (!current) throw new LocationConfigError(`volume snapshot location "${this.name}" not found in the plugin config`);
    let next: SnapshotLocationSpec = { ...current, ...(this.makeDefault ? { default: true } : {}) };
    if (credential || this.credentialFile) {
      const { credential: _secret, credentialsFile: _file, ...rest } = next;
      next = { ...rest, ...(credential ? { credential } : { credentialsFile: this.credentialFile! }) };
    }
    if (this.credentialFile) checkSnapshotLocationCredentials(await resolveSnapshotLocation(configSnapshotLocations({ [this.name]: next })[0]!));
    replaceSnapshotLocation(this.name, next);
    this.context.stdout.write(`Volume snapshot location "${this.name}" configured successfully.\n`);
    return 0;
  }
}
