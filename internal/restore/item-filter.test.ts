// Which items a restore selects: Velero's filters, table-driven.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubeObject } from '../kube/list.ts';
import { ItemFilter } from './item-filter.ts';
import type { RestoreSpec } from './restore-object.ts';

const spec = (s: Partial<RestoreSpec> = {}): RestoreSpec => ({ backupName: 'b', ...s });

const resourceCases: [string, Partial<RestoreSpec>, string, boolean][] = [
  ['never restored: nodes', {}, 'nodes', false],
  ['never restored: events of both groups', {}, 'events.events.k8s.io', false],
  ['never restored: velero restores', {}, 'restores.velero.io', false],
  ['all by default', {}, 'deployments.apps', true],
  ['include by plain resource name', { includedResources: ['deployments'] }, 'deployments.apps', true],
  ['include by resource.group', { includedResources: ['deployments.apps'] }, 'deployments.apps', true],
  ['not included', { includedResources: ['configmaps'] }, 'secrets', false],
  ['exclude by plain name wins over *', { includedResources: ['*'], excludedResources: ['deployments'] }, 'deployments.apps', false],
  ['glob include', { includedResources: ['*.apps'] }, 'statefulsets.apps', true],
];
for (const [name, s, gr, want] of resourceCases) {
  test(`resource filter: ${name}`, () => {
    assert.is(new ItemFilter(spec(s)).skipResource(gr) === undefined, want);
  });
}

const locationCases: [string, Partial<RestoreSpec>, string, string | undefined, string, boolean][] = [
  ['namespaced in an included namespace', { includedNamespaces: ['shop'] }, 'configmaps', 'shop', 'a', true],
  ['namespaced in another namespace', { includedNamespaces: ['shop'] }, 'configmaps', 'other', 'a', false],
  ['excluded namespace', { excludedNamespaces: ['shop'] }, 'configmaps', 'shop', 'a', false],
  ['namespace objects follow the namespace filter', { includedNamespaces: ['shop'] }, 'namespaces', undefined, 'shop', true],
  ['…and are left out with it', { includedNamespaces: ['shop'] }, 'namespaces', undefined, 'other', false],
  ['cluster-scoped, whole backup, auto', {}, 'clusterroles.rbac.authorization.k8s.io', undefined, 'r', true],
  ['cluster-scoped, some namespaces, auto: no', { includedNamespaces: ['shop'] }, 'clusterroles.rbac.authorization.k8s.io', undefined, 'r', false],
  ['cluster-scoped, some namespaces, true: yes', { includedNamespaces: ['shop'], includeClusterResources: true }, 'clusterroles.rbac.authorization.k8s.io', undefined, 'r', true],
  ['cluster-scoped, false: no', { includeClusterResources: false }, 'clusterroles.rbac.authorization.k8s.io', undefined, 'r', false],
  ['PVs are decided by their claim when auto', { includedNamespaces: ['shop'] }, 'persistentvolumes', undefined, 'pv', true],
];
for (const [name, s, gr, ns, n, want] of locationCases) {
  test(`location filter: ${name}`, () => {
    assert.is(new ItemFilter(spec(s)).skipByLocation(gr, ns, n) === undefined, want);
  });
}

const obj = (labels: Record<string, string>, extra: Record<string, unknown> = {}): KubeObject => ({ apiVersion: 'v1', kind: 'X', metadata: { name: 'a', namespace: 'shop', labels }, ...extra });
const contentCases: [string, Partial<RestoreSpec>, string, KubeObject, boolean][] = [
  ['selector matches', { labelSelector: { matchLabels: { app: 'web' } } }, 'configmaps', obj({ app: 'web' }), true],
  ['selector does not match', { labelSelector: { matchLabels: { app: 'web' } } }, 'configmaps', obj({ app: 'db' }), false],
  ['or-selectors: one matches', { orLabelSelectors: [{ matchLabels: { app: 'x' } }, { matchLabels: { tier: 'db' } }] }, 'configmaps', obj({ tier: 'db' }), true],
  ['or-selectors: none matches', { orLabelSelectors: [{ matchLabels: { app: 'x' } }] }, 'configmaps', obj({ tier: 'db' }), false],
  ['a succeeded pod', {}, 'pods', obj({}, { status: { phase: 'Succeeded' } }), false],
  ['a running pod', {}, 'pods', obj({}, { status: { phase: 'Running' } }), true],
  ['a mirror pod', {}, 'pods', { ...obj({}), metadata: { name: 'm', namespace: 'kube-system', annotations: { 'kubernetes.io/config.mirror': 'x' } } }, false],
  ['a completed job', {}, 'jobs.batch', obj({}, { status: { completionTime: 't' } }), false],
  ['a PV whose claim is restored', { includedNamespaces: ['shop'] }, 'persistentvolumes', obj({}, { spec: { claimRef: { namespace: 'shop' } } }), true],
  ['a PV whose claim is not', { includedNamespaces: ['shop'] }, 'persistentvolumes', obj({}, { spec: { claimRef: { namespace: 'other' } } }), false],
];
for (const [name, s, gr, item, want] of contentCases) {
  test(`content filter: ${name}`, () => {
    assert.is(new ItemFilter(spec(s)).skipByContent(gr, item) === undefined, want);
  });
}

test.run();
