// (Cluster)RoleBindings: service-account subjects follow the namespace mapping.
import { obj, type Json, type RestoreItemAction } from './types.ts';

export const roleBindingAction: RestoreItemAction = {
  name: 'role-binding',
  appliesTo: ['rolebindings.rbac.authorization.k8s.io', 'clusterrolebindings.rbac.authorization.k8s.io'],
  execute(item, ctx) {
    const out = structuredClone(item) as Json;
    for (const subject of (out.subjects as Json[] | undefined) ?? []) {
      const ns = obj(subject).namespace as string | undefined;
      if (ns && ctx.namespaceMapping[ns]) subject.namespace = ctx.namespaceMapping[ns];
    }
    return { item: out as typeof item };
  },
};
