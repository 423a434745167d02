import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BackupSpec } from '../../backup/backup-object.ts';
import { BadCronError } from '../cron.ts';
import { planAccess } from './access.ts';
import { cronJobSchedule, NotInstallableError } from './cron-job-schedule.ts';
import { inClusterManifests, installName, type KubeManifest } from './manifests.ts';

const CLUSTER = [
  { group: '', resource: 'namespaces' },
  { group: '', resource: 'nodes' },
  { group: '', resource: 'persistentvolumes' },
  { group: 'rbac.authorization.k8s.io', resource: 'clusterroles' },
];
const spec = (s: Partial<BackupSpec>) => s as BackupSpec;

test('one namespace: read there, the related cluster-scoped kinds, exec only where pods ask for it', () => {
  const plan = planAccess({
    template: spec({ includedNamespaces: ['shop'] }),
    clusterResources: CLUSTER,
    pods: [
      { namespace: 'shop', annotations: { 'backup.velero.io/backup-volumes': 'data' } },
      { namespace: 'other', annotations: { 'pre.hook.backup.velero.io/command': '["true"]' } },
    ],
  });
  assert.equal(plan.read, ['shop']);
  assert.equal(plan.exec, ['shop'], 'a hook in a namespace the schedule does not cover grants nothing');
  assert.equal(plan.clusterRead.map((r) => r.resource), ['namespaces', 'persistentvolumes', 'customresourcedefinitions', 'clusterrolebindings', 'clusterroles']);
});

test('no annotated pod and no fs-backup default: no exec at all', () => {
  const plan = planAccess({ template: spec({ includedNamespaces: ['a', 'b'] }), clusterResources: CLUSTER, pods: [{ namespace: 'a' }] });
  assert.equal(plan.exec, []);
  const all = planAccess({ template: spec({ includedNamespaces: ['a', 'b'], defaultVolumesToFsBackup: true }), clusterResources: CLUSTER, pods: [] });
  assert.equal(all.exec, ['a', 'b']);
  const hooks = planAccess({ template: spec({ includedNamespaces: ['a'], hooks: { resources: [{}] } }), clusterResources: CLUSTER, pods: [] });
  assert.equal(hooks.exec, ['a']);
});

test('every namespace or a pattern: cluster-wide reads, every cluster-scoped kind unless excluded', () => {
  const all = planAccess({ template: spec({}), clusterResources: CLUSTER, pods: [] });
  assert.is(all.read, 'all');
  assert.equal(all.clusterRead.map((r) => r.resource), ['namespaces', 'nodes', 'persistentvolumes', 'clusterroles']);
  const pattern = planAccess({ template: spec({ includedNamespaces: ['shop-*'], includeClusterResources: false }), clusterResources: CLUSTER, pods: [] });
  assert.is(pattern.read, 'all');
  assert.equal(pattern.clusterRead.map((r) => r.resource), ['namespaces']);
  const excluded = planAccess({ template: spec({ includedNamespaces: ['a', 'b'], excludedNamespaces: ['b'] }), clusterResources: CLUSTER, pods: [] });
  assert.equal(excluded.read, ['a']);
});

function byKind(objects: KubeManifest[], kind: string): KubeManifest[] {
  return objects.filter((o) => o.kind === kind);
}

test('manifests: labelled objects, RoleBindings per namespace, a CronJob that runs schedule run as its ServiceAccount', () => {
  const objects = inClusterManifests({
    schedule: 'daily',
    namespace: 'velero',
    cron: '0 2 * * *',
    timeZone: 'Europe/Paris',
    paused: true,
    image: 'registry.example/kv:1',
    imagePullPolicy: 'IfNotPresent',
    files: { 'config.yaml': Buffer.from('x'), credentials: Buffer.from('secret'), 'encryption-key': Buffer.from([0, 1, 2]) },
    storageLocation: 'minio',
    access: { read: ['shop', 'web'], clusterRead: [{ group: '', resource: 'namespaces' }, { group: 'apiextensions.k8s.io', resource: 'customresourcedefinitions' }], exec: ['shop'] },
  });
  for (const o of objects) {
    assert.is(o.metadata.labels['app.kubernetes.io/managed-by'], 'kubectl-velero', `${o.kind} ${o.metadata.name}`);
    assert.is(o.metadata.labels['velero.io/schedule-name'], 'daily');
  }
  const readBindings = byKind(objects, 'RoleBinding').filter((b) => b.metadata.name.endsWith('-read'));
  assert.equal(readBindings.map((b) => b.metadata.namespace), ['shop', 'web']);
  assert.equal(byKind(objects, 'RoleBinding').filter((b) => b.metadata.name.endsWith('-exec')).map((b) => b.metadata.namespace), ['shop']);
  assert.is(byKind(objects, 'ClusterRoleBinding').length, 1, 'only the cluster-scoped reads are bound cluster-wide');
  const clusterRead = byKind(objects, 'ClusterRole').find((r) => r.metadata.name.endsWith('-cluster-read'));
  assert.equal(clusterRead?.rules, [
    { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list'] },
    { apiGroups: ['apiextensions.k8s.io'], resources: ['customresourcedefinitions'], verbs: ['get', 'list'] },
  ]);
  const secret = byKind(objects, 'Secret')[0]!;
  assert.equal(Object.keys(secret.data as object).sort(), ['config.yaml', 'credentials', 'encryption-key']);
  assert.is((secret.data as Record<string, string>)['encryption-key'], 'AAEC');
  const cron = byKind(objects, 'CronJob')[0] as KubeManifest & { spec: Record<string, any> };
  assert.is(cron.spec.schedule, '0 2 * * *');
  assert.is(cron.spec.timeZone, 'Europe/Paris');
  assert.is(cron.spec.concurrencyPolicy, 'Forbid');
  assert.is(cron.spec.suspend, true);
  const pod = cron.spec.jobTemplate.spec.template.spec;
  assert.is(pod.serviceAccountName, installName('daily'));
  assert.equal(pod.containers[0].args, ['schedule', 'run', 'daily', '--namespace', 'velero', '--storage-location', 'minio', '--encryption-key-file', '/etc/kubectl-velero/encryption-key']);
  assert.is(pod.containers[0].securityContext.readOnlyRootFilesystem, true);
});

test('all namespaces: ClusterRoleBindings, no RoleBindings', () => {
  const objects = inClusterManifests({
    schedule: 's', namespace: 'velero', cron: '@daily', timeZone: 'UTC', paused: false, image: 'i', imagePullPolicy: 'Never',
    files: {}, storageLocation: 'l', access: { read: 'all', clusterRead: [], exec: 'all' },
  });
  assert.is(byKind(objects, 'RoleBinding').length, 0);
  assert.equal(byKind(objects, 'ClusterRoleBinding').map((b) => b.metadata.name).sort(), ['kubectl-velero-s-exec', 'kubectl-velero-s-read']);
});

test('names fit a CronJob (52 characters) and stay distinct', () => {
  const long = 'a'.repeat(60);
  assert.ok(installName(long).length <= 52);
  assert.is.not(installName(long), installName(`${'a'.repeat(59)}b`));
  assert.is(installName('db.nightly'), 'kubectl-velero-db-nightly');
});

test('cron for a CronJob: the zone apart, UTC by default; @every refused; bad cron refused', () => {
  assert.equal(cronJobSchedule('*/1 * * * *'), { cron: '*/1 * * * *', timeZone: 'UTC' });
  assert.equal(cronJobSchedule('CRON_TZ=Europe/Paris  30 1 * * 1-5'), { cron: '30 1 * * 1-5', timeZone: 'Europe/Paris' });
  assert.equal(cronJobSchedule('@daily'), { cron: '@daily', timeZone: 'UTC' });
  assert.throws(() => cronJobSchedule('@every 6h'), (e: unknown) => e instanceof NotInstallableError && /schedule run --loop/.test((e as Error).message));
  assert.throws(() => cronJobSchedule('61 * * * *'), (e: unknown) => e instanceof BadCronError);
});

test.run();
