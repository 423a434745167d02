import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BackupSpec } from '../../backup/backup-object.ts';
import { KubeApiError } from '../../kube/errors.ts';
import type { KubeWriter, WriteMethod } from '../../kube/http-client.ts';
import type { KubeObject } from '../../kube/list.ts';
import { CsiApi } from '../../snapshots/csi-api.ts';
import { CsiBackup } from '../../snapshots/csi-backup.ts';
import { SnapshotDataMover } from '../../snapshots/csi-data-mover.ts';
import { deleteCsiSnapshots } from '../../snapshots/csi-delete.ts';
import type { VolumeSnapshotContent } from '../../snapshots/csi-objects.ts';
import { listClusterSnapshotLocations, resolveSnapshotLocation } from '../../snapshots/snapshot-locations.ts';
import { BadCronError } from '../cron.ts';
import { type AccessPlan, planAccess } from './access.ts';
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

const SNAPSHOT_API = [...CLUSTER, { group: 'snapshot.storage.k8s.io', resource: 'volumesnapshotclasses' }, { group: 'snapshot.storage.k8s.io', resource: 'volumesnapshotcontents' }];

test('CSI snapshots: granted where the backup reads, when the cluster serves the snapshot API and the template snapshots volumes', () => {
  const plan = planAccess({ template: spec({ includedNamespaces: ['shop', 'web'] }), clusterResources: SNAPSHOT_API, pods: [] });
  assert.equal(plan.csiSnapshots, { namespaces: ['shop', 'web'], moveData: false });
  assert.equal(plan.exec, [], 'snapshots alone exec nowhere');
  const all = planAccess({ template: spec({}), clusterResources: SNAPSHOT_API, pods: [] });
  assert.equal(all.csiSnapshots, { namespaces: 'all', moveData: false });
  assert.is(planAccess({ template: spec({ includedNamespaces: ['shop'], snapshotVolumes: false }), clusterResources: SNAPSHOT_API, pods: [] }).csiSnapshots, undefined, '--snapshot-volumes=false takes none');
  assert.is(planAccess({ template: spec({ includedNamespaces: ['shop'] }), clusterResources: CLUSTER, pods: [] }).csiSnapshots, undefined, 'no snapshot API, no snapshot can be taken');
  assert.is(planAccess({ template: spec({ includedNamespaces: ['gone'], excludedNamespaces: ['gone'] }), clusterResources: SNAPSHOT_API, pods: [] }).csiSnapshots, undefined, 'no namespace read, no claim met');
});

test('--snapshot-move-data: the mover runs beside each claim, so exec and the mover role wherever the backup reads', () => {
  const plan = planAccess({ template: spec({ includedNamespaces: ['shop', 'web'], snapshotMoveData: true }), clusterResources: SNAPSHOT_API, pods: [] });
  assert.equal(plan.csiSnapshots, { namespaces: ['shop', 'web'], moveData: true });
  assert.equal(plan.exec, ['shop', 'web']);
  const off = planAccess({ template: spec({ includedNamespaces: ['shop'], snapshotMoveData: true, snapshotVolumes: false }), clusterResources: SNAPSHOT_API, pods: [] });
  assert.equal(off.exec, [], 'no snapshots, nothing to move');
});

test('volume snapshot locations: read when the template names some or the cluster has some, with only their Secrets', () => {
  const none = planAccess({ template: spec({ includedNamespaces: ['shop'] }), clusterResources: CLUSTER, pods: [] });
  assert.is(none.snapshotLocations, undefined);
  const named = planAccess({ template: spec({ includedNamespaces: ['shop'], volumeSnapshotLocations: ['ebs'] }), clusterResources: CLUSTER, pods: [] });
  assert.equal(named.snapshotLocations, { secrets: [] });
  const cluster = planAccess({
    template: spec({ includedNamespaces: ['shop'] }), clusterResources: CLUSTER, pods: [],
    snapshotLocations: [{ name: 'west', credentialSecret: 'cloud' }, { name: 'east', credentialSecret: 'aws-east' }, { name: 'chain' }, { name: 'west-2', credentialSecret: 'cloud' }],
  });
  assert.equal(cluster.snapshotLocations, { secrets: ['aws-east', 'cloud'] });
});

test('volume policies: the ConfigMap read by name in the Velero namespace; a policy can snapshot under --snapshot-volumes=false', () => {
  const plan = planAccess({ template: spec({ includedNamespaces: ['shop'], snapshotVolumes: false, resourcePolicy: { kind: 'configmap', name: 'policies' } }), clusterResources: SNAPSHOT_API, pods: [] });
  assert.is(plan.resourcePolicy, 'policies');
  assert.equal(plan.csiSnapshots, { namespaces: ['shop'], moveData: false });
  assert.is(planAccess({ template: spec({ includedNamespaces: ['shop'] }), clusterResources: CLUSTER, pods: [] }).resourcePolicy, undefined);
  const objects = installed({ read: ['shop'], clusterRead: [], exec: [], resourcePolicy: 'policies' });
  const role = objects.find((o) => o.kind === 'ClusterRole' && o.metadata.name === 'kubectl-velero-snaps-volume-policies') as unknown as { rules: unknown[] };
  assert.equal(role.rules, [{ apiGroups: [''], resources: ['configmaps'], resourceNames: ['policies'], verbs: ['get'] }]);
  assert.equal(byKind(objects, 'RoleBinding').filter((b) => b.metadata.name === 'kubectl-velero-snaps-volume-policies').map((b) => b.metadata.namespace), ['velero']);
});

/** One request as RBAC sees it. */
interface Request {
  verb: string;
  group: string;
  resource: string;
  namespace?: string;
  name?: string;
}

interface Rule {
  apiGroups: string[];
  resources: string[];
  verbs: string[];
  resourceNames?: string[];
}

/** The API server's RBAC answer for the schedule's ServiceAccount, from the manifests alone (its only bindings). */
function authorizer(objects: KubeManifest[]): (r: Request) => boolean {
  const roles = new Map(byKind(objects, 'ClusterRole').map((r) => [r.metadata.name, r.rules as Rule[]]));
  const grants = [...byKind(objects, 'ClusterRoleBinding'), ...byKind(objects, 'RoleBinding')].map((b) => ({ namespace: b.metadata.namespace, rules: roles.get((b.roleRef as { name: string }).name) ?? [] }));
  const has = (list: string[], value: string) => list.includes(value) || list.includes('*');
  return (r) =>
    grants.some((g) => (g.namespace === undefined || g.namespace === r.namespace) && g.rules.some((rule) => has(rule.apiGroups, r.group) && has(rule.resources, r.resource) && has(rule.verbs, r.verb) && (!rule.resourceNames || (r.name !== undefined && rule.resourceNames.includes(r.name)))));
}

/** `GET /apis/g/v1/namespaces/ns/things/name` as RBAC's verb, group, resource, namespace and name. */
function asRequest(method: string, path: string): Request {
  const parts = path.split('?')[0]!.split('/').filter(Boolean);
  const group = parts[0] === 'api' ? '' : parts[1]!;
  let rest = parts.slice(parts[0] === 'api' ? 2 : 3);
  let namespace: string | undefined;
  if (rest[0] === 'namespaces' && rest.length > 2) {
    namespace = rest[1];
    rest = rest.slice(2);
  }
  const [resource, name, sub] = rest;
  const verb = method === 'GET' ? (name ? 'get' : 'list') : method === 'POST' ? 'create' : method === 'PATCH' ? 'patch' : method === 'PUT' ? 'update' : 'delete';
  return { verb, group, resource: sub ? `${resource}/${sub}` : resource!, namespace, name };
}

type Obj = Record<string, any>;

/**
 * A cluster that answers 403 as RBAC would for the account and otherwise plays the snapshot
 * controller, the driver and the kubelet at once: a VolumeSnapshot is ready with its content, a
 * content made for a handle has looked it up, a pod runs. Every allowed request is recorded.
 */
class AuthorizedCluster implements KubeWriter {
  readonly objects = new Map<string, Obj>();
  readonly used: Request[] = [];
  constructor(readonly can: (r: Request) => boolean) {}

  put(path: string, o: Obj) {
    this.objects.set(path, structuredClone(o));
  }

  check(method: string, path: string): void {
    const r = asRequest(method, path);
    if (!this.can(r)) throw new KubeApiError(403, 'Forbidden', path, `${r.verb} ${r.resource}${r.group ? `.${r.group}` : ''} in ${r.namespace ?? 'the cluster'}: forbidden`);
    this.used.push(r);
  }

  async getJson<T>(path: string): Promise<T> {
    this.check('GET', path);
    if (!asRequest('GET', path).name) return { items: [...this.objects.entries()].filter(([p]) => p.startsWith(`${path}/`) && !p.slice(path.length + 1).includes('/')).map(([, o]) => structuredClone(o)) } as T;
    const o = this.objects.get(path);
    if (!o) throw new KubeApiError(404, 'NotFound', path, `${path} not found`);
    if (o.kind === 'VolumeSnapshot' && !o.status) {
      const content = `snapcontent-${o.metadata.name}`;
      o.status = { boundVolumeSnapshotContentName: content, readyToUse: true };
      this.put(`/apis/snapshot.storage.k8s.io/v1/volumesnapshotcontents/${content}`, { kind: 'VolumeSnapshotContent', metadata: { name: content }, spec: { deletionPolicy: 'Delete', driver: 'hostpath.csi.k8s.io' }, status: { snapshotHandle: `handle-${o.metadata.name}`, restoreSize: 1 << 20 } });
    }
    return structuredClone(o) as T;
  }

  async sendJson<T>(method: WriteMethod, path: string, body?: unknown): Promise<T> {
    this.check(method, path);
    if (method === 'DELETE') {
      this.objects.delete(path);
      return {} as T;
    }
    if (method === 'PATCH') return structuredClone(this.objects.get(path)) as T;
    const o = structuredClone(body) as Obj;
    o.metadata.name ??= `${o.metadata.generateName}x1y2z`;
    if (o.kind === 'Pod') o.status = { phase: 'Running' };
    if (o.kind === 'VolumeSnapshotContent') o.status = { snapshotHandle: o.spec.source.snapshotHandle };
    this.objects.set(`${path}/${o.metadata.name}`, o);
    return structuredClone(o) as T;
  }
}

/** A claim of shop on a CSI volume, mounted by a running pod; its class labelled for Velero. */
function csiCluster(can: (r: Request) => boolean): AuthorizedCluster {
  const cluster = new AuthorizedCluster(can);
  for (const pv of ['pv-data', 'pv-cold']) cluster.put(`/api/v1/persistentvolumes/${pv}`, { kind: 'PersistentVolume', metadata: { name: pv }, spec: { csi: { driver: 'hostpath.csi.k8s.io', volumeHandle: pv } } });
  cluster.put('/apis/storage.k8s.io/v1/storageclasses/csi', { kind: 'StorageClass', metadata: { name: 'csi' }, provisioner: 'hostpath.csi.k8s.io' });
  cluster.put('/apis/snapshot.storage.k8s.io/v1/volumesnapshotclasses/snapclass', { kind: 'VolumeSnapshotClass', metadata: { name: 'snapclass', labels: { 'velero.io/csi-volumesnapshot-class': 'true' } }, driver: 'hostpath.csi.k8s.io' });
  cluster.put('/api/v1/namespaces/shop/pods/app', { kind: 'Pod', metadata: { name: 'app', namespace: 'shop' }, spec: { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }] }, status: { phase: 'Running' } });
  cluster.put('/apis/velero.io/v1/namespaces/velero/volumesnapshotlocations/ebs', { kind: 'VolumeSnapshotLocation', metadata: { name: 'ebs' }, spec: { provider: 'aws', config: { region: 'us-east-1' }, credential: { name: 'cloud', key: 'cloud' } } });
  cluster.put('/api/v1/namespaces/velero/secrets/cloud', { kind: 'Secret', metadata: { name: 'cloud' }, data: { cloud: Buffer.from('[default]\n').toString('base64') } });
  cluster.put('/api/v1/namespaces/velero/secrets/other', { kind: 'Secret', metadata: { name: 'other' }, data: {} });
  return cluster;
}

const claim = (name: string): KubeObject => ({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'shop', uid: name }, spec: { storageClassName: 'csi', volumeName: `pv-${name}`, resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Bound' } });
/** `data` is mounted by a running pod (its data can be moved), `cold` by none (its snapshot is kept even when moving). */
const CLAIMS = [claim('data'), claim('cold')];

/**
 * What a scheduled backup of shop and its expiry do to the cluster, through the code that does it:
 * the claims' snapshots (waited for, stored with their class and content, released), with
 * --snapshot-move-data the mover, the snapshot locations, and the deletion at expiry.
 */
async function scheduledBackupAndExpiry(cluster: AuthorizedCluster, template: BackupSpec): Promise<string[]> {
  const errors: string[] = [];
  // Cleaning up is only warned about: a refused deletion counts here all the same.
  const log = { info: () => undefined, warn: (m: string) => (/forbidden/.test(m) ? errors.push(m) : undefined) };
  const moveData = template.snapshotMoveData === true;
  const mover = new SnapshotDataMover({
    client: cluster, backupName: 'b1', helperImage: 'busybox', timeoutMs: 1_000, log,
    backupFrom: async (_pod, _volume, _claim, source) => {
      // Exec is a WebSocket upgrade (a GET) that the API server also checks as a create.
      for (const method of ['GET', 'POST']) cluster.check(method, `/api/v1/namespaces/${source.namespace}/pods/${source.pod}/exec`);
      return { snapshotId: 's1', totalBytes: 1, uploadedBytes: 1 };
    },
  });
  const csi = new CsiBackup({ api: new CsiApi(cluster), backup: { name: 'b1', uid: 'u1', snapshotVolumes: template.snapshotVolumes, snapshotMoveData: moveData }, mover: moveData ? mover : undefined, timeoutMs: 1_000, log });
  const [claimAction, snapshotAction, contentAction, classAction] = csi.actions;
  const ctx = { backupName: 'b1', clusterRoleBindings: async () => [], error: (_ns: string | undefined, m: string) => errors.push(m) };
  // The item backupper gets each additional item and runs its action, as a backup does.
  const fetchAndRun = async (ref: { groupResource: string; namespace?: string; name: string }) => {
    const resource = ref.groupResource.split('.')[0]!;
    const path = `/apis/snapshot.storage.k8s.io/v1/${ref.namespace ? `namespaces/${ref.namespace}/` : ''}${resource}/${ref.name}`;
    const item = await cluster.getJson<KubeObject>(path);
    const action = { volumesnapshots: snapshotAction, volumesnapshotcontents: contentAction, volumesnapshotclasses: classAction }[resource]!;
    const out = await action.execute(item, ctx);
    for (const next of out.additionalItems) await fetchAndRun(next);
  };
  for (const c of CLAIMS) for (const ref of (await claimAction!.execute(c, ctx)).additionalItems) await fetchAndRun(ref);
  const files = await csi.finish(false, { error: (_ns, m) => errors.push(m) });
  assert.is(files.completed, 2, errors.join('\n'));
  // Native snapshots: the locations and their credentials, as chooseSnapshotLocations reads them.
  const velero = { client: cluster, namespace: 'velero' };
  const { locations, warning } = await listClusterSnapshotLocations(velero);
  if (warning) errors.push(warning);
  for (const l of locations) await resolveSnapshotLocation(l, velero).catch((e: Error) => errors.push(e.message));
  // At expiry (schedule run's gc): the stored contents' storage snapshots are deleted.
  const stored = files.volumeSnapshotContents.map((c) => ({ ...c, metadata: { ...c.metadata, labels: { 'velero.io/backup-name': 'b1' } }, status: { snapshotHandle: 'handle-1' } })) as unknown as VolumeSnapshotContent[];
  assert.is(await deleteCsiSnapshots(new CsiApi(cluster), 'b1', stored, 1_000), moveData ? 1 : 2);
  return errors;
}

function installed(access: AccessPlan): KubeManifest[] {
  return inClusterManifests({ schedule: 'snaps', namespace: 'velero', cron: '0 3 * * *', timeZone: 'UTC', paused: false, image: 'i', imagePullPolicy: 'Never', files: {}, storageLocation: 'l', access });
}

const SNAPSHOT_RESOURCES = new Set(['volumesnapshots', 'volumesnapshotcontents', 'volumesnapshotclasses', 'storageclasses', 'persistentvolumeclaims', 'volumesnapshotlocations', 'secrets', 'pods', 'pods/exec', 'persistentvolumes']);
const verbsOf = (requests: Request[]) => [...new Set(requests.filter((r) => SNAPSHOT_RESOURCES.has(r.resource)).map((r) => `${r.verb} ${r.resource}`))].sort();

/** Every verb on a snapshot resource the snapshot roles grant (the read roles' get, list excepted). */
function grantedVerbs(objects: KubeManifest[]): string[] {
  const rules = byKind(objects, 'ClusterRole').filter((r) => /-(snapshots|cluster-snapshots|snapshot-mover|snapshot-locations|exec)$/.test(r.metadata.name)).flatMap((r) => r.rules as Rule[]);
  return [...new Set(rules.flatMap((rule) => rule.resources.flatMap((res) => rule.verbs.map((v) => `${v} ${res}`))))].sort();
}

for (const moveData of [false, true]) {
  test(`the installed account can do all a scheduled snapshot backup${moveData ? ' with --snapshot-move-data' : ''} and its expiry do, and is granted no verb they do not use`, async () => {
    // includeClusterResources false: the claims' volumes are read all the same.
    const template = spec({ includedNamespaces: ['shop'], includeClusterResources: false, ...(moveData ? { snapshotMoveData: true } : {}) });
    const access = planAccess({ template, clusterResources: SNAPSHOT_API, pods: [], snapshotLocations: [{ name: 'ebs', credentialSecret: 'cloud' }] });
    const objects = installed(access);
    const cluster = csiCluster(authorizer(objects));
    assert.equal(await scheduledBackupAndExpiry(cluster, template), []);
    const used = verbsOf(cluster.used);
    assert.equal(grantedVerbs(objects).filter((v) => !used.includes(v)), [], 'every verb the snapshot roles grant is used');
    if (moveData) assert.equal(cluster.used.filter((r) => r.resource === 'pods' && r.verb === 'create').map((r) => r.namespace), ['shop'], 'the mover runs beside the claim');
  });
}

test('without the snapshot roles the same backup is refused: the access is what makes it work', async () => {
  const template = spec({ includedNamespaces: ['shop'] });
  const access = planAccess({ template, clusterResources: CLUSTER, pods: [] });
  const cluster = csiCluster(authorizer(installed(access)));
  const errors = await scheduledBackupAndExpiry(cluster, template).catch((e: Error) => [e.message]);
  assert.ok(errors.some((e) => /forbidden/.test(e)), errors.join('\n'));
  // Nor may it read a Secret of the Velero namespace that no location names.
  const located = authorizer(installed(planAccess({ template, clusterResources: SNAPSHOT_API, pods: [], snapshotLocations: [{ name: 'ebs', credentialSecret: 'cloud' }] })));
  assert.ok(located({ verb: 'get', group: '', resource: 'secrets', namespace: 'velero', name: 'cloud' }));
  assert.not.ok(located({ verb: 'get', group: '', resource: 'secrets', namespace: 'velero', name: 'other' }));
  assert.not.ok(located({ verb: 'list', group: '', resource: 'secrets', namespace: 'velero' }));
  assert.not.ok(located({ verb: 'create', group: 'snapshot.storage.k8s.io', resource: 'volumesnapshots', namespace: 'other' }));
});

test('manifests: the snapshot roles, bound where the plan says, labelled, and gone from a plan without them', () => {
  const objects = installed({ read: ['shop', 'web'], clusterRead: [], exec: ['shop', 'web'], csiSnapshots: { namespaces: ['shop', 'web'], moveData: true }, snapshotLocations: { secrets: ['cloud'] } });
  for (const o of objects) assert.equal(o.metadata.labels, { 'app.kubernetes.io/managed-by': 'kubectl-velero', 'velero.io/schedule-name': 'snaps' }, `${o.kind} ${o.metadata.name}`);
  const bound = (suffix: string) => [...byKind(objects, 'RoleBinding'), ...byKind(objects, 'ClusterRoleBinding')].filter((b) => b.metadata.name === `kubectl-velero-snaps-${suffix}`).map((b) => `${b.kind} ${b.metadata.namespace ?? '*'}`);
  assert.equal(bound('snapshots'), ['RoleBinding shop', 'RoleBinding web']);
  assert.equal(bound('snapshot-mover'), ['RoleBinding shop', 'RoleBinding web']);
  assert.equal(bound('cluster-snapshots'), ['ClusterRoleBinding *']);
  assert.equal(bound('snapshot-locations'), ['RoleBinding velero']);
  const wide = installed({ read: 'all', clusterRead: [], exec: [], csiSnapshots: { namespaces: 'all', moveData: false } });
  assert.equal(byKind(wide, 'ClusterRoleBinding').map((b) => b.metadata.name).sort(), ['kubectl-velero-snaps-cluster-snapshots', 'kubectl-velero-snaps-read', 'kubectl-velero-snaps-snapshots']);
  // schedule install prunes by name what a new plan no longer has: the snapshot objects must not be in it.
  const plain = installed({ read: ['shop'], clusterRead: [], exec: [] });
  assert.not.ok(plain.some((o) => /snapshot/.test(o.metadata.name)), plain.map((o) => o.metadata.name).join(', '));
});

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
