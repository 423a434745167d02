// What an installed schedule's ServiceAccount may do: read what the schedule backs up, exec into
// pods only where its backups need it (volume data, hooks), take and delete CSI snapshots where the
// cluster can take them, and read the Velero namespace's volume snapshot locations. Decided at
// install time from the template and from the cluster as it is then; `schedule install` again
// recomputes it.
import type { BackupSpec } from '../../backup/backup-object.ts';
import { SNAPSHOT_GROUP } from '../../snapshots/csi-objects.ts';

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

/** A VolumeSnapshotLocation of the Velero namespace, as far as its access matters. */
export interface SnapshotLocationRef {
  name: string;
  /** The Secret (of the Velero namespace) holding its credentials. */
  credentialSecret?: string;
}

export interface AccessPlan {
  /** Namespaces whose objects the account reads; 'all' is a cluster-wide binding. */
  read: 'all' | string[];
  /** Cluster-scoped resources it reads (get, list). */
  clusterRead: ClusterResource[];
  /** Namespaces where it may exec into pods; 'all' is a cluster-wide binding. */
  exec: 'all' | string[];
  /**
   * CSI snapshots: the namespaces where it makes VolumeSnapshots (and, moving data, the temporary
   * claims and pods); with it, the cluster-wide content, class and storage class access they need.
   */
  csiSnapshots?: { namespaces: 'all' | string[]; moveData: boolean };
  /** Native snapshots: it reads the Velero namespace's VolumeSnapshotLocations and these Secrets of theirs. */
  snapshotLocations?: { secrets: string[] };
  /** The template's volume policies: the ConfigMap of the Velero namespace each backup reads. */
  resourcePolicy?: string;
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

export interface AccessInput {
  template: BackupSpec;
  clusterResources: readonly ClusterResource[];
  pods: readonly PodAnnotations[];
  /** The VolumeSnapshotLocations of the schedule's Velero namespace. */
  snapshotLocations?: readonly SnapshotLocationRef[];
}

export function planAccess(input: AccessInput): AccessPlan {
  const { template } = input;
  const included = template.includedNamespaces?.length ? template.includedNamespaces : ['*'];
  const excluded = new Set(template.excludedNamespaces ?? []);
  const read: AccessPlan['read'] = included.some(isPattern) ? 'all' : [...new Set(included)].filter((ns) => !excluded.has(ns)).sort();
  // Velero's rule (and ours): cluster-scoped objects come along when asked, or by default for a
  // backup of every namespace; otherwise only the related ones.
  const everything = template.includeClusterResources === true || (template.includeClusterResources === undefined && read === 'all');
  const clusterRead = template.includeClusterResources === false ? [{ group: '', resource: 'namespaces' }] : everything ? [...input.clusterResources] : RELATED_CLUSTER_READS;
  const covered = (ns: string) => (read === 'all' ? !excluded.has(ns) : read.includes(ns));
  const csiSnapshots = planCsiSnapshots(template, input.clusterResources, read);
  let exec: AccessPlan['exec'];
  if (template.defaultVolumesToFsBackup === true || (template.hooks?.resources?.length ?? 0) > 0 || csiSnapshots?.moveData) {
    // Every pod's volumes, hooks whose pods are chosen at backup time, or the mover pod of any
    // claim's snapshot: wherever the backup reads.
    exec = read;
  } else {
    const annotated = new Set(input.pods.filter((p) => covered(p.namespace) && EXEC_ANNOTATIONS.some((a) => p.annotations?.[a])).map((p) => p.namespace));
    exec = [...annotated].sort();
  }
  const snapshotLocations = planSnapshotLocations(template, input.snapshotLocations ?? []);
  const resourcePolicy = template.resourcePolicy?.name;
  return { read, clusterRead: dedupe(clusterRead), exec, ...(csiSnapshots ? { csiSnapshots } : {}), ...(snapshotLocations ? { snapshotLocations } : {}), ...(resourcePolicy ? { resourcePolicy } : {}) };
}

/**
 * A backup snapshots every bound CSI claim it meets unless the template says --snapshot-volumes=false,
 * and it meets them only where the cluster serves the snapshot API. Which claims exist is not asked:
 * a StatefulSet that scales up makes new ones, and a claim met without the access is an error of
 * the backup. The snapshots are made (and the mover runs, next to the claim) where the backup reads.
 */
function planCsiSnapshots(template: BackupSpec, clusterResources: readonly ClusterResource[], read: AccessPlan['read']): AccessPlan['csiSnapshots'] {
  // With volume policies, a `snapshot` action snapshots a volume even under --snapshot-volumes=false.
  if (template.snapshotVolumes === false && !template.resourcePolicy) return undefined;
  if (!clusterResources.some((r) => r.group === SNAPSHOT_GROUP && r.resource === 'volumesnapshotcontents')) return undefined;
  if (read !== 'all' && !read.length) return undefined;
  return { namespaces: read, moveData: template.snapshotMoveData === true };
}

/**
 * Native snapshots choose among the Velero namespace's VolumeSnapshotLocations at backup time, and
 * the expiry of a backup deletes its snapshots through the location it names: the account reads
 * them when the template names some or the cluster has some, with the credential Secrets they
 * name (by name: the Velero namespace holds other credentials too).
 */
function planSnapshotLocations(template: BackupSpec, locations: readonly SnapshotLocationRef[]): AccessPlan['snapshotLocations'] {
  if (!template.volumeSnapshotLocations?.length && !locations.length) return undefined;
  const secrets = [...new Set(locations.flatMap((l) => (l.credentialSecret ? [l.credentialSecret] : [])))].sort();
  return { secrets };
}

function dedupe(resources: ClusterResource[]): ClusterResource[] {
  const seen = new Map<string, ClusterResource>();
  for (const r of resources) seen.set(`${r.resource}.${r.group}`, r);
  return [...seen.values()].sort((a, b) => a.group.localeCompare(b.group) || a.resource.localeCompare(b.resource));
}
