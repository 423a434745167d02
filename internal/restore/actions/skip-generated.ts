// Objects the target cluster makes itself: restoring them would clash or go stale.
// - the root CA ConfigMap every namespace gets from the controller-manager;
// - service-account token Secrets (the token controller issues new ones);
// - EndpointSlices the EndpointSlice controller manages (made again from the Service).
import { obj, type RestoreItemAction } from './types.ts';

export const skipGeneratedAction: RestoreItemAction = {
  name: 'skip-generated',
  appliesTo: ['configmaps', 'secrets', 'endpointslices.discovery.k8s.io'],
  execute(item) {
    const meta = obj(item.metadata);
    const labels = obj(meta.labels);
    if (item.kind === 'ConfigMap' && meta.name === 'kube-root-ca.crt') return { skip: 'made by the target cluster for every namespace' };
    if (item.kind === 'Secret' && (item as { type?: string }).type === 'kubernetes.io/service-account-token') return { skip: 'service-account tokens are issued anew' };
    if (item.kind === 'EndpointSlice' && labels['endpointslice.kubernetes.io/managed-by']) return { skip: 'managed by the EndpointSlice controller' };
    return { item };
  },
};
