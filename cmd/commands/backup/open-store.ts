// The backup commands' way to a storage location: cmd/location.ts resolves the name (or the
// default location; a cluster's BackupStorageLocation too) to an ObjectStore; the backup engine adds
// Velero's backups/ layout on top.
// The storage module is imported when a command runs, not at start-up: the AWS SDK is heavy and
// `kubectl velero version` or completion should not pay for it.
import { ObjectStoreBackupTarget } from '../../../internal/backup/store-target.ts';
import { StoredBackups } from '../../../internal/backup/stored-backups.ts';
import type { ObjectStore } from '../../../internal/storage/object-store.ts';
import { type KubeSide, type ResolvedLocation, resolveLocation } from '../../location.ts';

export interface OpenedStore {
  location: string;
  /** The location's object store itself (the volume repository lives in it too). */
  store: ObjectStore;
  target: ObjectStoreBackupTarget;
  backups: StoredBackups;
  resolved: ResolvedLocation;
}

export async function openBackupStore(locationName: string | undefined, kube?: KubeSide): Promise<OpenedStore> {
  const location = await resolveLocation(locationName, kube);
  return { location: location.name, store: location.store, target: new ObjectStoreBackupTarget(location.store), backups: new StoredBackups(location.store), resolved: location };
}
