// A small discovery snapshot shared by the filter tests: core, apps, rbac, a CRD group and the
// cohabiting events.k8s.io group, in the order an API server lists them.
import type { ResolvableResource } from './resource-resolver.ts';

const r = (group: string, resource: string, kind: string, namespaced: boolean, shortNames: string[] = [], singular = kind.toLowerCase()): ResolvableResource => ({
  group,
  resource,
  groupResource: group ? `${resource}.${group}` : resource,
  kind,
  singular,
  shortNames,
  namespaced,
});

export const DISCOVERED: ResolvableResource[] = [
  r('', 'pods', 'Pod', true, ['po']),
  r('', 'configmaps', 'ConfigMap', true, ['cm']),
  r('', 'secrets', 'Secret', true),
  r('', 'events', 'Event', true, ['ev']),
  r('', 'namespaces', 'Namespace', false, ['ns']),
  r('', 'persistentvolumes', 'PersistentVolume', false, ['pv']),
  r('', 'persistentvolumeclaims', 'PersistentVolumeClaim', true, ['pvc']),
  r('', 'serviceaccounts', 'ServiceAccount', true, ['sa']),
  r('apps', 'deployments', 'Deployment', true, ['deploy']),
  r('apps', 'statefulsets', 'StatefulSet', true, ['sts']),
  r('events.k8s.io', 'events', 'Event', true, ['ev']),
  r('rbac.authorization.k8s.io', 'clusterroles', 'ClusterRole', false),
  r('rbac.authorization.k8s.io', 'clusterrolebindings', 'ClusterRoleBinding', false),
  r('rbac.authorization.k8s.io', 'roles', 'Role', true),
  r('apiextensions.k8s.io', 'customresourcedefinitions', 'CustomResourceDefinition', false, ['crd', 'crds']),
  r('shop.example.com', 'widgets', 'Widget', true, ['wd']),
  r('storage.k8s.io', 'storageclasses', 'StorageClass', false, ['sc']),
];
