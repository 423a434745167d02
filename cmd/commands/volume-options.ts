// What backup create and restore create share for volume data: the encryption key file, and the
// way to the repository and to exec with the user's kubeconfig. Everything is imported when a
// command runs, so commands that move no volume data do not load it.
import { readFileSync } from 'node:fs';
import type { KubeConfig } from '@kubernetes/client-node';
import type { ObjectStore } from '../../internal/storage/object-store.ts';
import type { PodExec } from '../../internal/volumes/pod-exec.ts';
import type { Repository } from '../../internal/volumes/repository/repository.ts';
import { BadFlagValueError } from './backup/flags.ts';

export function readEncryptionKey(file: string | undefined): Buffer | undefined {
  if (!file) return undefined;
  try {
    return readFileSync(file);
  } catch (error) {
    throw new BadFlagValueError(`cannot read --encryption-key-file ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

/** The repository, opened once on first use. */
export function lazyRepository(store: ObjectStore, encryptionKey: Buffer | undefined): () => Promise<Repository> {
  let opened: Promise<Repository> | undefined;
  return () =>
    (opened ??= import('../../internal/volumes/repository/repository.ts').then(({ openRepository }) => openRepository({ store, encryptionKey })));
}

export function podExec(kc: KubeConfig): PodExec {
  return async (opts) => {
    const { execInPod } = await import('../../internal/kube/exec.ts');
    return execInPod(kc, opts);
  };
}

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (n >= 1024 && i < units.length - 1) {
    n /= 1024;
    i++;
  }
  return `${i ? n.toFixed(1) : n} ${units[i]}`;
}
