// The order a restore creates resources in: Velero's default priorities (pkg/cmd/server/config),
// then every other resource alphabetically, then the low-priority ones.
export const HIGH_PRIORITIES = [
  'customresourcedefinitions.apiextensions.k8s.io', 'namespaces', 'storageclasses.storage.k8s.io',
  'volumesnapshotclass.snapshot.storage.k8s.io', 'volumesnapshotcontents.snapshot.storage.k8s.io', 'volumesnapshots.snapshot.storage.k8s.io',
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

/** Sorts group-resources into restore order. */
export function restoreOrder(groupResources: Iterable<string>): string[] {
  const present = new Set(groupResources);
  const high = HIGH_PRIORITIES.filter((gr) => present.has(gr));
  const low = LOW_PRIORITIES.filter((gr) => present.has(gr));
  const rest = [...present].filter((gr) => !HIGH_PRIORITIES.includes(gr) && !LOW_PRIORITIES.includes(gr)).sort();
  return [...high, ...rest, ...low];
}
