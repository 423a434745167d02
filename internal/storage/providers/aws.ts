// Velero's `aws` provider (velero-plugin-for-aws): Amazon S3 and S3-compatible stores (MinIO, Ceph).
// Credentials are an AWS shared-credentials file (Velero's --secret-file), or the SDK's default
// chain (environment, ~/.aws, instance roles) when none is given.
import type { ObjectStore } from '../object-store.ts';
import { parseCredentialsFile, type StaticCredentials } from './aws-credentials.ts';
import type { LocationSpec, StorageProvider } from './provider.ts';

const truthy = (v: string | undefined) => v !== undefined && ['true', '1', 'yes'].includes(v.toLowerCase());
const BOOLEAN = /^(true|false|1|0|yes|no)$/i;

export const awsProvider: StorageProvider<StaticCredentials> = {
  name: 'aws',
  aliases: ['aws', 'velero.io/aws'],
  summary: 'Amazon S3 or an S3-compatible store such as MinIO; --bucket is the bucket',
  needsBucket: true,
  configKeys: ['region', 's3Url', 's3ForcePathStyle', 'profile', 'publicUrl', 'kmsKeyId', 'serverSideEncryption', 'tagging', 'insecureSkipTLSVerify', 'caCert', 'credentialsFile', 'enableSharedConfig', 'checksumAlgorithm'],
  unsupportedKeys: {
    customerKeyEncryptionFile: 'SSE-C (customer-provided keys) is not supported; use kmsKeyId or serverSideEncryption',
    customerKeyEncryptionSecret: 'SSE-C (customer-provided keys) is not supported; use kmsKeyId or serverSideEncryption',
    signatureVersion: 'only signature version 4 is supported; remove the key',
  },

  validate(spec: LocationSpec): void {
    const config = spec.config ?? {};
    for (const key of ['s3ForcePathStyle', 'insecureSkipTLSVerify', 'enableSharedConfig']) {
      if (config[key] !== undefined && !BOOLEAN.test(config[key])) throw new Error(`config key ${key} must be true or false`);
    }
    if (config.s3Url !== undefined && !/^https?:\/\/[^/]/.test(config.s3Url)) throw new Error('config key s3Url must be an http:// or https:// URL');
    if (config.checksumAlgorithm !== undefined && config.checksumAlgorithm !== '') {
      throw new Error('config key checksumAlgorithm: only "" is supported (requests carry checksums only where S3 requires them)');
    }
  },

  parseCredentials(text: string, spec: LocationSpec): StaticCredentials {
    return parseCredentialsFile(text, spec.config?.profile);
  },

  async open(spec: LocationSpec, credentials: StaticCredentials | undefined): Promise<ObjectStore> {
    const { S3Store } = await import('../s3-store.ts');
    const config = spec.config ?? {};
    return new S3Store({
      bucket: spec.bucket!,
      prefix: spec.prefix,
      region: config.region,
      endpoint: config.s3Url,
      forcePathStyle: truthy(config.s3ForcePathStyle),
      ...(credentials ? { credentials } : {}),
      ...(config.kmsKeyId ? { kmsKeyId: config.kmsKeyId } : {}),
      ...(config.serverSideEncryption ? { serverSideEncryption: config.serverSideEncryption } : {}),
      ...(config.tagging ? { tagging: config.tagging } : {}),
      ...(config.caCert ? { caCert: config.caCert } : {}),
      insecureSkipTLSVerify: truthy(config.insecureSkipTLSVerify),
    });
  },
};
