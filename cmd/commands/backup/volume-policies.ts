// --resource-policies-configmap: the backup's volume policies, read with the user's credentials
// from the ConfigMap in the Velero namespace when the backup starts (Velero's server reads it
// there too). A ConfigMap that is missing, unreadable or invalid stops the backup before anything
// is stored, with one line naming it.
import { KubeApiError } from '../../../internal/kube/errors.ts';
import type { KubeRequester } from '../../../internal/kube/http-client.ts';
import { nameSegment, namespaceSegment } from '../../../internal/kube/names.ts';
import { BadVolumePoliciesError, parseVolumePolicies, type VolumePolicies } from '../../../internal/volumes/volume-policy.ts';

export async function readVolumePolicies(client: KubeRequester, veleroNamespace: string, name: string): Promise<VolumePolicies> {
  const where = `ConfigMap ${veleroNamespace}/${name}`;
  const path = `/api/v1/namespaces/${namespaceSegment(veleroNamespace)}/configmaps/${nameSegment(name)}`;
  const cm = await client.getJson<{ data?: Record<string, string> }>(path).catch((error: unknown) => {
    if (error instanceof KubeApiError && error.isNotFound) throw new Error(`resource policies ${where} not found (--resource-policies-configmap): create it in the Velero namespace (-n) first`);
    throw new Error(`cannot read the resource policies ${where}: ${(error as Error).message}`);
  });
  const values = Object.values(cm.data ?? {});
  if (values.length !== 1) throw new BadVolumePoliciesError(where, `the ConfigMap must have exactly one data key, it has ${values.length}`);
  return parseVolumePolicies(values[0]!, where);
}
