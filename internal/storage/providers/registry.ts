// The storage providers, looked up by name as Velero looks up an object-store plugin, and the one
// path from a location spec and its credential source to an ObjectStore. The config file, cluster
// BackupStorageLocations and `backup-location create --provider` all go through here; a provider
// is added by writing its module and naming it in PROVIDERS.
import { readFileSync } from 'node:fs';
import { NamedStore } from '../named-store.ts';
import type { ObjectStore } from '../object-store.ts';
import { awsProvider } from './aws.ts';
import { azureProvider } from './azure.ts';
import { gcpProvider } from './gcp.ts';
import { localProvider } from './local.ts';
import type { CredentialSource, LocationSpec, StorageProvider } from './provider.ts';

export const PROVIDERS: readonly StorageProvider[] = [awsProvider, azureProvider, gcpProvider, localProvider];

/** A location that cannot be used as described: the message is one line that names the location. */
export class LocationSpecError extends Error {}

export function providerNames(): string[] {
  return PROVIDERS.map((p) => p.name);
}

/** The provider of that name or Velero alias (`velero.io/aws`), or undefined. */
export function findProvider(name: string): StorageProvider | undefined {
  const wanted = name.trim().toLowerCase();
  return PROVIDERS.find((p) => p.aliases.includes(wanted));
}

function orList(names: string[]): string {
  return names.length <= 1 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

export function providerFor(location: string, name: string): StorageProvider {
  const provider = findProvider(name);
  if (!provider) throw new LocationSpecError(`backup storage location "${location}": unknown provider "${name}": use ${orList(providerNames())}`);
  return provider;
}

/**
 * Checks a spec against its provider — known provider, bucket when needed, every config key known
 * — and returns it with the provider's own name. Errors name the location and what to fix.
 */
export function validateSpec(location: string, spec: LocationSpec): LocationSpec {
  const provider = providerFor(location, spec.provider);
  const where = `backup storage location "${location}" (provider ${provider.name})`;
  if (provider.needsBucket && !spec.bucket) throw new LocationSpecError(`${where} needs --bucket`);
  for (const key of Object.keys(spec.config ?? {})) {
    const unsupported = provider.unsupportedKeys?.[key];
    if (unsupported) throw new LocationSpecError(`${where}: config key ${key}: ${unsupported}`);
    if (!provider.configKeys.includes(key)) {
      throw new LocationSpecError(`${where}: unknown config key "${key}": provider ${provider.name} takes ${provider.configKeys.join(', ')}`);
    }
  }
  try {
    provider.validate?.(spec);
  } catch (error) {
    throw new LocationSpecError(`${where}: ${(error as Error).message}`);
  }
  return { ...spec, provider: provider.name };
}

/** Reads and parses the location's credentials; undefined for the SDK's default chain. */
export function readCredentials(location: string, spec: LocationSpec, source: CredentialSource): unknown {
  const provider = providerFor(location, spec.provider);
  if (source.kind === 'default') return undefined;
  let text: string;
  let what: string;
  if (source.kind === 'file') {
    what = `credentials file ${source.path}${source.from ? ` (${source.from})` : ''}`;
    try {
      text = readFileSync(source.path, 'utf8');
    } catch (error) {
      throw new LocationSpecError(`backup storage location "${location}": cannot read ${what}: ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
    }
  } else {
    text = source.text;
    what = source.describe;
  }
  try {
    return provider.parseCredentials(text, spec);
  } catch (error) {
    // The provider's message never quotes the text; ours adds where it came from.
    throw new LocationSpecError(`backup storage location "${location}": ${what}: ${(error as Error).message}`);
  }
}

/**
 * The credential source a spec of the config file names: `--credential-file`, else Velero's
 * `credentialsFile` config key (every Velero object-store plugin takes it), else the default chain.
 */
export function configCredentialSource(spec: LocationSpec): CredentialSource {
  if (spec.credentialsFile) return { kind: 'file', path: spec.credentialsFile };
  const path = spec.config?.credentialsFile;
  return path ? { kind: 'file', path, from: 'config key credentialsFile' } : { kind: 'default' };
}

/** Validates the spec, reads its credentials and opens its store. */
export async function openStore(location: string, spec: LocationSpec, source: CredentialSource = configCredentialSource(spec)): Promise<ObjectStore> {
  const checked = validateSpec(location, spec);
  const provider = providerFor(location, checked.provider);
  const credentials = readCredentials(location, checked, source);
  let store: ObjectStore;
  try {
    store = await provider.open(checked, credentials);
  } catch (error) {
    throw new LocationSpecError(`backup storage location "${location}": ${(error as Error).message}`);
  }
  return new NamedStore(location, store);
}
