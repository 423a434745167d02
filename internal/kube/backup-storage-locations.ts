// Velero's BackupStorageLocation objects in the cluster (velero.io/v1, in the Velero namespace),
// read with the user's credentials: where Velero is installed, its locations can be used as they
// are. Returns plain data; internal/storage turns it into a store. The credential Secret's content
// is returned to the caller only, never put into messages.
import { KubeApiError } from './errors.ts';
import type { KubeRequester } from './http-client.ts';
import { nameSegment, namespaceSegment } from './names.ts';

export interface ClusterLocation {
  name: string;
  provider: string;
  bucket: string;
  prefix?: string;
  config: Record<string, string>;
  credential?: { name: string; key: string };
  isDefault: boolean;
  accessMode: 'ReadWrite' | 'ReadOnly';
  phase?: string;
  lastValidationTime?: string;
}

interface BslObject {
  metadata: { name: string };
  spec?: {
    provider?: string;
    objectStorage?: { bucket?: string; prefix?: string };
    config?: Record<string, string>;
    credential?: { name?: string; key?: string };
    default?: boolean;
    accessMode?: string;
  };
  status?: { phase?: string; lastValidationTime?: string };
}

export function fromBsl(o: BslObject): ClusterLocation {
  const s = o.spec ?? {};
  return {
    name: o.metadata.name,
    provider: (s.provider ?? '').replace(/^velero\.io\//, ''),
    bucket: s.objectStorage?.bucket ?? '',
    ...(s.objectStorage?.prefix ? { prefix: s.objectStorage.prefix } : {}),
    config: s.config ?? {},
    ...(s.credential?.name && s.credential.key ? { credential: { name: s.credential.name, key: s.credential.key } } : {}),
    isDefault: s.default === true,
    accessMode: s.accessMode === 'ReadOnly' ? 'ReadOnly' : 'ReadWrite',
    ...(o.status?.phase ? { phase: o.status.phase } : {}),
    ...(o.status?.lastValidationTime ? { lastValidationTime: o.status.lastValidationTime } : {}),
  };
}

export interface ClusterLocations {
  locations: ClusterLocation[];
  /** Why none could be read, when the reason is worth a line (forbidden); absent when Velero is not installed. */
  warning?: string;
}

export async function listClusterLocations(client: KubeRequester, namespace: string): Promise<ClusterLocations> {
  try {
    const list = await client.getJson<{ items: BslObject[] }>(`/apis/velero.io/v1/namespaces/${namespaceSegment(namespace)}/backupstoragelocations`);
    return { locations: list.items.map(fromBsl).sort((a, b) => a.name.localeCompare(b.name)) };
  } catch (error) {
    if (error instanceof KubeApiError && error.status === 404) return { locations: [] };
    if (error instanceof KubeApiError && error.status === 403) return { locations: [], warning: `cannot list BackupStorageLocations in namespace ${namespace}: forbidden` };
    throw error;
  }
}

/** The text of the location's credential Secret key (an AWS credentials file for provider aws). */
export async function readCredential(client: KubeRequester, namespace: string, location: ClusterLocation): Promise<string | undefined> {
  if (!location.credential) return undefined;
  const { name, key } = location.credential;
  let secret: { data?: Record<string, string> };
  try {
    secret = await client.getJson(`/api/v1/namespaces/${namespaceSegment(namespace)}/secrets/${nameSegment(name)}`);
  } catch (error) {
    const status = error instanceof KubeApiError ? ` (${error.status})` : '';
    throw new Error(`cannot read the credential Secret ${namespace}/${name} of backup storage location "${location.name}"${status}`);
  }
  const value = secret.data?.[key];
  if (value === undefined) throw new Error(`the credential Secret ${namespace}/${name} of backup storage location "${location.name}" has no key "${key}"`);
  return Buffer.from(value, 'base64').toString('utf8');
}
