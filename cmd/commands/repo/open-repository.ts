// The repo commands' way to the volume repository of a storage location (opened by LocationCommand).
import type { ObjectStore } from '../../../internal/storage/object-store.ts';
import type { Repository } from '../../../internal/volumes/repository/repository.ts';
import { readEncryptionKey } from '../volume-options.ts';

export async function openLocationRepository(store: ObjectStore, keyFile: string | undefined): Promise<Repository> {
  const { openRepository } = await import('../../../internal/volumes/repository/repository.ts');
  return openRepository({ store, encryptionKey: readEncryptionKey(keyFile), create: false });
}
