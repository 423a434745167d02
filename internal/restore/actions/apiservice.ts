// APIServices (Velero's apiservice_action.go): the ones Kubernetes registers itself for its
// built-in groups (labelled kube-aggregator.kubernetes.io/automanaged) are local to each API
// server and not restored; aggregated APIs a user installed are.
import type { RestoreItemAction } from './types.ts';

export const AUTOMANAGED_LABEL = 'kube-aggregator.kubernetes.io/automanaged';

export const apiServiceAction: RestoreItemAction = {
  name: 'apiservice',
  appliesTo: ['apiservices.apiregistration.k8s.io'],
  execute(item) {
    if (item.metadata.labels && AUTOMANAGED_LABEL in item.metadata.labels) return { skip: 'managed by the API server itself' };
    return { item };
  },
};
