// Resolves a location name (or the default) to an ObjectStore. Commands call `openLocation`; they
// never construct providers themselves.
import { join } from 'node:path';
import { readCredentialsFile, type StaticCredentials } from './aws-credentials.ts';
import { IMPLICIT_DEFAULT, LocationConfigError, type LocationSpec, checkLocationSpec, defaultLocalPath, readLocations } from './location-config.ts';
import { normalisePrefix } from './keys.ts';
import { LocalStore } from './local-store.ts';
import type { ObjectStore } from './object-store.ts';
import { S3Store } from './s3-store.ts';

export interface OpenedLocation {
  name: string;
  spec: LocationSpec;
  store: ObjectStore;
}

const truthy = (v: string | undefined) => v !== undefined && ['true', '1', 'yes'].includes(v.toLowerCase());

/** `credentials` (from a cluster location's Secret) are used instead of the spec's credentials file. */
export function storeFor(spec: LocationSpec, credentials?: StaticCredentials): ObjectStore {
  const config = spec.config ?? {};
  if (spec.provider === 'local') {
    const root = config.path ?? defaultLocalPath();
    const prefix = normalisePrefix(spec.prefix);
    return new LocalStore(prefix ? join(root, prefix) : root);
  }
  return new S3Store({
    bucket: spec.bucket!,
    prefix: spec.prefix,
    region: config.region,
    endpoint: config.s3Url,
    forcePathStyle: truthy(config.s3ForcePathStyle),
    ...(credentials ? { credentials } : spec.credentialsFile ? { credentials: readCredentialsFile(spec.credentialsFile, config.profile) } : {}),
  });
}

/** The named location, or the configured default, or (nothing configured) a local directory. */
export async function openLocation(name: string | undefined): Promise<OpenedLocation> {
  const file = readLocations();
  const wanted = name ?? file.defaultLocation;
  if (wanted === undefined || (wanted === IMPLICIT_DEFAULT && !file.locations[IMPLICIT_DEFAULT])) {
    const spec: LocationSpec = { provider: 'local', config: { path: defaultLocalPath() } };
    return { name: IMPLICIT_DEFAULT, spec, store: storeFor(spec) };
  }
  const spec = file.locations[wanted];
  if (!spec) throw new LocationConfigError(`backup storage location "${wanted}" not found: see kubectl velero backup-location get`);
  return { name: wanted, spec, store: storeFor(checkLocationSpec(wanted, spec)) };
}
