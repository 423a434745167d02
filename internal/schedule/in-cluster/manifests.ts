// The objects `schedule install` puts in the cluster for one schedule: a CronJob that runs the
// plugin's image (`schedule run NAME`), its ServiceAccount, the ClusterRoles of its access plan with
// their bindings (volume snapshots' included), and a Secret holding the location (its config file
// and credentials). Every object carries the same two labels, which is how `schedule delete` finds
// all of it again.
import { createHash } from 'node:crypto';
import { SNAPSHOT_GROUP } from '../../snapshots/csi-objects.ts';
import type { AccessPlan } from './access.ts';

export const MANAGED_BY_LABEL = 'app.kubernetes.io/managed-by';
export const MANAGED_BY = 'kubectl-velero';
export const SCHEDULE_LABEL = 'velero.io/schedule-name';
/** On the stored Schedule once installed: the namespace of its CronJob (delete and pause reach it there). */
export const INSTALLED_ANNOTATION = 'kubectl-velero.io/installed-in';
/** Where the Secret is mounted in the CronJob's pod. */
export const CONFIG_DIR = '/etc/kubectl-velero';

export interface KubeManifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels: Record<string, string>; annotations?: Record<string, string> };
  [key: string]: unknown;
}

export interface InstallInput {
  schedule: string;
  /** The Velero namespace: the CronJob, its ServiceAccount and Secret live there. */
  namespace: string;
  /** The cron fields, without a time-zone prefix. */
  cron: string;
  timeZone?: string;
  paused: boolean;
  image: string;
  imagePullPolicy: 'Always' | 'IfNotPresent' | 'Never';
  /** The Secret's files: config.yaml, credentials, maybe encryption-key. */
  files: Record<string, Buffer>;
  storageLocation: string;
  access: AccessPlan;
}

/**
 * A backup's VolumeSnapshots, in its namespaces (csi-backup.ts): made and deleted. They are polled
 * until ready with the namespaces' own read role, which is bound wherever these are.
 */
const SNAPSHOT_RULES = [{ apiGroups: [SNAPSHOT_GROUP], resources: ['volumesnapshots'], verbs: ['create', 'delete'] }];

/**
 * What CSI snapshots read and write outside the namespaces: the claim's volume (even when the
 * template takes no cluster-scoped objects) and storage class, the classes (listed for the labelled
 * one, got by name), and the contents — polled, labelled and set to Retain, deleted after the
 * backup; at expiry one is created for the stored handle and deleted (csi-delete.ts).
 */
const CLUSTER_SNAPSHOT_RULES = [
  { apiGroups: [''], resources: ['persistentvolumes'], verbs: ['get'] },
  { apiGroups: ['storage.k8s.io'], resources: ['storageclasses'], verbs: ['get'] },
  { apiGroups: [SNAPSHOT_GROUP], resources: ['volumesnapshotclasses'], verbs: ['get', 'list'] },
  { apiGroups: [SNAPSHOT_GROUP], resources: ['volumesnapshotcontents'], verbs: ['create', 'get', 'patch', 'delete'] },
];

/**
 * --snapshot-move-data (csi-data-mover.ts): a temporary claim and pod beside the claim, made and
 * deleted (polled with the read role, exec'd into with the exec role, both bound there too).
 */
const MOVER_RULES = [{ apiGroups: [''], resources: ['persistentvolumeclaims', 'pods'], verbs: ['create', 'delete'] }];

/** The Velero namespace's VolumeSnapshotLocations (only ever listed), and only the credential Secrets they name. */
function snapshotLocationRules(secrets: readonly string[]): unknown[] {
  const rules: unknown[] = [{ apiGroups: ['velero.io'], resources: ['volumesnapshotlocations'], verbs: ['list'] }];
  if (secrets.length) rules.push({ apiGroups: [''], resources: ['secrets'], resourceNames: [...secrets], verbs: ['get'] });
  return rules;
}

export function selectorLabels(schedule: string): Record<string, string> {
  return { [MANAGED_BY_LABEL]: MANAGED_BY, [SCHEDULE_LABEL]: schedule };
}

/** The base of every object's name: a CronJob name leaves 11 characters for its Jobs' suffix. */
export function installName(schedule: string): string {
  const name = `kubectl-velero-${schedule}`.replace(/\./g, '-');
  if (name.length <= 52) return name;
  const hash = createHash('sha256').update(schedule).digest('hex').slice(0, 8);
  return `${name.slice(0, 43).replace(/-+$/, '')}-${hash}`;
}

export function inClusterManifests(input: InstallInput): KubeManifest[] {
  const name = installName(input.schedule);
  const labels = selectorLabels(input.schedule);
  const meta = (n: string, namespace?: string) => ({ name: n, ...(namespace ? { namespace } : {}), labels: { ...labels } });
  const subject = { kind: 'ServiceAccount', name, namespace: input.namespace };
  const out: KubeManifest[] = [];
  out.push({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: meta(name, input.namespace), automountServiceAccountToken: true });
  out.push({ apiVersion: 'v1', kind: 'Secret', metadata: meta(name, input.namespace), type: 'Opaque', data: Object.fromEntries(Object.entries(input.files).map(([k, v]) => [k, v.toString('base64')])) });

  const role = (suffix: string, rules: unknown[]): string => {
    const roleName = `${name}-${suffix}`;
    out.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: meta(roleName), rules });
    return roleName;
  };
  const bind = (roleName: string, scope: 'all' | string[]) => {
    const roleRef = { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: roleName };
    if (scope === 'all') out.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: meta(roleName), roleRef, subjects: [subject] });
    else for (const ns of scope) out.push({ apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'RoleBinding', metadata: meta(roleName, ns), roleRef, subjects: [subject] });
  };
  const { access } = input;
  // Namespaced reads (every resource: a backup holds secrets too), bound where the schedule reads.
  if (access.read === 'all' || access.read.length) bind(role('read', [{ apiGroups: ['*'], resources: ['*'], verbs: ['get', 'list'] }]), access.read);
  if (access.clusterRead.length) {
    const byGroup = new Map<string, string[]>();
    for (const r of access.clusterRead) byGroup.set(r.group, [...(byGroup.get(r.group) ?? []), r.resource]);
    const rules = [...byGroup].map(([group, resources]) => ({ apiGroups: [group], resources, verbs: ['get', 'list'] }));
    bind(role('cluster-read', rules), 'all');
  }
  if (access.exec === 'all' || access.exec.length) bind(role('exec', [{ apiGroups: [''], resources: ['pods/exec'], verbs: ['create', 'get'] }]), access.exec);
  if (access.csiSnapshots) {
    bind(role('snapshots', SNAPSHOT_RULES), access.csiSnapshots.namespaces);
    bind(role('cluster-snapshots', CLUSTER_SNAPSHOT_RULES), 'all');
    if (access.csiSnapshots.moveData) bind(role('snapshot-mover', MOVER_RULES), access.csiSnapshots.namespaces);
  }
  if (access.snapshotLocations) bind(role('snapshot-locations', snapshotLocationRules(access.snapshotLocations.secrets)), [input.namespace]);
  if (access.resourcePolicy) bind(role('volume-policies', [{ apiGroups: [''], resources: ['configmaps'], resourceNames: [access.resourcePolicy], verbs: ['get'] }]), [input.namespace]);

  const args = ['schedule', 'run', input.schedule, '--namespace', input.namespace, '--storage-location', input.storageLocation];
  if (input.files['encryption-key'] !== undefined) args.push('--encryption-key-file', `${CONFIG_DIR}/encryption-key`);
  const podLabels = { ...labels };
  out.push({
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: meta(name, input.namespace),
    spec: {
      schedule: input.cron,
      ...(input.timeZone ? { timeZone: input.timeZone } : {}),
      // One run at a time, as Velero's server takes one backup of a schedule at a time.
      concurrencyPolicy: 'Forbid',
      suspend: input.paused,
      startingDeadlineSeconds: 600,
      successfulJobsHistoryLimit: 3,
      failedJobsHistoryLimit: 3,
      jobTemplate: {
        metadata: { labels: podLabels },
        spec: {
          // A failed run is not retried at once: the next slot takes the backup (and `schedule run` catches up).
          backoffLimit: 0,
          template: {
            metadata: { labels: podLabels },
            spec: {
              serviceAccountName: name,
              restartPolicy: 'Never',
              securityContext: { runAsNonRoot: true, runAsUser: 65532, runAsGroup: 65532, fsGroup: 65532, seccompProfile: { type: 'RuntimeDefault' } },
              containers: [
                {
                  name: 'schedule-run',
                  image: input.image,
                  imagePullPolicy: input.imagePullPolicy,
                  args,
                  env: [
                    { name: 'KUBECTL_VELERO_CONFIG', value: `${CONFIG_DIR}/config.yaml` },
                    { name: 'HOME', value: '/tmp' },
                  ],
                  volumeMounts: [
                    { name: 'location', mountPath: CONFIG_DIR, readOnly: true },
                    { name: 'tmp', mountPath: '/tmp' },
                  ],
                  securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
                },
              ],
              volumes: [
                { name: 'location', secret: { secretName: name, defaultMode: 0o440 } },
                { name: 'tmp', emptyDir: {} },
              ],
            },
          },
        },
      },
    },
  });
  return out;
}
