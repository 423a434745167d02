import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { context, obj } from './actions.test-helpers.ts';
import { serviceAccountClusterRoles } from './service-account-cluster-roles.ts';

const crb = (name: string, role: string, subjects: { kind: string; name: string; namespace?: string }[]) =>
  obj('rbac.authorization.k8s.io/v1', 'ClusterRoleBinding', name, undefined, { roleRef: { kind: 'ClusterRole', name: role }, subjects });

const bindings = [
  crb('app-reader', 'view', [{ kind: 'ServiceAccount', name: 'app', namespace: 'shop' }]),
  crb('app-admin', 'admin', [{ kind: 'User', name: 'alice' }, { kind: 'ServiceAccount', name: 'app', namespace: 'shop' }]),
  crb('other-ns', 'edit', [{ kind: 'ServiceAccount', name: 'app', namespace: 'elsewhere' }]),
  crb('a-user', 'cluster-admin', [{ kind: 'User', name: 'app' }]),
  crb('also-view', 'view', [{ kind: 'ServiceAccount', name: 'app', namespace: 'shop' }]),
];

test('a service account brings the cluster role bindings naming it and their roles, once each', async () => {
  const ctx = context(bindings);
  const { additionalItems } = await serviceAccountClusterRoles.execute(obj('v1', 'ServiceAccount', 'app', 'shop'), ctx);
  assert.equal(additionalItems, [
    { groupResource: 'clusterrolebindings.rbac.authorization.k8s.io', name: 'also-view' },
    { groupResource: 'clusterrolebindings.rbac.authorization.k8s.io', name: 'app-admin' },
    { groupResource: 'clusterrolebindings.rbac.authorization.k8s.io', name: 'app-reader' },
    { groupResource: 'clusterroles.rbac.authorization.k8s.io', name: 'admin' },
    { groupResource: 'clusterroles.rbac.authorization.k8s.io', name: 'view' },
  ]);
});

test('a service account nobody binds brings nothing', async () => {
  const { additionalItems } = await serviceAccountClusterRoles.execute(obj('v1', 'ServiceAccount', 'lonely', 'shop'), context(bindings));
  assert.equal(additionalItems, []);
});

test.run();
