// Which storage location a command uses: a location of the plugin's config file, else — where Velero
// is installed — a BackupStorageLocation object of the cluster (read with your credentials, its
// credential Secret too), else with nothing configured the implicit local directory.
import type { KubeTarget } from '../internal/kube/kubeconfig.ts';
import type { OpenedLocation } from '../internal/storage/locations.ts';
import type { CredentialSource } from '../internal/storage/providers/provider.ts';

export interface KubeSide {
  kubeTarget(): KubeTarget;
  veleroNamespace(): string;
}

export interface ResolvedLocation extends OpenedLocation {
  source: 'config' | 'cluster';
  readOnly: boolean;
  /** Where its credentials came from (`schedule install` copies them into the cluster). */
  credentials: CredentialSource;
}

export class ReadOnlyLocationError extends Error {}

export async function resolveLocation(name: string | undefined, kube?: KubeSide): Promise<ResolvedLocation> {
  const { readLocations, LocationConfigError, IMPLICIT_DEFAULT } = await import('../internal/storage/location-config.ts');
  const file = readLocations();
  const configured = name !== undefined ? Boolean(file.locations[name]) : Boolean(file.defaultLocation && file.locations[file.defaultLocation]);
  if (configured || !kube) return fromConfig(name);
  const cluster = await fromCluster(name, kube);
  if (cluster) return cluster;
  if (name !== undefined && name !== IMPLICIT_DEFAULT) {
    throw new LocationConfigError(`backup storage location "${name}" not found in the plugin config or as a BackupStorageLocation in namespace ${kube.veleroNamespace()}: see kubectl velero backup-location get`);
  }
  return fromConfig(name);
}

async function fromConfig(name: string | undefined): Promise<ResolvedLocation> {
  const { openLocation } = await import('../internal/storage/locations.ts');
  const { configCredentialSource } = await import('../internal/storage/providers/registry.ts');
  const opened = await openLocation(name);
  return { ...opened, source: 'config', readOnly: false, credentials: configCredentialSource(opened.spec) };
}

/**
 * The cluster's location of that name (or its default one); undefined when there is none. With no
 * name and no cluster to ask (no kubeconfig, unreachable), undefined too: the implicit local location,
 * as before Velero was installed. A location the cluster has but that cannot be used (a bad config
 * key, an unreadable Secret) is an error, never bypassed for another location.
 */
async function fromCluster(name: string | undefined, kube: KubeSide): Promise<ResolvedLocation | undefined> {
  const { loadKubeConfig } = await import('../internal/kube/kubeconfig.ts');
  const { KubeHttpClient } = await import('../internal/kube/http-client.ts');
  const { listClusterLocations, readCredential } = await import('../internal/kube/backup-storage-locations.ts');
  const { configCredentialSource, openStore, validateSpec } = await import('../internal/storage/providers/registry.ts');
  const namespace = kube.veleroNamespace();
  let client: InstanceType<typeof KubeHttpClient> | undefined;
  let locations;
  try {
    client = new KubeHttpClient(await loadKubeConfig(kube.kubeTarget()), { retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 } });
    ({ locations } = await listClusterLocations(client, namespace));
  } catch (error) {
    client?.close();
    if (name !== undefined) throw error;
    return undefined;
  }
  try {
    const found = name !== undefined ? locations.find((l) => l.name === name) : locations.find((l) => l.isDefault);
    if (!found) return undefined;
    // Checked before the Secret is read: an unknown provider or key is the user's to fix, whatever the credentials.
    const spec = validateSpec(found.name, { provider: found.provider, bucket: found.bucket, ...(found.prefix ? { prefix: found.prefix } : {}), config: found.config });
    const text = await readCredential(client, namespace, found);
    // Without a credential Secret, as for a location of the config file: its credentialsFile key, else the SDK's chain.
    const source: CredentialSource =
      text === undefined || !found.credential
        ? configCredentialSource(spec)
        : { kind: 'secret', text, describe: `credential Secret ${namespace}/${found.credential.name} (key ${found.credential.key})` };
    return { name: found.name, spec, store: await openStore(found.name, spec, source), source: 'cluster', readOnly: found.accessMode === 'ReadOnly', credentials: source };
  } finally {
    client.close();
  }
}

/** Backups may not be written to or deleted from a ReadOnly location (Velero's rule). */
export function assertWritable(location: ResolvedLocation, action: string): void {
  if (location.readOnly) throw new ReadOnlyLocationError(`backup storage location "${location.name}" is ReadOnly: cannot ${action}`);
}
