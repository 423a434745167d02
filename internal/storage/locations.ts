// Resolves a location of the plugin's config file (or the default) to an ObjectStore through the
// provider registry. Commands get their location from cmd/location.ts, which adds the cluster's
// BackupStorageLocations; nothing constructs a provider's store by hand.
import { IMPLICIT_DEFAULT, LocationConfigError, type LocationSpec, readLocations } from './location-config.ts';
import type { ObjectStore } from './object-store.ts';
import { defaultLocalPath } from './providers/local.ts';
import { openStore } from './providers/registry.ts';

export interface OpenedLocation {
  name: string;
  spec: LocationSpec;
  store: ObjectStore;
}

/** The location `openLocation(undefined)` uses when none is configured. */
export function implicitDefaultSpec(): LocationSpec {
  return { provider: 'local', config: { path: defaultLocalPath() } };
}

/** The named location, or the configured default, or (nothing configured) a local directory. */
export async function openLocation(name: string | undefined): Promise<OpenedLocation> {
  const file = readLocations();
  const wanted = name ?? file.defaultLocation;
  if (wanted === undefined || (wanted === IMPLICIT_DEFAULT && !file.locations[IMPLICIT_DEFAULT])) {
    const spec = implicitDefaultSpec();
    return { name: IMPLICIT_DEFAULT, spec, store: await openStore(IMPLICIT_DEFAULT, spec) };
  }
  const spec = file.locations[wanted];
  if (!spec) throw new LocationConfigError(`backup storage location "${wanted}" not found: see kubectl velero backup-location get`);
  return { name: wanted, spec, store: await openStore(wanted, spec) };
}
