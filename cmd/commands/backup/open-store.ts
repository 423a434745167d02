// The backup commands' view of a storage location (opened by LocationCommand): the backup engine's
// target and the stored backups, in Velero's backups/ layout, over the location's ObjectStore.
// The storage module is imported when a command runs, not at start-up: the AWS SDK is heavy and
// `kubectl velero version` or completion should not pay for it.
import { ObjectStoreBackupTarget } from '../../../internal/backup/store-target.ts';
import { StoredBackups } from '../../../internal/backup/stored-backups.ts';
import type { ObjectStore } from '../../../internal/storage/object-store.ts';
import type { ResolvedLocation } from '../../location.ts';

export interface OpenedStore {
  location: string;
  /** The location's object store itself (the volume repository lives in it too). */
  store: ObjectStore;
  target: ObjectStoreBackupTarget;
  backups: StoredBackups;
  resolved: ResolvedLocation;
}

export function openBackupStore(location: ResolvedLocation): OpenedStore {
  return { location: location.name, store: location.store, target: new ObjectStoreBackupTarget(location.store), backups: new StoredBackups(location.store), resolved: location };
}
