// The repo commands' way to the volume repository of a storage location.
import type { ObjectStore } from '../../../internal/storage/object-store.ts';
import type { Repository } from '../../../internal/volumes/repository/repository.ts';
import { readEncryptionKey } from '../volume-options.ts';

export async function openLocationStore(locationName: string | undefined): Promise<{ location: string; store: ObjectStore }> {
  const { openLocation } = await import('../../../internal/storage/locations.ts');
  const location = await openLocation(locationName);
  return { location: location.name, store: location.store };
}

export async function openLocationRepository(locationName: string | undefined, keyFile: string | undefined): Promise<Repository> {
  const { store } = await openLocationStore(locationName);
  const { openRepository } = await import('../../../internal/volumes/repository/repository.ts');
  return openRepository({ store, encryptionKey: readEncryptionKey(keyFile), create: false });
}
