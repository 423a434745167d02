// A stock Velero server keeps its Restore objects in the cluster (velero.io/v1, in the Velero
// namespace) and only the restore's files (log, results, resource list) in the location. Reading
// that object, with the user's credentials, lets `restore describe` show — and `--fidelity`
// judge — a restore Velero made. Returns plain data; absent (or not readable) is undefined.
import { KubeApiError } from './errors.ts';
import type { KubeRequester } from './http-client.ts';
import { nameSegment, namespaceSegment } from './names.ts';

export async function readClusterRestore<T>(client: KubeRequester, namespace: string, name: string): Promise<T | undefined> {
  try {
    return await client.getJson<T>(`/apis/velero.io/v1/namespaces/${namespaceSegment(namespace)}/restores/${nameSegment(name)}`);
  } catch (error) {
    // 404: no such Restore, or Velero's CRDs are not installed; 403: the user may not read them.
    if (error instanceof KubeApiError && (error.status === 404 || error.status === 403)) return undefined;
    throw error;
  }
}
