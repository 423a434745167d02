import { Command, Option } from 'clipanion';
import { BaseCommand } from '../../base-command.ts';
import {
  type Provider,
  checkLocationName,
  checkLocationSpec,
  configPath,
  LocationConfigError,
  parseKeyValues,
  readLocations,
  writeLocations,
} from '../../../internal/storage/location-config.ts';

export class BackupLocationCreateCommand extends BaseCommand {
  static override paths = [['backup-location', 'create']];

  static override usage = Command.Usage({
    category: 'Backup storage locations',
    description: 'add a backup storage location',
    details: `Adds a named storage location to the plugin's config file (\`$KUBECTL_VELERO_CONFIG\`, or \`~/.config/kubectl-velero/config.yaml\`). Provider \`aws\` is S3 or any S3-compatible store such as MinIO; \`local\` is a directory (\`--config path=DIR\`). The credentials file stays where it is: only its path is recorded.`,
    examples: [
      ['A MinIO bucket as the default location', 'kubectl velero backup-location create minio --provider aws --bucket velero --config region=us-east-1,s3Url=http://127.0.0.1:9000,s3ForcePathStyle=true --credential-file ./minio-credentials --default'],
      ['An S3 bucket with a prefix, credentials from the AWS SDK chain', 'kubectl velero backup-location create prod --provider aws --bucket my-backups --prefix cluster-a --config region=eu-west-1'],
      ['A local directory', 'kubectl velero backup-location create disk --provider local --config path=/srv/backups'],
    ],
  });

  name = Option.String({ required: true, name: 'NAME' });
  provider = Option.String('--provider', { required: true, description: 'aws (S3, MinIO) or local' });
  bucket = Option.String('--bucket', { description: 'bucket (aws)' });
  prefix = Option.String('--prefix', { description: 'folder inside the bucket or directory' });
  config = Option.String('--config', { description: 'provider settings key=value,…: region, s3Url, s3ForcePathStyle, profile (aws); path (local)' });
  credentialFile = Option.String('--credential-file,--credentials-file', { description: 'AWS shared-credentials file for this location' });
  makeDefault = Option.Boolean('--default', false, { description: 'make it the default location' });

  async run(): Promise<number> {
    const name = checkLocationName(this.name);
    const file = readLocations();
    if (file.locations[name]) throw new LocationConfigError(`backup storage location "${name}" already exists`);
    const spec = checkLocationSpec(name, {
      provider: this.provider as Provider,
      ...(this.bucket ? { bucket: this.bucket } : {}),
      ...(this.prefix ? { prefix: this.prefix } : {}),
      config: parseKeyValues(this.config),
      ...(this.credentialFile ? { credentialsFile: this.credentialFile } : {}),
    });
    file.locations[name] = spec;
    if (this.makeDefault || !file.defaultLocation) file.defaultLocation = name;
    writeLocations(file);
    this.context.stdout.write(`Backup storage location "${name}" added to ${configPath()}${file.defaultLocation === name ? ' (default)' : ''}.\n`);
    return 0;
  }
}
