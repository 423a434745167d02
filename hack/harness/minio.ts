// MinIO for a cluster: generated credentials written to an AWS shared-credentials file (the format
// Velero's --secret-file and the AWS SDK read), and the bucket made with the `minio` client.
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { Client } from 'minio';

export interface MinioCredentials {
  accessKey: string;
  secretKey: string;
}

export function generateCredentials(): MinioCredentials {
  return { accessKey: `kv${randomBytes(8).toString('hex')}`, secretKey: randomBytes(24).toString('base64url') };
}

export function writeCredentialsFile(path: string, creds: MinioCredentials): void {
  writeFileSync(path, `[default]\naws_access_key_id=${creds.accessKey}\naws_secret_access_key=${creds.secretKey}\n`, { mode: 0o600 });
}

export function minioClient(endpoint: string, creds: MinioCredentials, region: string): Client {
  const url = new URL(endpoint);
  return new Client({ endPoint: url.hostname, port: Number(url.port), useSSL: url.protocol === 'https:', accessKey: creds.accessKey, secretKey: creds.secretKey, region });
}

export async function ensureBucket(client: Client, bucket: string, region: string): Promise<void> {
  if (!(await client.bucketExists(bucket))) await client.makeBucket(bucket, region);
}
