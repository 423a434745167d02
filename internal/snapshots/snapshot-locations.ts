// Volume snapshot locations: where native snapshots are taken (a provider, its region, its
// credentials). They come from the plugin's config file (section `volumeSnapshotLocations`, beside
// the backup storage locations; `snapshot-location create`) and, where Velero is installed, from the
// cluster's VolumeSnapshotLocation objects (velero.io/v1, in the Velero namespace, with their
// credential Secret), read with the user's credentials. A name in both is the config file's.
//
// Which locations a backup uses follows Velero's backup controller (validateAndGetSnapshotLocations):
// each name of --volume-snapshot-locations must exist, at most one per provider; every other
// provider with exactly one location uses it, with several the default one (ours: `--default` on
// create; Velero's server flag --default-volume-snapshot-locations), else it is an error.
import { KubeApiError } from '../kube/errors.ts';
import type { KubeRequester } from '../kube/http-client.ts';
import { nameSegment, namespaceSegment } from '../kube/names.ts';
import { readLocations, type SnapshotLocationSpec, writeLocations } from '../storage/location-config.ts';
import type { CredentialSource } from '../storage/providers/provider.ts';
import { openVolumeSnapshotter, type ResolvedSnapshotLocation, SnapshotLocationError, validateSnapshotLocation } from './registry.ts';
import type { VolumeSnapshotter } from './volume-snapshotter.ts';

export type { SnapshotLocationSpec } from '../storage/location-config.ts';

/** A volume snapshot location as listed: from the config file or the cluster. */
export interface SnapshotLocationEntry {
  name: string;
  provider: string;
  config: Record<string, string>;
  credentialsFile?: string;
  credential?: { name: string; key: string };
  isDefault: boolean;
  source: 'config' | 'cluster';
  labels?: Record<string, string>;
  phase?: string;
}

/** The cluster to read VolumeSnapshotLocations and credential Secrets from. */
export interface ClusterAccess {
  client: KubeRequester;
  /** The Velero namespace. */
  namespace: string;
}

// ---- the config file

export function configSnapshotLocations(specs: Record<string, SnapshotLocationSpec> = readLocations().volumeSnapshotLocations ?? {}): SnapshotLocationEntry[] {
  return Object.entries(specs)
    .map(([name, spec]) => ({
      name,
      provider: spec.provider,
      config: spec.config ?? {},
      ...(spec.credentialsFile ? { credentialsFile: spec.credentialsFile } : {}),
      ...(spec.credential ? { credential: spec.credential } : {}),
      isDefault: spec.default === true,
      source: 'config' as const,
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Adds a location to the config file (validated: provider, config keys). With `default`, it becomes
 * its provider's default and any other default of that provider is cleared.
 */
export function addSnapshotLocation(name: string, spec: SnapshotLocationSpec, path?: string): SnapshotLocationSpec {
  return storeSnapshotLocation(name, spec, 'add', path);
}

/** Replaces a location of the config file (`snapshot-location set`), with the same rules as adding one. */
export function replaceSnapshotLocation(name: string, spec: SnapshotLocationSpec, path?: string): SnapshotLocationSpec {
  return storeSnapshotLocation(name, spec, 'replace', path);
}

function storeSnapshotLocation(name: string, spec: SnapshotLocationSpec, how: 'add' | 'replace', path?: string): SnapshotLocationSpec {
  const file = readLocations(path);
  const locations = { ...(file.volumeSnapshotLocations ?? {}) };
  if (how === 'add' && locations[name]) throw new SnapshotLocationError(`volume snapshot location "${name}" already exists`);
  if (how === 'replace' && !locations[name]) throw new SnapshotLocationError(`volume snapshot location "${name}" not found in the plugin config`);
  const checked = validateSnapshotLocation(name, spec.provider, spec.config ?? {});
  const stored: SnapshotLocationSpec = { ...spec, provider: checked.provider, config: checked.config };
  if (stored.default) {
    for (const [other, s] of Object.entries(locations)) if (other !== name && s.provider === stored.provider && s.default) locations[other] = { ...s, default: false };
  } else {
    delete stored.default;
  }
  locations[name] = stored;
  writeLocations({ ...file, volumeSnapshotLocations: locations }, path);
  return stored;
}

/** Removes a location from the config file; the snapshots taken through it are not touched. */
export function removeSnapshotLocation(name: string, path?: string): void {
  const file = readLocations(path);
  const locations = { ...(file.volumeSnapshotLocations ?? {}) };
  if (!locations[name]) throw new SnapshotLocationError(`volume snapshot location "${name}" not found in the plugin config`);
  delete locations[name];
  const { volumeSnapshotLocations: _dropped, ...rest } = file;
  writeLocations(Object.keys(locations).length ? { ...rest, volumeSnapshotLocations: locations } : rest, path);
}

// ---- the cluster

interface VslObject {
  metadata: { name: string; labels?: Record<string, string> };
  spec?: { provider?: string; config?: Record<string, string>; credential?: { name?: string; key?: string } };
  status?: { phase?: string };
}

export function fromVsl(o: VslObject): SnapshotLocationEntry {
  const s = o.spec ?? {};
  return {
    name: o.metadata.name,
    provider: (s.provider ?? '').replace(/^velero\.io\//, ''),
    config: s.config ?? {},
    ...(s.credential?.name && s.credential.key ? { credential: { name: s.credential.name, key: s.credential.key } } : {}),
    isDefault: false,
    source: 'cluster',
    ...(o.metadata.labels ? { labels: o.metadata.labels } : {}),
    ...(o.status?.phase ? { phase: o.status.phase } : {}),
  };
}

/** The cluster's VolumeSnapshotLocations; none when Velero is not installed, a warning when forbidden. */
export async function listClusterSnapshotLocations(cluster: ClusterAccess): Promise<{ locations: SnapshotLocationEntry[]; warning?: string }> {
  try {
    const list = await cluster.client.getJson<{ items: VslObject[] }>(`/apis/velero.io/v1/namespaces/${namespaceSegment(cluster.namespace)}/volumesnapshotlocations`);
    return { locations: list.items.map(fromVsl).sort((a, b) => a.name.localeCompare(b.name)) };
  } catch (error) {
    if (error instanceof KubeApiError && error.status === 404) return { locations: [] };
    if (error instanceof KubeApiError && error.status === 403) return { locations: [], warning: `cannot list VolumeSnapshotLocations in namespace ${cluster.namespace}: forbidden` };
    throw error;
  }
}

/** Every location: the config file's, then the cluster's whose names the config file does not have. */
export async function listSnapshotLocations(cluster?: ClusterAccess): Promise<{ locations: SnapshotLocationEntry[]; warning?: string }> {
  const own = configSnapshotLocations();
  if (!cluster) return { locations: own };
  const { locations, warning } = await listClusterSnapshotLocations(cluster);
  const names = new Set(own.map((l) => l.name));
  return { locations: [...own, ...locations.filter((l) => !names.has(l.name))], ...(warning ? { warning } : {}) };
}

/** The text of a credential Secret's key; the content never goes into a message. */
async function readSecretKey(cluster: ClusterAccess, location: string, credential: { name: string; key: string }): Promise<string> {
  const { name, key } = credential;
  let secret: { data?: Record<string, string> };
  try {
    secret = await cluster.client.getJson(`/api/v1/namespaces/${namespaceSegment(cluster.namespace)}/secrets/${nameSegment(name)}`);
  } catch (error) {
    const status = error instanceof KubeApiError ? ` (${error.status})` : '';
    throw new SnapshotLocationError(`cannot read the credential Secret ${cluster.namespace}/${name} of volume snapshot location "${location}"${status}`);
  }
  const value = secret.data?.[key];
  if (value === undefined) throw new SnapshotLocationError(`the credential Secret ${cluster.namespace}/${name} of volume snapshot location "${location}" has no key "${key}"`);
  return Buffer.from(value, 'base64').toString('utf8');
}

/**
 * A location ready to open: validated (before any Secret is read: a bad key is the user's to fix
 * whatever the credentials), with its credential source — `--credential-file`, else the Secret of
 * `--credential` or of the cluster object, else the config key credentialsFile, else the SDK's chain.
 */
export async function resolveSnapshotLocation(entry: SnapshotLocationEntry, cluster?: ClusterAccess): Promise<ResolvedSnapshotLocation> {
  const { provider, config } = validateSnapshotLocation(entry.name, entry.provider, entry.config);
  let credentials: CredentialSource;
  if (entry.credentialsFile) {
    credentials = { kind: 'file', path: entry.credentialsFile };
  } else if (entry.credential) {
    if (!cluster) throw new SnapshotLocationError(`volume snapshot location "${entry.name}" takes its credentials from the Secret ${entry.credential.name} of the Velero namespace, and no cluster is reachable`);
    const text = await readSecretKey(cluster, entry.name, entry.credential);
    credentials = { kind: 'secret', text, describe: `credential Secret ${cluster.namespace}/${entry.credential.name} (key ${entry.credential.key})` };
  } else if (config.credentialsFile) {
    credentials = { kind: 'file', path: config.credentialsFile, from: 'config key credentialsFile' };
  } else {
    credentials = { kind: 'default' };
  }
  return { name: entry.name, provider, config, credentials, source: entry.source };
}

// ---- which locations a backup uses

/**
 * Velero's choice of one location per provider: the names given (each must exist, one per
 * provider), then for every other provider its only location, or its default among several.
 * Problems are gathered and thrown as one line.
 */
export function selectSnapshotLocations(all: readonly SnapshotLocationEntry[], names: readonly string[] = []): SnapshotLocationEntry[] {
  const errors: string[] = [];
  const chosen = new Map<string, SnapshotLocationEntry>();
  for (const name of names) {
    const location = all.find((l) => l.name === name);
    if (!location) {
      errors.push(`volume snapshot location "${name}" does not exist (see kubectl velero snapshot-location get)`);
      continue;
    }
    const taken = chosen.get(location.provider);
    if (taken && taken.name !== name) {
      errors.push(`more than one volume snapshot location named for provider ${location.provider}: ${taken.name} and ${name}`);
      continue;
    }
    chosen.set(location.provider, location);
  }
  if (errors.length) throw new SnapshotLocationError(errors.join('; '));
  const byProvider = new Map<string, SnapshotLocationEntry[]>();
  for (const location of all) byProvider.set(location.provider, [...(byProvider.get(location.provider) ?? []), location]);
  for (const [provider, locations] of byProvider) {
    if (chosen.has(provider)) continue;
    if (locations.length === 1) {
      chosen.set(provider, locations[0]!);
      continue;
    }
    const defaults = locations.filter((l) => l.isDefault);
    if (defaults.length === 1) chosen.set(provider, defaults[0]!);
    else errors.push(`provider ${provider} has more than one volume snapshot location (${locations.map((l) => l.name).join(', ')}) and none was named with --volume-snapshot-locations or made the default`);
  }
  if (errors.length) throw new SnapshotLocationError(errors.join('; '));
  return [...chosen.values()].sort((a, b) => a.provider.localeCompare(b.provider));
}

/** The locations a backup with `--volume-snapshot-locations names` uses, ready to open. */
export async function chooseSnapshotLocations(names: readonly string[] | undefined, cluster?: ClusterAccess): Promise<ResolvedSnapshotLocation[]> {
  const { locations } = await listSnapshotLocations(cluster);
  const selected = selectSnapshotLocations(locations, names ?? []);
  return Promise.all(selected.map((entry) => resolveSnapshotLocation(entry, cluster)));
}

/** The location of that name (a Snapshot record's `spec.location`), ready to open. */
export async function findSnapshotLocation(name: string, cluster?: ClusterAccess): Promise<ResolvedSnapshotLocation> {
  const { locations } = await listSnapshotLocations(cluster);
  const entry = locations.find((l) => l.name === name);
  if (!entry) {
    const where = cluster ? `the plugin config or as a VolumeSnapshotLocation in namespace ${cluster.namespace}` : 'the plugin config';
    throw new SnapshotLocationError(`volume snapshot location "${name}" not found in ${where}: see kubectl velero snapshot-location get`);
  }
  return resolveSnapshotLocation(entry, cluster);
}

/** Opens each location's snapshotter once, by location name (restore and delete meet a location per record). */
export type SnapshotterLookup = (location: string) => Promise<VolumeSnapshotter>;

export function snapshotterLookup(cluster?: ClusterAccess, open: (location: ResolvedSnapshotLocation) => Promise<VolumeSnapshotter> = (l) => openVolumeSnapshotter(l)): SnapshotterLookup {
  const opened = new Map<string, Promise<VolumeSnapshotter>>();
  return (location: string) => {
    let snapshotter = opened.get(location);
    if (!snapshotter) {
      snapshotter = findSnapshotLocation(location, cluster).then(open);
      opened.set(location, snapshotter);
    }
    return snapshotter;
  };
}

// ---- Velero's object, for -o json|yaml

export function asVolumeSnapshotLocation(entry: SnapshotLocationEntry, namespace?: string) {
  return {
    apiVersion: 'velero.io/v1',
    kind: 'VolumeSnapshotLocation',
    metadata: { name: entry.name, ...(namespace ? { namespace } : {}), ...(entry.labels ? { labels: entry.labels } : {}) },
    spec: {
      provider: entry.provider,
      ...(Object.keys(entry.config).length ? { config: entry.config } : {}),
      ...(entry.credential ? { credential: entry.credential } : {}),
    },
    ...(entry.phase ? { status: { phase: entry.phase } } : {}),
  };
}
