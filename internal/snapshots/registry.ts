// The volume snapshot providers, looked up by name as Velero looks up a VolumeSnapshotter plugin
// (GetVolumeSnapshotter(provider), then Init(config)). A provider is one module under providers/
// named in SNAPSHOT_PROVIDERS: GCE persistent disks or Azure managed disks would each be one more
// file here, nothing else. Provider modules stay light to import; their cloud SDK is loaded when a
// snapshotter is opened.
import type { CredentialSource } from '../storage/providers/provider.ts';
import { awsEbsProvider } from './providers/aws-ebs.ts';
import type { VolumeSnapshotter } from './volume-snapshotter.ts';

/** A volume snapshot location ready to use: its provider's own name, its config and where its credentials come from. */
export interface ResolvedSnapshotLocation {
  name: string;
  provider: string;
  config: Record<string, string>;
  credentials: CredentialSource;
  /** The plugin's config file, or a VolumeSnapshotLocation object of the cluster. */
  source: 'config' | 'cluster';
}

export interface SnapshotProvider {
  /** The name written to the config file and shown in tables. */
  readonly name: string;
  /** Velero's provider names this provider answers to (`aws`, `velero.io/aws`). */
  readonly aliases: readonly string[];
  /** One line for `snapshot-location create --help`. */
  readonly summary: string;
  /** The config keys the provider takes (Velero's names, and ours). */
  readonly configKeys: readonly string[];
  /** Checks what the key list cannot (required keys, values); throws a one-line message without the location's name. */
  validate?(config: Record<string, string>): void;
  /** Reads and parses the location's credentials now (at `snapshot-location create`); throws a one-line message. */
  checkCredentials?(location: ResolvedSnapshotLocation): void;
  /** Makes the snapshotter; the SDK is imported here. Throws a one-line message without the location's name. */
  open(location: ResolvedSnapshotLocation, env: NodeJS.ProcessEnv): Promise<VolumeSnapshotter>;
}

export const SNAPSHOT_PROVIDERS: readonly SnapshotProvider[] = [awsEbsProvider];

/** A volume snapshot location that cannot be used as described; one line naming it. */
export class SnapshotLocationError extends Error {}

export function findSnapshotProvider(name: string): SnapshotProvider | undefined {
  const wanted = name.trim().toLowerCase();
  return SNAPSHOT_PROVIDERS.find((p) => p.aliases.includes(wanted));
}

export function snapshotProviderFor(location: string, name: string): SnapshotProvider {
  const provider = findSnapshotProvider(name);
  if (!provider) {
    const known = SNAPSHOT_PROVIDERS.map((p) => p.name).join(', ');
    throw new SnapshotLocationError(`volume snapshot location "${location}": provider "${name}" has no volume snapshotter here (known: ${known}); GCE and Azure disks are not supported, use CSI snapshots for them`);
  }
  return provider;
}

/** Checks provider and config keys; returns the config with the provider's own name. Errors name the location. */
export function validateSnapshotLocation(location: string, provider: string, config: Record<string, string> = {}): { provider: string; config: Record<string, string> } {
  const found = snapshotProviderFor(location, provider);
  const where = `volume snapshot location "${location}" (provider ${found.name})`;
  for (const key of Object.keys(config)) {
    if (!found.configKeys.includes(key)) {
      throw new SnapshotLocationError(`${where}: unknown config key "${key}": provider ${found.name} takes ${found.configKeys.join(', ')}`);
    }
  }
  try {
    found.validate?.(config);
  } catch (error) {
    throw new SnapshotLocationError(`${where}: ${(error as Error).message}`);
  }
  return { provider: found.name, config };
}

/** Refuses credentials that cannot be read or parsed, before they are first needed. */
export function checkSnapshotLocationCredentials(location: ResolvedSnapshotLocation): void {
  const provider = snapshotProviderFor(location.name, location.provider);
  try {
    provider.checkCredentials?.(location);
  } catch (error) {
    throw new SnapshotLocationError(`volume snapshot location "${location.name}": ${(error as Error).message}`);
  }
}

/** Validates the location and opens its snapshotter; errors are one line naming the location. */
export async function openVolumeSnapshotter(location: ResolvedSnapshotLocation, env: NodeJS.ProcessEnv = process.env): Promise<VolumeSnapshotter> {
  const checked = validateSnapshotLocation(location.name, location.provider, location.config);
  const provider = snapshotProviderFor(location.name, checked.provider);
  try {
    return await provider.open({ ...location, ...checked }, env);
  } catch (error) {
    throw new SnapshotLocationError(`volume snapshot location "${location.name}": ${(error as Error).message}`);
  }
}
