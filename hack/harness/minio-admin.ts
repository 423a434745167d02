// Who may use a cluster's MinIO, for tests that take access away: a user of its own with the
// readwrite policy (its credentials file in the format a location reads), disabled and enabled
// again through MinIO's admin API. The calls go through hack/tools/minio/admin, built on first use
// and cached like MinIO; the root credentials travel in its environment, read from the cluster's
// credentials file.
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { ensureBinaries } from './build.ts';
import { generateCredentials, type MinioCredentials, writeCredentialsFile } from './minio.ts';
import type { MinioStatus } from './types.ts';

/** Adds a user with the readwrite policy and writes its credentials to `credentialsFile`. */
export async function addUser(minio: MinioStatus, credentialsFile: string): Promise<MinioCredentials> {
  const user = generateCredentials();
  await minioAdmin(minio, ['user-add', user.accessKey, user.secretKey]);
  await minioAdmin(minio, ['policy-attach', 'readwrite', user.accessKey]);
  writeCredentialsFile(credentialsFile, user);
  return user;
}

/** From now on MinIO refuses every request signed with the user's keys. */
export const disableUser = (minio: MinioStatus, accessKey: string): Promise<void> => minioAdmin(minio, ['user-disable', accessKey]);

export const enableUser = (minio: MinioStatus, accessKey: string): Promise<void> => minioAdmin(minio, ['user-enable', accessKey]);

async function minioAdmin(minio: MinioStatus, args: string[]): Promise<void> {
  const { 'minio-admin': bin } = await ensureBinaries(['minio-admin']);
  const root = readCredentialsFile(minio.credentialsFile);
  const env = { ...process.env, MINIO_ENDPOINT: minio.endpoint, MINIO_ROOT_USER: root.accessKey, MINIO_ROOT_PASSWORD: root.secretKey };
  // Not error.message: it repeats the arguments, a new user's secret among them.
  await promisify(execFile)(bin, args, { env, timeout: 60_000 }).catch((error: { stderr?: string; code?: unknown; signal?: unknown }) => {
    throw new Error(`minio-admin ${args[0]} failed: ${error.stderr?.trim() || `exit ${String(error.code ?? error.signal)}`}`);
  });
}

/** The keys of an AWS shared-credentials file as writeCredentialsFile writes it. */
function readCredentialsFile(path: string): MinioCredentials {
  const text = readFileSync(path, 'utf8');
  const value = (key: string) => new RegExp(`^${key}\\s*=\\s*(\\S+)`, 'm').exec(text)?.[1];
  const accessKey = value('aws_access_key_id');
  const secretKey = value('aws_secret_access_key');
  if (!accessKey || !secretKey) throw new Error(`${path} has no aws_access_key_id and aws_secret_access_key`);
  return { accessKey, secretKey };
}
