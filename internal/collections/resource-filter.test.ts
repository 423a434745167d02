import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { DISCOVERED } from './fixtures.test-helpers.ts';
import { NamespaceFilter } from './namespace-filter.ts';
import { DiscoveryResolver } from './resource-resolver.ts';
import { GlobalResourceFilter, ScopedResourceFilter } from './resource-filter.ts';

const resolver = new DiscoveryResolver(DISCOVERED);

test('resolver: plural, singular, kind, short name, with and without group', () => {
  const cases: [string, string | undefined][] = [
    ['pods', 'pods'],
    ['pod', 'pods'],
    ['Pod', 'pods'],
    ['po', 'pods'],
    ['deploy', 'deployments.apps'],
    ['deployments.apps', 'deployments.apps'],
    ['deploy.apps', 'deployments.apps'],
    ['crd', 'customresourcedefinitions.apiextensions.k8s.io'],
    ['events', 'events'], // the core group comes first in discovery
    ['events.events.k8s.io', 'events.events.k8s.io'],
    ['widgets.shop.example.com', 'widgets.shop.example.com'],
    ['nothing', undefined],
    ['deployments.nope', undefined],
  ];
  for (const [name, expected] of cases) assert.is(resolver.resolve(name)?.groupResource, expected, name);
});

const ns = (inc: string[] = [], exc: string[] = []) => new NamespaceFilter(inc, exc);
const old = (inc: string[] | undefined, exc: string[] | undefined, icr: boolean | undefined, namespaces = ns()) => new GlobalResourceFilter(resolver, inc, exc, icr, namespaces);

// [description, filter, type, shouldInclude, shouldExclude]
const oldCases: [string, GlobalResourceFilter, string, boolean, boolean][] = [
  ['everything: namespaced', old(undefined, undefined, undefined), 'configmaps', true, false],
  ['everything: cluster-scoped in a whole-cluster backup', old(undefined, undefined, undefined), 'persistentvolumes', true, false],
  ['one namespace, auto: cluster types are not listed', old(undefined, undefined, undefined, ns(['shop'])), 'persistentvolumes', false, false],
  ['one namespace, auto: namespaces are still listed', old(undefined, undefined, undefined, ns(['shop'])), 'namespaces', true, false],
  ['one namespace, auto: related PVs are not excluded', old(undefined, undefined, undefined, ns(['shop'])), 'clusterroles.rbac.authorization.k8s.io', false, false],
  ['include-cluster-resources=false', old(undefined, undefined, false), 'persistentvolumes', false, true],
  ['include-cluster-resources=true with one namespace', old(undefined, undefined, true, ns(['shop'])), 'storageclasses.storage.k8s.io', true, false],
  ['include by short name', old(['cm'], undefined, undefined), 'configmaps', true, false],
  ['include by short name: others left out', old(['cm'], undefined, undefined), 'secrets', false, false],
  ['auto with includes: cluster type not in includes is excluded', old(['cm'], undefined, undefined), 'persistentvolumes', false, true],
  ['exclude by kind', old(undefined, ['Secret'], undefined), 'secrets', false, true],
  ['exclude wins over include', old(['*'], ['deploy'], undefined), 'deployments.apps', false, true],
  ['exclude * is ignored in old filters', old(undefined, ['*'], undefined), 'configmaps', true, false],
  ['glob in resource includes', old(['*.apps'], undefined, undefined), 'statefulsets.apps', true, false],
  ['unknown type', old(undefined, undefined, undefined), 'gadgets.nowhere', false, true],
];

for (const [name, filter, type, include, exclude] of oldCases) {
  test(`old filters — ${name}: ${type}`, () => {
    assert.is(filter.shouldInclude(type), include, 'shouldInclude');
    assert.is(filter.shouldExclude(type), exclude, 'shouldExclude');
  });
}

const scoped = (lists: ConstructorParameters<typeof ScopedResourceFilter>[1], namespaces = ns()) => new ScopedResourceFilter(resolver, lists, namespaces);

const scopedCases: [string, ScopedResourceFilter, string, boolean, boolean][] = [
  ['nothing set: whole cluster', scoped({}), 'clusterroles.rbac.authorization.k8s.io', true, false],
  ['nothing set, one namespace: cluster types not listed', scoped({}, ns(['shop'])), 'clusterroles.rbac.authorization.k8s.io', false, false],
  ['nothing set, one namespace: namespaces listed', scoped({}, ns(['shop'])), 'namespaces', true, false],
  ['cluster includes *', scoped({ includedClusterScoped: ['*'] }, ns(['shop'])), 'storageclasses.storage.k8s.io', true, false],
  ['cluster includes one type', scoped({ includedClusterScoped: ['sc'] }, ns(['shop'])), 'storageclasses.storage.k8s.io', true, false],
  ['cluster includes one type: others not', scoped({ includedClusterScoped: ['sc'] }), 'persistentvolumes', false, false],
  ['cluster excludes *', scoped({ excludedClusterScoped: ['*'] }), 'namespaces', false, true],
  ['cluster excludes one: it is excluded', scoped({ excludedClusterScoped: ['pv'] }), 'persistentvolumes', false, true],
  ['cluster excludes one: the others are not listed either (no longer a full backup)', scoped({ excludedClusterScoped: ['pv'] }), 'storageclasses.storage.k8s.io', false, false],
  ['namespaced includes', scoped({ includedNamespaceScoped: ['cm'] }), 'configmaps', true, false],
  ['namespaced includes: others not', scoped({ includedNamespaceScoped: ['cm'] }), 'secrets', false, false],
  ['namespaced excludes * (a glob, so related items are refused too)', scoped({ excludedNamespaceScoped: ['*'] }), 'configmaps', false, true],
  ['namespaced exclude', scoped({ excludedNamespaceScoped: ['secrets'] }), 'secrets', false, true],
  ['a cluster type named in the namespaced list is dropped', scoped({ includedNamespaceScoped: ['cm', 'pv'] }), 'persistentvolumes', false, false],
];

for (const [name, filter, type, include, exclude] of scopedCases) {
  test(`scoped filters — ${name}: ${type}`, () => {
    assert.is(filter.shouldInclude(type), include, 'shouldInclude');
    assert.is(filter.shouldExclude(type), exclude, 'shouldExclude');
  });
}

test.run();
