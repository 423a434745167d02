// Completion of Velero object names (backups, restores, schedules, backup storage locations).
// The completion engine only knows *where* a name goes — which command arguments and flags take
// which kind — and asks a lister registered here for the names. Listers are plugged in by the code
// that can answer cheaply (e.g. a location's backupStore.listBackups()); with none registered, or
// one that is slow or fails, completion simply offers no names.
//
// To wire one, register it from a module that cmd/cli.ts imports (so `__complete` has it), e.g.:
//   registerNameLister('backup', async ({ flags, signal }) =>
//     (await openLocation(flags.get('storage-location'), signal)).backupStore.listBackups());

export type NameKind = 'backup' | 'restore' | 'schedule' | 'location';

export interface NameQuery {
  kind: NameKind;
  /** Flags typed so far on the command line, by long name without dashes (e.g. `namespace`, `storage-location`). */
  flags: ReadonlyMap<string, string>;
  env: Record<string, string | undefined>;
  signal: AbortSignal;
}

export type NameLister = (query: NameQuery) => Promise<string[]>;

const listers = new Map<NameKind, NameLister>();

/** Plugs in the source of names of one kind; the last registration wins. */
export function registerNameLister(kind: NameKind, lister: NameLister): void {
  listers.set(kind, lister);
}

export function unregisterNameLister(kind: NameKind): void {
  listers.delete(kind);
}

const RESOURCE_WORDS: Record<string, NameKind> = {
  backup: 'backup',
  backups: 'backup',
  restore: 'restore',
  restores: 'restore',
  schedule: 'schedule',
  schedules: 'schedule',
  'backup-location': 'location',
  'backup-locations': 'location',
  location: 'location',
  locations: 'location',
  bsl: 'location',
};

/** Verbs whose positional arguments name existing objects (not `create`, which names a new one). */
const EXISTING_OBJECT_VERBS = new Set(['get', 'describe', 'delete', 'logs', 'download', 'edit', 'set', 'pause', 'unpause', 'verify', 'run']);

const FLAG_KINDS: Record<string, NameKind> = {
  'from-backup': 'backup',
  backup: 'backup',
  'backup-name': 'backup',
  'from-schedule': 'schedule',
  schedule: 'schedule',
  restore: 'restore',
  'storage-location': 'location',
  'backup-location': 'location',
  location: 'location',
};

/** The kind of name a flag's value is (`--from-backup` → backup), if any. */
export function nameKindForFlag(longName: string): NameKind | undefined {
  return FLAG_KINDS[longName.replace(/^-+/, '')];
}

/** The kind of name the positional arguments of a command are (`backup describe` → backup), if any. */
export function nameKindForPositional(path: readonly string[]): NameKind | undefined {
  if (path.length < 2) return undefined;
  const verb = path[path.length - 1] ?? '';
  const resource = path[path.length - 2] ?? '';
  const kind = RESOURCE_WORDS[resource];
  return kind && EXISTING_OBJECT_VERBS.has(verb) ? kind : undefined;
}

/**
 * Names of `kind` from its lister, or undefined when none is registered. A lister gets
 * `timeoutMs` (a completion must come back while the user waits at the prompt); a late or
 * failing one yields no names rather than an error.
 */
export async function listNames(
  kind: NameKind,
  flags: ReadonlyMap<string, string>,
  env: Record<string, string | undefined>,
  timeoutMs = 2500,
): Promise<string[] | undefined> {
  const lister = listers.get(kind);
  if (!lister) return undefined;
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<string[]>((resolve) => {
    timer = setTimeout(() => {
      controller.abort();
      resolve([]);
    }, timeoutMs);
  });
  try {
    return await Promise.race([lister({ kind, flags, env, signal: controller.signal }).catch(() => []), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
