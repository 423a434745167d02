import { Command, Option } from 'clipanion';
import { KubeCommand } from '../../kube-options.ts';
import { checkLocationName, configPath, LocationConfigError, parseKeyValues, readLocations, writeLocations } from '../../../internal/storage/location-config.ts';
import { configCredentialSource, PROVIDERS, readCredentials, validateSpec } from '../../../internal/storage/providers/registry.ts';

const providerList = PROVIDERS.map((p) => `\`${p.name}\` is ${p.summary} (config keys: ${p.configKeys.map((k) => `\`${k}\``).join(', ')})`).join('; ');

export class BackupLocationCreateCommand extends KubeCommand {
  static override paths = [['backup-location', 'create']];

  static override usage = Command.Usage({
    category: 'Backup storage locations',
    description: 'add a backup storage location',
    details: `Adds a named storage location to the plugin's config file (\`$KUBECTL_VELERO_CONFIG\`, or \`~/.config/kubectl-velero/config.yaml\`). Providers (Velero's \`velero.io/\` names are accepted too): ${providerList}. The credentials file (in the format Velero's plugin for the provider takes) stays where it is: only its path is recorded; without one, the provider SDK's default credentials are used.`,
    examples: [
      ['A MinIO bucket as the default location', 'kubectl velero backup-location create minio --provider aws --bucket velero --config region=us-east-1,s3Url=http://127.0.0.1:9000,s3ForcePathStyle=true --credential-file ./minio-credentials --default'],
      ['An S3 bucket with a prefix, credentials from the AWS SDK chain', 'kubectl velero backup-location create prod --provider aws --bucket my-backups --prefix cluster-a --config region=eu-west-1'],
      ['An Azure Blob container', 'kubectl velero backup-location create azure --provider azure --bucket velero --config storageAccount=backups01,storageAccountKeyEnvVar=AZURE_STORAGE_ACCOUNT_ACCESS_KEY --credential-file ./credentials-velero'],
      ['A Google Cloud Storage bucket with a service-account key', 'kubectl velero backup-location create gcs --provider gcp --bucket my-velero-backups --credential-file ./gcp-service-account.json'],
      ['A local directory', 'kubectl velero backup-location create disk --provider local --config path=/srv/backups'],
    ],
  });

  name = Option.String({ required: true, name: 'NAME' });
  provider = Option.String('--provider', { required: true, description: 'aws (S3, MinIO), azure, gcp or local' });
  bucket = Option.String('--bucket', { description: 'bucket (aws, gcp) or blob container (azure)' });
  prefix = Option.String('--prefix', { description: 'folder inside the bucket or directory' });
  config = Option.String('--config', { description: "provider settings key=value,…, Velero's keys (see --help)" });
  credentialFile = Option.String('--credential-file,--credentials-file', { description: "the location's credentials file, in the format of Velero's plugin for the provider" });
  makeDefault = Option.Boolean('--default', false, { description: 'make it the default location' });

  async run(): Promise<number> {
    const name = checkLocationName(this.name);
    const file = readLocations();
    if (file.locations[name]) throw new LocationConfigError(`backup storage location "${name}" already exists`);
    const spec = validateSpec(name, {
      provider: this.provider,
      ...(this.bucket ? { bucket: this.bucket } : {}),
      ...(this.prefix ? { prefix: this.prefix } : {}),
      config: parseKeyValues(this.config),
      ...(this.credentialFile ? { credentialsFile: this.credentialFile } : {}),
    });
    // A credentials file that cannot be read or parsed is refused now, not at the first backup.
    readCredentials(name, spec, configCredentialSource(spec));
    file.locations[name] = spec;
    if (this.makeDefault || !file.defaultLocation) file.defaultLocation = name;
    writeLocations(file);
    this.context.stdout.write(`Backup storage location "${name}" added to ${configPath()}${file.defaultLocation === name ? ' (default)' : ''}.\n`);
    return 0;
  }
}
