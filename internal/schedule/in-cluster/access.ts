// What an installed schedule's ServiceAccount may do: read what the schedule backs up, and exec into
// pods only where its backups need it (volume data, hooks). Decided at install time from the
// template and from the cluster as it is then; `schedule install` again recomputes it.
import type { BackupSpec } from '../../backup/backup-object.ts';

/** A cluster-scoped resource the API server serves (from discovery). */
export interface ClusterResource {
  group: string;
  resource: string;
}

/** Pods' annotations that make a backup exec into the pod: Velero's hooks and opted-in volumes. */
const EXEC_ANNOTATIONS = ['backup.velero.io/backup-volumes', 'hook.backup.velero.io/command', 'pre.hook.backup.velero.io/command', 'post.hook.backup.velero.io/command'];

export interface PodAnnotations {
  namespace: string;
  annotations?: Record<string, string>;
}

export interface AccessPlan {
  /** Namespaces whose objects the account reads; 'all' is a cluster-wide binding. */
  read: 'all' | string[];
  /** Cluster-scoped resources it reads (get, list). */
  clusterRead: ClusterResource[];
  /** Namespaces where it may exec into pods; 'all' is a cluster-wide binding. */
  exec: 'all' | string[];
}

/** A name pattern (Velero's namespace globs), not one namespace a RoleBinding can name. */
const isPattern = (ns: string) => /[*?[\]]/.test(ns);

/**
 * What cluster-scoped reads a namespace-limited backup needs: its namespaces, and what it adds as
 * related items — the PVs of its claims, the CRDs of its custom resources, and (Velero's service
 * account action) the ClusterRoleBindings and ClusterRoles of its service accounts.
 */
const RELATED_CLUSTER_READS: ClusterResource[] = [
  { group: '', resource: 'namespaces' },
  { group: '', resource: 'persistentvolumes' },
  { group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' },
  { group: 'rbac.authorization.k8s.io', resource: 'clusterrolebindings' },
  { group: 'rbac.authorization.k8s.io', resource: 'clusterroles' },
];

export function planAccess(input: { template: BackupSpec; clusterResources: readonly ClusterResource[]; pods: readonly PodAnnotations[] }): AccessPlan {
  const { template } = input;
  const included = template.includedNamespaces?.length ? template.includedNamespaces : ['*'];
  const excluded = new Set(template.excludedNamespaces ?? []);
  const read: AccessPlan['read'] = included.some(isPattern) ? 'all' : [...new Set(included)].filter((ns) => !excluded.has(ns)).sort();
  // Velero's rule (and ours): cluster-scoped objects come along when asked, or by default for a
  // backup of every namespace; otherwise only the related ones.
  const everything = template.includeClusterResources === true || (template.includeClusterResources === undefined && read === 'all');
  const clusterRead = template.includeClusterResources === false ? [{ group: '', resource: 'namespaces' }] : everything ? [...input.clusterResources] : RELATED_CLUSTER_READS;
  const covered = (ns: string) => (read === 'all' ? !excluded.has(ns) : read.includes(ns));
  let exec: AccessPlan['exec'];
  if (template.defaultVolumesToFsBackup === true || (template.hooks?.resources?.length ?? 0) > 0) {
    // Every pod's volumes, or hooks whose pods are chosen at backup time: wherever the backup reads.
    exec = read;
  } else {
    const annotated = new Set(input.pods.filter((p) => covered(p.namespace) && EXEC_ANNOTATIONS.some((a) => p.annotations?.[a])).map((p) => p.namespace));
    exec = [...annotated].sort();
  }
  return { read, clusterRead: dedupe(clusterRead), exec };
}

function dedupe(resources: ClusterResource[]): ClusterResource[] {
  const seen = new Map<string, ClusterResource>();
  for (const r of resources) seen.set(`${r.resource}.${r.group}`, r);
  return [...seen.values()].sort((a, b) => a.group.localeCompare(b.group) || a.resource.localeCompare(b.resource));
}
