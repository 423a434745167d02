// Key hygiene shared by every provider: a key is a relative, '/'-separated path with no '..'
// segment, so no key can escape a location's prefix or directory.
export class InvalidKeyError extends Error {
  constructor(key: string) {
    super(`invalid object key "${key}": keys are relative paths without '..' segments`);
  }
}

export function checkKey(key: string): string {
  if (key === '' || key.startsWith('/') || key.includes('\\') || key.includes('\0')) throw new InvalidKeyError(key);
  if (key.split('/').some((segment) => segment === '..' || segment === '.')) throw new InvalidKeyError(key);
  return key;
}

/** Velero normalises a location prefix to end in '/' (and to be empty when unset). */
export function normalisePrefix(prefix: string | undefined): string {
  const trimmed = (prefix ?? '').replace(/^\/+/, '').replace(/\/+$/, '');
  return trimmed === '' ? '' : `${trimmed}/`;
}
