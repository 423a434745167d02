// CsiBackup's decisions against an in-memory API (a fixture: the real snapshot controller and
// driver are exercised by e2e/snapshots-csi.test.ts).
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ActionContext } from '../backup/actions/index.ts';
import { KubeApiError } from '../kube/errors.ts';
import type { KubeWriter, WriteMethod } from '../kube/http-client.ts';
import type { KubeObject } from '../kube/list.ts';
import { CsiApi } from './csi-api.ts';
import { CsiBackup } from './csi-backup.ts';

type Obj = Record<string, any>;

/** Objects by path; a created VolumeSnapshot becomes ready (bound, handle) when `snapshotsBecomeReady`. */
class FixtureApi implements KubeWriter {
  readonly objects = new Map<string, Obj>();
  readonly calls: string[] = [];
  snapshotsBecomeReady = true;

  put(path: string, o: Obj) {
    this.objects.set(path, o);
  }

  async getJson<T>(path: string): Promise<T> {
    this.calls.push(`GET ${path}`);
    if (path.endsWith('/pods')) return { items: [...this.objects.entries()].filter(([p]) => p.startsWith(path + '/')).map(([, o]) => o) } as T;
    if (path.endsWith('/volumesnapshotclasses')) return { items: [...this.objects.entries()].filter(([p]) => p.startsWith(path + '/')).map(([, o]) => o) } as T;
    const o = this.objects.get(path);
    if (!o) throw new KubeApiError(404, 'NotFound', path, `${path} not found`);
    if (o.kind === 'VolumeSnapshot' && this.snapshotsBecomeReady && !o.status) {
      o.status = { boundVolumeSnapshotContentName: `snapcontent-${o.metadata.name}`, readyToUse: true };
      this.put(`/apis/snapshot.storage.k8s.io/v1/volumesnapshotcontents/snapcontent-${o.metadata.name}`, {
        apiVersion: 'snapshot.storage.k8s.io/v1', kind: 'VolumeSnapshotContent', metadata: { name: `snapcontent-${o.metadata.name}` },
        spec: { deletionPolicy: 'Delete', driver: 'hostpath.csi.k8s.io', source: { volumeHandle: 'v1' }, volumeSnapshotRef: { namespace: o.metadata.namespace, name: o.metadata.name } },
        status: { snapshotHandle: 'handle-1', readyToUse: true, restoreSize: 1 << 30 },
      });
    }
    return structuredClone(o) as T;
  }

  async sendJson<T>(method: WriteMethod, path: string, body?: unknown): Promise<T> {
    this.calls.push(`${method} ${path}`);
    if (method === 'POST') {
      const o = structuredClone(body) as Obj;
      o.metadata.name ??= `${o.metadata.generateName}abcde`;
      this.put(`${path}/${o.metadata.name}`, o);
      return structuredClone(o) as T;
    }
    if (method === 'DELETE') {
      this.objects.delete(path);
      return {} as T;
    }
    const o = this.objects.get(path)!;
    const patch = body as Obj;
    if (patch.metadata?.labels) o.metadata.labels = { ...o.metadata.labels, ...patch.metadata.labels };
    if (patch.spec) o.spec = { ...o.spec, ...patch.spec };
    return structuredClone(o) as T;
  }
}

const claim = (name: string, annotations: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name, namespace: 'shop', annotations },
  spec: { storageClassName: 'csi', volumeName: `pv-${name}`, resources: { requests: { storage: '1Gi' } } }, status: { phase: 'Bound' },
});

function cluster(): FixtureApi {
  const api = new FixtureApi();
  api.put('/apis/storage.k8s.io/v1/storageclasses/csi', { metadata: { name: 'csi' }, provisioner: 'hostpath.csi.k8s.io' });
  api.put('/apis/snapshot.storage.k8s.io/v1/volumesnapshotclasses/snapclass', { metadata: { name: 'snapclass', labels: { 'velero.io/csi-volumesnapshot-class': 'true' } }, driver: 'hostpath.csi.k8s.io', deletionPolicy: 'Delete' });
  for (const n of ['data', 'files', 'stuck']) api.put(`/api/v1/persistentvolumes/pv-${n}`, { metadata: { name: `pv-${n}` }, spec: { csi: { driver: 'hostpath.csi.k8s.io', volumeHandle: 'v1' }, persistentVolumeReclaimPolicy: 'Delete' } });
  api.put('/api/v1/persistentvolumes/pv-local', { metadata: { name: 'pv-local' }, spec: { hostPath: { path: '/x' } } });
  api.put('/api/v1/namespaces/shop/pods/web', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web', namespace: 'shop', annotations: { 'backup.velero.io/backup-volumes': 'files' } }, spec: { volumes: [{ name: 'files', persistentVolumeClaim: { claimName: 'files' } }] }, status: { phase: 'Running' } });
  return api;
}

function run(api: FixtureApi, timeoutMs = 2_000) {
  const errors: string[] = [];
  const csi = new CsiBackup({ api: new CsiApi(api), backup: { name: 'b1', uid: 'u1' }, timeoutMs, log: { info: () => undefined, warn: () => undefined } });
  const ctx: ActionContext = { backupName: 'b1', clusterRoleBindings: async () => [], error: (_ns, m) => errors.push(m) };
  const [pvcAction, vsAction] = csi.actions;
  return { csi, errors, pvc: (c: KubeObject) => pvcAction!.execute(c, ctx), vs: (o: KubeObject) => vsAction!.execute(o, ctx) };
}

test('a CSI claim: snapshot made with the labelled class, claim annotated, snapshot, content and class follow; finish releases them', async () => {
  const api = cluster();
  const { csi, errors, pvc, vs } = run(api);
  const out = await pvc(claim('data'));
  assert.equal(errors, []);
  assert.is(out.item.metadata.annotations!['velero.io/volume-snapshot-name'], 'velero-data-abcde');
  assert.equal(out.additionalItems, [{ groupResource: 'volumesnapshots.snapshot.storage.k8s.io', namespace: 'shop', name: 'velero-data-abcde' }]);
  const made = api.objects.get('/apis/snapshot.storage.k8s.io/v1/namespaces/shop/volumesnapshots/velero-data-abcde')!;
  assert.is(made.spec.volumeSnapshotClassName, 'snapclass');
  const stored = await vs(made as KubeObject);
  assert.is(stored.item.metadata.annotations!['velero.io/csi-volumesnapshot-handle'], 'handle-1');
  assert.equal(stored.additionalItems.map((r) => r.groupResource), ['volumesnapshotclasses.snapshot.storage.k8s.io', 'volumesnapshotcontents.snapshot.storage.k8s.io']);
  assert.is(api.objects.get('/apis/snapshot.storage.k8s.io/v1/volumesnapshotcontents/snapcontent-velero-data-abcde')!.metadata.labels['velero.io/backup-name'], 'b1');
  const files = await csi.finish(false, { error: (_ns, m) => errors.push(m) });
  assert.equal([files.attempted, files.completed, files.volumeSnapshots.length, files.itemOperations.length], [1, 1, 1, 1]);
  assert.is(files.volumeInfo[0]!.csiSnapshotInfo!.snapshotHandle, 'handle-1');
  // Retain first, then both objects go: the storage snapshot stays for the backup.
  const patched = api.calls.indexOf('PATCH /apis/snapshot.storage.k8s.io/v1/volumesnapshotcontents/snapcontent-velero-data-abcde');
  const deleted = api.calls.indexOf('DELETE /apis/snapshot.storage.k8s.io/v1/volumesnapshotcontents/snapcontent-velero-data-abcde');
  assert.ok(patched >= 0 && deleted > patched, api.calls.join('\n'));
  assert.not.ok(api.objects.has('/apis/snapshot.storage.k8s.io/v1/namespaces/shop/volumesnapshots/velero-data-abcde'));
});

test('not snapshotted: a claim opted into file-system backup, a non-CSI volume, and --snapshot-volumes=false', async () => {
  const api = cluster();
  const { pvc } = run(api);
  assert.equal((await pvc(claim('files'))).additionalItems, []);
  assert.equal((await pvc({ ...claim('local'), spec: { storageClassName: 'x', volumeName: 'pv-local' } })).additionalItems, []);
  const off = new CsiBackup({ api: new CsiApi(api), backup: { name: 'b1', uid: 'u1', snapshotVolumes: false }, timeoutMs: 1000, log: { info: () => undefined, warn: () => undefined } });
  assert.equal((await off.actions[0]!.execute(claim('data'), { backupName: 'b1', clusterRoleBindings: async () => [] })).additionalItems, []);
  assert.not.ok(api.calls.some((c) => c.startsWith('POST')), api.calls.join('\n'));
});

test('volume policies: snapshot wins over --snapshot-volumes=false and a file-system opt-in; skip and fs-backup take none', async () => {
  const api = cluster();
  const seen: string[] = [];
  const actions: Record<string, string> = { files: 'snapshot', data: 'skip', stuck: 'fs-backup' };
  const csi = new CsiBackup({
    api: new CsiApi(api), backup: { name: 'b1', uid: 'u1', snapshotVolumes: false }, timeoutMs: 1000, log: { info: () => undefined, warn: () => undefined },
    policyAction: async ({ claim: c, pv }) => (seen.push(`${c?.metadata.name}:${pv?.metadata.name}`), actions[c!.metadata.name]),
  });
  const ctx: ActionContext = { backupName: 'b1', clusterRoleBindings: async () => [] };
  assert.equal((await csi.actions[0]!.execute(claim('files'), ctx)).additionalItems.map((r) => r.name), ['velero-files-abcde']);
  assert.equal((await csi.actions[0]!.execute(claim('data'), ctx)).additionalItems, []);
  assert.equal((await csi.actions[0]!.execute(claim('stuck'), ctx)).additionalItems, []);
  assert.equal(seen, ['files:pv-files', 'data:pv-data', 'stuck:pv-stuck']);
  assert.equal(api.calls.filter((c) => c.startsWith('POST')), ['POST /apis/snapshot.storage.k8s.io/v1/namespaces/shop/volumesnapshots']);
  // No policy matched: the old rules, so the claim opted into file-system backup is not snapshotted.
  const unmatched = new CsiBackup({ api: new CsiApi(api), backup: { name: 'b1', uid: 'u1' }, timeoutMs: 1000, log: { info: () => undefined, warn: () => undefined }, policyAction: async () => undefined });
  assert.equal((await unmatched.actions[0]!.execute(claim('files'), ctx)).additionalItems, []);
});

test('no labelled class, or a snapshot never ready: an error naming the claim; the claim is kept, the snapshot deleted', async () => {
  const api = cluster();
  api.objects.delete('/apis/snapshot.storage.k8s.io/v1/volumesnapshotclasses/snapclass');
  const first = run(api);
  const out = await first.pvc(claim('data'));
  assert.equal(out.item, claim('data'));
  assert.match(first.errors[0]!, /CSI snapshot of claim shop\/data failed: no VolumeSnapshotClass for driver hostpath.csi.k8s.io is labelled velero.io\/csi-volumesnapshot-class=true/);

  const slow = cluster();
  slow.snapshotsBecomeReady = false;
  const second = run(slow, 600);
  const kept = await second.pvc(claim('stuck'));
  assert.equal(kept.additionalItems, []);
  assert.match(second.errors[0]!, /CSI snapshot of claim shop\/stuck failed: VolumeSnapshot shop\/velero-stuck-abcde was not ready within 600ms \(--csi-snapshot-timeout\): not yet bound/);
  assert.not.ok(slow.objects.has('/apis/snapshot.storage.k8s.io/v1/namespaces/shop/volumesnapshots/velero-stuck-abcde'));
  const files = await second.csi.finish(false, { error: () => undefined });
  assert.equal([files.attempted, files.completed, files.volumeInfo[0]!.result], [1, 0, 'failed']);
});

test.run();
