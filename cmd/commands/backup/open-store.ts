// The backup commands' way to a storage location: internal/storage resolves the name (or the
// default location) to an ObjectStore; the backup engine adds Velero's backups/ layout on top.
import type { ObjectStore } from '../../../internal/storage/object-store.ts';
import { ObjectStoreBackupTarget } from '../../../internal/backup/store-target.ts';
import { StoredBackups } from '../../../internal/backup/stored-backups.ts';

export interface OpenedStore {
  location: string;
  target: ObjectStoreBackupTarget;
  backups: StoredBackups;
}

interface LocationsModule {
  openLocation(name: string | undefined): Promise<{ name: string; store: ObjectStore }>;
}

// TODO(storage): import { openLocation } from '../../../internal/storage/locations.ts' statically once
// it lands; until then the module is looked up at run time so the tree type-checks.
const LOCATIONS_MODULE = '../../../internal/storage/locations.ts';

export async function openBackupStore(locationName: string | undefined): Promise<OpenedStore> {
  const { openLocation } = (await import(LOCATIONS_MODULE)) as LocationsModule;
  const location = await openLocation(locationName);
  return { location: location.name, target: new ObjectStoreBackupTarget(location.store), backups: new StoredBackups(location.store) };
}
