// Velero's ServiceAccountAction: a service account brings the ClusterRoleBindings that name it as a
// subject, and the ClusterRoles those bindings refer to, so its cluster permissions restore with it.
import type { BackupItemAction, ItemRef } from './action.ts';

interface Binding {
  metadata: { name: string };
  roleRef?: { name?: string };
  subjects?: { kind?: string; name?: string; namespace?: string }[];
}

export const serviceAccountClusterRoles: BackupItemAction = {
  name: 'velero.io/service-account',
  appliesTo: ['serviceaccounts'],
  async execute(item, context) {
    const { name, namespace } = item.metadata;
    const bindings = new Set<string>();
    const roles = new Set<string>();
    for (const crb of (await context.clusterRoleBindings()) as unknown as Binding[]) {
      const named = (crb.subjects ?? []).some((s) => s.kind === 'ServiceAccount' && s.namespace === namespace && s.name === name);
      if (!named) continue;
      bindings.add(crb.metadata.name);
      if (crb.roleRef?.name) roles.add(crb.roleRef.name);
    }
    const additionalItems: ItemRef[] = [
      ...[...bindings].sort().map((b) => ({ groupResource: 'clusterrolebindings.rbac.authorization.k8s.io', name: b })),
      ...[...roles].sort().map((r) => ({ groupResource: 'clusterroles.rbac.authorization.k8s.io', name: r })),
    ];
    return { item, additionalItems };
  },
};
