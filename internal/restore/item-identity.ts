// An item's path in the archive says which resource it is; its content must agree before anything
// is sent to the API server. A file under resources/namespaces/ whose JSON is a ConfigMap, an item
// whose apiVersion names another API group (the request path is built from it), or a namespaced
// object filed at cluster scope would let a crafted archive reach objects that the restore's
// filters and namespace mappings — which look at paths — never selected.
import type { ApiResource } from '../kube/discovery.ts';
import type { KubeObject } from '../kube/list.ts';
import { quoteUntrusted } from '../text/quote.ts';

/** The API group of `apps/v1` (`apps`) or of `v1` (the core group, ''). */
export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** Why `item` cannot be the `resource` its path names, or undefined when it agrees. */
export function identityProblem(resource: Pick<ApiResource, 'groupVersion' | 'kind' | 'namespaced'>, item: KubeObject, filedInNamespace: boolean): string | undefined {
  if (item.kind !== resource.kind) return `its content is a ${quoteUntrusted(String(item.kind), 60)}, its path a ${resource.kind}`;
  const group = groupOf(resource.groupVersion);
  const itemGroup = groupOf(String(item.apiVersion));
  if (itemGroup !== group) return `its apiVersion ${quoteUntrusted(String(item.apiVersion), 80)} is not in the API group ${group ? `"${group}"` : 'core'} of its path`;
  const version = String(item.apiVersion).slice(itemGroup ? itemGroup.length + 1 : 0);
  // A version is a DNS-1035 label (CRD versions are; built-in ones are v1, v1beta1…): it goes into a request path.
  if (!/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(version)) return `its apiVersion ${quoteUntrusted(String(item.apiVersion), 80)} has no valid version`;
  if (resource.namespaced && !filedInNamespace) return `it is a namespaced ${resource.kind} filed at cluster scope`;
  if (!resource.namespaced && filedInNamespace) return `it is a cluster-scoped ${resource.kind} filed in a namespace`;
  return undefined;
}
