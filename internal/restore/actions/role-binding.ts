// (Cluster)RoleBindings (Velero's rolebinding_action.go / clusterrolebinding_action.go): subjects
// that name a namespace (service accounts) follow the namespace mapping, so a migrated workload
// keeps its permissions under its new namespace.
import { copyOf, list, type RestoreItemAction } from './types.ts';

export const roleBindingAction: RestoreItemAction = {
  name: 'role-binding',
  appliesTo: ['rolebindings.rbac.authorization.k8s.io', 'clusterrolebindings.rbac.authorization.k8s.io'],
  execute(item, ctx) {
    const out = copyOf(item);
    for (const subject of list(out.subjects)) {
      const ns = subject.namespace;
      if (typeof ns === 'string' && ctx.namespaceMapping[ns]) subject.namespace = ctx.namespaceMapping[ns];
    }
    return { item: out as typeof item };
  },
};
