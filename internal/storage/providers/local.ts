// The `local` provider (ours, not Velero's): a directory. It is the implicit default, so that
// `backup create x` works with nothing configured, and a simple target for a NAS mount.
import { join } from 'node:path';
import { homedir } from 'node:os';
import { normalisePrefix } from '../keys.ts';
import type { ObjectStore } from '../object-store.ts';
import type { LocationSpec, StorageProvider } from './provider.ts';

/** Where the implicit default location keeps backups: $XDG_DATA_HOME/kubectl-velero/backups. */
export function defaultLocalPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'kubectl-velero', 'backups');
}

export const localProvider: StorageProvider<never> = {
  name: 'local',
  aliases: ['local'],
  summary: 'a directory on this machine (--config path=DIR)',
  needsBucket: false,
  configKeys: ['path'],

  parseCredentials(): never {
    throw new Error('provider local takes no credentials file');
  },

  async open(spec: LocationSpec): Promise<ObjectStore> {
    const { LocalStore } = await import('../local-store.ts');
    const root = spec.config?.path ?? defaultLocalPath();
    const prefix = normalisePrefix(spec.prefix);
    return new LocalStore(prefix ? join(root, prefix) : root);
  },
};
