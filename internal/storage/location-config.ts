// Client-side backup storage locations, kept in a YAML file (we run no server to hold Velero's
// BackupStorageLocation objects): $KUBECTL_VELERO_CONFIG, or $XDG_CONFIG_HOME/kubectl-velero/config.yaml.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import type { LocationSpec } from './providers/provider.ts';

export type { LocationSpec } from './providers/provider.ts';
export { defaultLocalPath } from './providers/local.ts';

export interface LocationsFile {
  defaultLocation?: string;
  locations: Record<string, LocationSpec>;
  /** Volume snapshot locations (internal/snapshots/snapshot-locations.ts), kept beside the backup storage locations. */
  volumeSnapshotLocations?: Record<string, SnapshotLocationSpec>;
}

/** A volume snapshot location as the config file keeps it: Velero's VolumeSnapshotLocation spec, plus ours. */
export interface SnapshotLocationSpec {
  provider: string;
  config?: Record<string, string>;
  /** A credentials file in the provider's format; only its path is kept. */
  credentialsFile?: string;
  /** Velero's `--credential`: a key of a Secret in the Velero namespace, read when the location is used. */
  credential?: { name: string; key: string };
  /** The location its provider's snapshots go to when several could (Velero's `--default-volume-snapshot-locations`). */
  default?: boolean;
}

/** The location used when none is configured: a directory in the user's data dir. */
export const IMPLICIT_DEFAULT = 'default';

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KUBECTL_VELERO_CONFIG) return env.KUBECTL_VELERO_CONFIG;
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'kubectl-velero', 'config.yaml');
}

export class LocationConfigError extends Error {}

export function readLocations(path = configPath()): LocationsFile {
  if (!existsSync(path)) return { locations: {} };
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new LocationConfigError(`cannot parse ${path}: ${(error as Error).message.split('\n')[0]}`);
  }
  const file = (doc ?? {}) as Partial<LocationsFile>;
  if (typeof file !== 'object' || Array.isArray(file)) throw new LocationConfigError(`${path} is not a mapping`);
  return {
    ...(file.defaultLocation ? { defaultLocation: file.defaultLocation } : {}),
    locations: file.locations ?? {},
    // Passed through, so that writing the backup locations keeps the snapshot locations.
    ...(file.volumeSnapshotLocations ? { volumeSnapshotLocations: file.volumeSnapshotLocations } : {}),
  };
}

export function writeLocations(file: LocationsFile, path = configPath()): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.tmp-${process.pid}`;
  writeFileSync(temp, stringify(file), { mode: 0o600 });
  renameSync(temp, path);
}

const NAME = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function checkLocationName(name: string): string {
  if (!NAME.test(name)) throw new LocationConfigError(`invalid location name "${name}": use lower-case letters, digits and dashes`);
  return name;
}

/** Parses Velero's `--config key=value,key=value`. */
export function parseKeyValues(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  for (const pair of text.split(',')) {
    if (pair.trim() === '') continue;
    const at = pair.indexOf('=');
    if (at <= 0) throw new LocationConfigError(`invalid key=value pair "${pair}"`);
    out[pair.slice(0, at).trim()] = pair.slice(at + 1).trim();
  }
  return out;
}
