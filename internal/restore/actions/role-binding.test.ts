import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { context, item, kept } from './actions.test-helpers.ts';
import { roleBindingAction } from './role-binding.ts';

const subjects = [{ kind: 'ServiceAccount', name: 'web', namespace: 'shop' }, { kind: 'ServiceAccount', name: 'm', namespace: 'monitoring' }, { kind: 'User', name: 'ann', apiGroup: 'rbac.authorization.k8s.io' }];

const cases: { name: string; kind: string; namespace?: string; mapping: Record<string, string>; want: unknown[] }[] = [
  { name: 'RoleBinding: mapped namespaces change, others and users stay', kind: 'RoleBinding', namespace: 'shop', mapping: { shop: 'shop-b' }, want: [{ kind: 'ServiceAccount', name: 'web', namespace: 'shop-b' }, subjects[1], subjects[2]] },
  { name: 'ClusterRoleBinding: the same rule', kind: 'ClusterRoleBinding', mapping: { monitoring: 'mon' }, want: [subjects[0], { kind: 'ServiceAccount', name: 'm', namespace: 'mon' }, subjects[2]] },
  { name: 'no mapping: unchanged', kind: 'RoleBinding', namespace: 'shop', mapping: {}, want: subjects },
];
for (const c of cases) {
  test(`role binding: ${c.name}`, () => {
    const out = kept(roleBindingAction, item('rbac.authorization.k8s.io/v1', c.kind, 'b', c.namespace, { subjects, roleRef: { kind: 'ClusterRole', name: 'view' } }), context({ namespaceMapping: c.mapping }));
    assert.equal(out.subjects, c.want);
  });
}

test('role binding: no subjects at all is fine', () => {
  assert.is(kept(roleBindingAction, item('rbac.authorization.k8s.io/v1', 'RoleBinding', 'b', 'shop', {}), context({ namespaceMapping: { shop: 'x' } })).subjects, undefined);
});

test.run();
