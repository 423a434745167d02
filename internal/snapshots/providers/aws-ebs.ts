// Velero's `aws` volume snapshotter (velero-plugin-for-aws, volume_snapshotter.go): Amazon EBS
// snapshots through the EC2 API. Credentials are read as the object-store `aws` provider reads
// them (an AWS shared-credentials file, from --credential-file, the config key credentialsFile or
// the location's Secret; else the SDK's default chain), with the config key `profile`.
//
// `ec2Endpoint` is ours, not Velero's: the EC2 API's base URL, for a local emulator (moto) or an
// EC2-compatible cloud. Velero's plugin always talks to the region's AWS endpoint.
import { parseCredentialsFile, readCredentialsFile, type StaticCredentials } from '../../storage/providers/aws-credentials.ts';
import type { ResolvedSnapshotLocation, SnapshotProvider } from '../registry.ts';

const BOOLEAN = /^(true|false|1|0|yes|no)$/i;

/** The location's credentials; undefined means the SDK's default chain (with the config key `profile`). */
export function ebsCredentials(location: ResolvedSnapshotLocation): StaticCredentials | undefined {
  const profile = location.config.profile || undefined;
  const source = location.credentials;
  if (source.kind === 'default') return undefined;
  if (source.kind === 'file') {
    try {
      return readCredentialsFile(source.path, profile);
    } catch (error) {
      throw new Error(`${(error as Error).message}${source.from ? ` (${source.from})` : ''}`);
    }
  }
  try {
    return parseCredentialsFile(source.text, profile);
  } catch (error) {
    throw new Error(`${source.describe}: ${(error as Error).message}`);
  }
}

export const awsEbsProvider: SnapshotProvider = {
  name: 'aws',
  aliases: ['aws', 'velero.io/aws'],
  summary: 'Amazon EBS volumes (in-tree awsElasticBlockStore and the ebs.csi.aws.com CSI driver)',
  configKeys: ['region', 'profile', 'credentialsFile', 'enableSharedConfig', 'ebsKmsKeyId', 'ec2Endpoint'],

  validate(config: Record<string, string>): void {
    if (!config.region) throw new Error('config key region is required (the region of the EBS volumes), e.g. --config region=us-east-1');
    if (config.enableSharedConfig !== undefined && !BOOLEAN.test(config.enableSharedConfig)) throw new Error('config key enableSharedConfig must be true or false');
    if (config.ec2Endpoint !== undefined && !/^https?:\/\/[^/]/.test(config.ec2Endpoint)) throw new Error('config key ec2Endpoint must be an http:// or https:// URL');
  },

  checkCredentials(location: ResolvedSnapshotLocation): void {
    ebsCredentials(location);
  },

  async open(location: ResolvedSnapshotLocation, env: NodeJS.ProcessEnv) {
    // Read at the first request, not here: a credentials file that cannot be read fails each
    // snapshot with the PV's name (as wrong credentials do), and PVs that are not EBS volumes
    // are still recognised as such.
    let read: Promise<StaticCredentials> | undefined;
    const credentials = location.credentials.kind === 'default' ? undefined : () => (read ??= Promise.resolve().then(() => ebsCredentials(location)!));
    const { EbsSnapshotter } = await import('./aws-ebs-snapshotter.ts');
    return new EbsSnapshotter({
      region: location.config.region!,
      ...(location.config.ec2Endpoint ? { endpoint: location.config.ec2Endpoint } : {}),
      ...(credentials ? { credentials } : location.config.profile ? { profile: location.config.profile } : {}),
      ...(location.config.ebsKmsKeyId ? { kmsKeyId: location.config.ebsKmsKeyId } : {}),
      ...(env.AWS_CLUSTER_NAME ? { clusterName: env.AWS_CLUSTER_NAME } : {}),
    });
  },
};
