// Reads an AWS shared-credentials file — the format Velero's `--secret-file` takes and MinIO set-ups
// hand out — for one profile. Only the keys we need; values never leave this module in messages.
import { readFileSync } from 'node:fs';

export interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

export class CredentialsFileError extends Error {}

export function parseCredentialsFile(text: string, profile = 'default'): StaticCredentials {
  let section = '';
  const values: Record<string, string> = {};
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[\s*(?:profile\s+)?([^\]]+?)\s*\]$/.exec(line);
    if (header) {
      section = header[1] ?? '';
      continue;
    }
    const kv = /^([A-Za-z_]+)\s*=\s*(.*)$/.exec(line);
    if (kv && section === profile) values[kv[1]!.toLowerCase()] = kv[2]!.trim();
  }
  const accessKeyId = values.aws_access_key_id;
  const secretAccessKey = values.aws_secret_access_key;
  if (!accessKeyId || !secretAccessKey) {
    throw new CredentialsFileError(`profile "${profile}" of the credentials file has no aws_access_key_id/aws_secret_access_key`);
  }
  return { accessKeyId, secretAccessKey, ...(values.aws_session_token ? { sessionToken: values.aws_session_token } : {}) };
}

export function readCredentialsFile(path: string, profile?: string): StaticCredentials {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new CredentialsFileError(`cannot read credentials file ${path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  try {
    return parseCredentialsFile(text, profile);
  } catch (error) {
    throw new CredentialsFileError(`${path}: ${(error as Error).message}`);
  }
}
