// Objects the target cluster makes itself (beyond Velero, which restores them and then meets an
// "already exists" warning or a stale copy):
// - the root CA ConfigMap every namespace gets from the controller-manager (it differs per cluster);
// - EndpointSlices the EndpointSlice controller manages, and Endpoints the endpoints controller
//   manages (both made again from the Service and the pods it selects, whose addresses differ).
import { obj, type RestoreItemAction } from './types.ts';

export const skipGeneratedAction: RestoreItemAction = {
  name: 'skip-generated',
  appliesTo: ['configmaps', 'endpointslices.discovery.k8s.io', 'endpoints'],
  execute(item) {
    if (item.kind === 'ConfigMap' && item.metadata.name === 'kube-root-ca.crt') return { skip: 'made by the target cluster for every namespace' };
    if (item.kind === 'EndpointSlice' && obj(item.metadata.labels)['endpointslice.kubernetes.io/managed-by']) return { skip: 'managed by the EndpointSlice controller' };
    if (item.kind === 'Endpoints' && obj(item.metadata.labels)['endpoints.kubernetes.io/managed-by'] === 'endpoint-controller') return { skip: 'managed by the endpoints controller' };
    return { item };
  },
};
