// The order a restore creates resources in: Velero's default priorities
// (pkg/cmd/server/config/config.go), then every other resource alphabetically, then the low ones.
// Velero resolves its short names through discovery ("customresourcedefinitions",
// "volumesnapshotclass.snapshot.storage.k8s.io" → the plural); the table holds the resolved
// `resource.group` names a backup's folders use.
export const HIGH_PRIORITIES = [
  'customresourcedefinitions.apiextensions.k8s.io', 'namespaces', 'storageclasses.storage.k8s.io',
  'volumesnapshotclasses.snapshot.storage.k8s.io', 'volumesnapshotcontents.snapshot.storage.k8s.io', 'volumesnapshots.snapshot.storage.k8s.io',
  'datauploads.velero.io', 'persistentvolumes', 'persistentvolumeclaims', 'clusterroles.rbac.authorization.k8s.io',
  'roles.rbac.authorization.k8s.io', 'serviceaccounts', 'clusterrolebindings.rbac.authorization.k8s.io', 'rolebindings.rbac.authorization.k8s.io',
  'secrets', 'configmaps', 'limitranges', 'priorityclasses.scheduling.k8s.io', 'pods', 'replicasets.apps',
  'clusterclasses.cluster.x-k8s.io', 'endpoints', 'services',
];

export const LOW_PRIORITIES = [
  'clusterbootstraps.run.tanzu.vmware.com', 'clusters.cluster.x-k8s.io', 'clusterresourcesets.addons.cluster.x-k8s.io',
  'apps.kappctrl.k14s.io', 'packageinstalls.packaging.carvel.dev',
];

/** Never restored, whatever the filters say (pkg/controller/restore_controller.go). */
export const NEVER_RESTORED = new Set([
  'nodes', 'events', 'events.events.k8s.io', 'backups.velero.io', 'restores.velero.io', 'resticrepositories.velero.io',
  'csinodes.storage.k8s.io', 'volumeattachments.storage.k8s.io', 'backuprepositories.velero.io',
]);

/** Sorts the backup's group-resources into restore order. */
export function restoreOrder(groupResources: Iterable<string>): string[] {
  const present = new Set(groupResources);
  const prioritized = new Set([...HIGH_PRIORITIES, ...LOW_PRIORITIES]);
  const rest = [...present].filter((gr) => !prioritized.has(gr)).sort();
  return [...HIGH_PRIORITIES.filter((gr) => present.has(gr)), ...rest, ...LOW_PRIORITIES.filter((gr) => present.has(gr))];
}
