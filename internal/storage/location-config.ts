// Client-side backup storage locations, kept in a YAML file (we run no server to hold Velero's
// BackupStorageLocation objects): $KUBECTL_VELERO_CONFIG, or $XDG_CONFIG_HOME/kubectl-velero/config.yaml.
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';

export const PROVIDERS = ['aws', 'local'] as const;
export type Provider = (typeof PROVIDERS)[number];

export interface LocationSpec {
  provider: Provider;
  /** aws: the bucket. local: unused. */
  bucket?: string;
  prefix?: string;
  /** Velero's `config` map: aws takes region, s3Url, s3ForcePathStyle, profile; local takes path. */
  config?: Record<string, string>;
  /** aws: an AWS shared-credentials file; never copied into this file. */
  credentialsFile?: string;
}

export interface LocationsFile {
  defaultLocation?: string;
  locations: Record<string, LocationSpec>;
}

/** The location used when none is configured: a directory in the user's data dir. */
export const IMPLICIT_DEFAULT = 'default';

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.KUBECTL_VELERO_CONFIG) return env.KUBECTL_VELERO_CONFIG;
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'kubectl-velero', 'config.yaml');
}

export function defaultLocalPath(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_DATA_HOME ?? join(homedir(), '.local', 'share'), 'kubectl-velero', 'backups');
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
  return { ...(file.defaultLocation ? { defaultLocation: file.defaultLocation } : {}), locations: file.locations ?? {} };
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

export function checkLocationSpec(name: string, spec: LocationSpec): LocationSpec {
  if (!(PROVIDERS as readonly string[]).includes(spec.provider)) {
    throw new LocationConfigError(`location "${name}": unknown provider "${spec.provider}": use ${PROVIDERS.join(' or ')}`);
  }
  if (spec.provider === 'aws' && !spec.bucket) throw new LocationConfigError(`location "${name}": provider aws needs --bucket`);
  return spec;
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
