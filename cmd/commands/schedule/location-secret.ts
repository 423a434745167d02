// The files of an installed schedule's Secret: the plugin's config file naming the one location the
// CronJob writes to, its credentials, and the volume encryption key when there is one. The pod sees
// the same location the workstation does — except that its credentials are a file in the Secret.
import { readFileSync } from 'node:fs';
import { stringify } from 'yaml';
import type { ResolvedLocation } from '../../location.ts';
import type { LocationSpec } from '../../../internal/storage/providers/provider.ts';
import { CONFIG_DIR } from '../../../internal/schedule/in-cluster/manifests.ts';

export class LocationNotPortableError extends Error {}

export function locationSecretFiles(location: ResolvedLocation, encryptionKey: Buffer | undefined): Record<string, Buffer> {
  const { spec, credentials } = location;
  if (spec.provider === 'local') {
    throw new LocationNotPortableError(`backup storage location "${location.name}" is a directory on this machine: a CronJob in the cluster cannot reach it; use an object store location (kubectl velero backup-location create --provider aws|azure|gcp)`);
  }
  const files: Record<string, Buffer> = {};
  const config = { ...(spec.config ?? {}) };
  // The workstation's path means nothing in the pod: its content goes into the Secret instead.
  delete config.credentialsFile;
  const inPod: LocationSpec = { provider: spec.provider, ...(spec.bucket ? { bucket: spec.bucket } : {}), ...(spec.prefix ? { prefix: spec.prefix } : {}), config };
  if (credentials.kind === 'file') {
    try {
      files.credentials = readFileSync(credentials.path);
    } catch (error) {
      throw new LocationNotPortableError(`backup storage location "${location.name}": cannot read its credentials file ${credentials.path}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  } else if (credentials.kind === 'secret') {
    files.credentials = Buffer.from(credentials.text);
  } else {
    throw new LocationNotPortableError(`backup storage location "${location.name}" takes its credentials from this machine's environment (the SDK's default chain): give it a credentials file (backup-location create … --credential-file FILE) so the CronJob can have them`);
  }
  inPod.credentialsFile = `${CONFIG_DIR}/credentials`;
  files['config.yaml'] = Buffer.from(stringify({ defaultLocation: location.name, locations: { [location.name]: inPod } }));
  // The key file as given (raw bytes or a passphrase): `schedule run --encryption-key-file` reads it alike.
  if (encryptionKey) files['encryption-key'] = encryptionKey;
  return files;
}
