import { Command, Option } from 'clipanion';
import { KubeCommand } from '../../kube-options.ts';
import { parseOutputFormat, renderStructured } from '../../../internal/output/format.ts';
import { checkLocationName, configPath, LocationConfigError, parseKeyValues } from '../../../internal/storage/location-config.ts';
import { checkSnapshotLocationCredentials, SNAPSHOT_PROVIDERS, validateSnapshotLocation } from '../../../internal/snapshots/registry.ts';
import { addSnapshotLocation, asVolumeSnapshotLocation, configSnapshotLocations, resolveSnapshotLocation, type SnapshotLocationSpec } from '../../../internal/snapshots/snapshot-locations.ts';

const providerList = SNAPSHOT_PROVIDERS.map((p) => `\`${p.name}\`: ${p.summary} (config keys: ${p.configKeys.map((k) => `\`${k}\``).join(', ')})`).join('; ');

/** Velero's `--credential SECRET=KEY`: one pair. */
export function parseCredentialFlag(text: string | undefined): { name: string; key: string } | undefined {
  if (text === undefined) return undefined;
  const pairs = Object.entries(parseKeyValues(text));
  if (pairs.length !== 1) throw new LocationConfigError('--credential can only contain 1 key/value pair: SECRET-NAME=KEY');
  const [name, key] = pairs[0]!;
  if (!name || !key) throw new LocationConfigError('--credential needs SECRET-NAME=KEY');
  return { name, key };
}

export class SnapshotLocationCreateCommand extends KubeCommand {
  static override paths = [['snapshot-location', 'create']];

  static override usage = Command.Usage({
    category: 'Volume snapshot locations',
    description: 'add a volume snapshot location',
    details: `Adds a named volume snapshot location — where native volume snapshots are taken — to the plugin's config file (\`$KUBECTL_VELERO_CONFIG\`, or \`~/.config/kubectl-velero/config.yaml\`), beside the backup storage locations. Backups snapshot each PersistentVolume whose disk a location's provider recognises. Providers (Velero's \`velero.io/\` names are accepted too): ${providerList}. \`ec2Endpoint\` is ours: the EC2 API's URL, for moto or an EC2-compatible cloud. Credentials: \`--credential-file\` (an AWS shared-credentials file; only its path is recorded), or Velero's \`--credential SECRET=KEY\` (a key of a Secret in the Velero namespace, read with your credentials when the location is used), else the config key \`credentialsFile\`, else the AWS SDK's default chain. With several locations of one provider, the one made with \`--default\` is used unless a backup names another with \`--volume-snapshot-locations\`. \`-o json|yaml\` prints the VolumeSnapshotLocation instead of storing it.`,
    examples: [
      ['EBS snapshots in us-east-1 with a credentials file', 'kubectl velero snapshot-location create ebs --provider aws --config region=us-east-1 --credential-file ./credentials-velero'],
      ['A profile of the credentials kept in a Secret of the Velero namespace', 'kubectl velero snapshot-location create ebs-west --provider aws --config region=us-west-2,profile=backups --credential cloud-credentials=cloud --default'],
      ['Against a local EC2 emulator', 'kubectl velero snapshot-location create moto --provider aws --config region=us-east-1,ec2Endpoint=http://127.0.0.1:5000 --credential-file ./moto-credentials'],
    ],
  });

  name = Option.String({ required: true, name: 'NAME' });
  provider = Option.String('--provider', { required: true, description: 'the volume snapshot provider: aws' });
  config = Option.String('--config', { description: "provider settings key=value,…, Velero's keys (see --help)" });
  credential = Option.String('--credential', { description: 'SECRET-NAME=KEY: the credentials are that key of a Secret in the Velero namespace' });
  credentialFile = Option.String('--credential-file,--credentials-file', { description: "the location's credentials file, in the format of Velero's plugin for the provider" });
  makeDefault = Option.Boolean('--default', false, { description: "make it its provider's default location" });
  output = Option.String('-o,--output', { description: 'print the VolumeSnapshotLocation as json or yaml instead of storing it' });

  async run(): Promise<number> {
    const name = checkLocationName(this.name);
    const format = this.output === undefined ? undefined : parseOutputFormat(this.output);
    const credential = parseCredentialFlag(this.credential);
    if (credential && this.credentialFile) throw new LocationConfigError('give --credential or --credential-file, not both');
    const { provider, config } = validateSnapshotLocation(name, this.provider, parseKeyValues(this.config));
    const spec: SnapshotLocationSpec = {
      provider,
      config,
      ...(this.credentialFile ? { credentialsFile: this.credentialFile } : {}),
      ...(credential ? { credential } : {}),
      ...(this.makeDefault ? { default: true } : {}),
    };
    const [entry] = configSnapshotLocations({ [name]: spec });
    if (format !== undefined && format !== 'table') {
      this.context.stdout.write(renderStructured(asVolumeSnapshotLocation(entry!, this.veleroNamespace()), format));
      return 0;
    }
    // A credentials file that cannot be read or parsed is refused now, not at the first backup.
    if (!credential) checkSnapshotLocationCredentials(await resolveSnapshotLocation(entry!));
    addSnapshotLocation(name, spec);
    this.context.stdout.write(`Volume snapshot location "${name}" added to ${configPath()}${spec.default ? ` (default for provider ${provider})` : ''}.\n`);
    return 0;
  }
}
