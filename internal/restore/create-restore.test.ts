// The engine end to end against an in-memory API server and object store: priority order, CRDs
// served before their custom resources, bounded parallelism, retries, dry run, existing objects,
// namespace mapping, what is stored under restores/NAME/, and failures.
import { gunzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BackupArchiveWriter } from '../archive/writer.ts';
import { MemoryStore } from '../backup/memory-store.test-helpers.ts';
import type { KubeObject } from '../kube/list.ts';
import { createRestore } from './create-restore.ts';
import { FakeApi } from './fake-api.test-helpers.ts';
import type { RestoreSpec } from './restore-object.ts';

type Item = { gr: string; version: string; obj: KubeObject };
const o = (apiVersion: string, kind: string, name: string, namespace?: string, rest: Record<string, unknown> = {}): KubeObject => ({ apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}), uid: 'old-uid', resourceVersion: '42' }, ...rest });

const CRD = o('apiextensions.k8s.io/v1', 'CustomResourceDefinition', 'widgets.example.com', undefined, { spec: { group: 'example.com', scope: 'Namespaced', names: { plural: 'widgets', kind: 'Widget' }, versions: [{ name: 'v1' }] } });
const ITEMS: Item[] = [
  { gr: 'widgets.example.com', version: 'v1', obj: o('example.com/v1', 'Widget', 'gear', 'shop', { spec: { teeth: 12 } }) },
  { gr: 'deployments.apps', version: 'v1', obj: o('apps/v1', 'Deployment', 'web', 'shop', { spec: { replicas: 2 }, status: { readyReplicas: 2 } }) },
  { gr: 'services', version: 'v1', obj: o('v1', 'Service', 'web', 'shop', { spec: { clusterIP: '10.0.0.9', ports: [{ port: 80 }] } }) },
  ...Array.from({ length: 6 }, (_, i) => ({ gr: 'configmaps', version: 'v1', obj: o('v1', 'ConfigMap', `cm-${i}`, 'shop', { data: { i: String(i) } }) })),
  { gr: 'configmaps', version: 'v1', obj: o('v1', 'ConfigMap', 'kube-root-ca.crt', 'shop', { data: { 'ca.crt': 'x' } }) },
  { gr: 'events', version: 'v1', obj: o('v1', 'Event', 'e1', 'shop') },
  { gr: 'namespaces', version: 'v1', obj: o('v1', 'Namespace', 'shop', undefined, { metadata: { name: 'shop', labels: { team: 'web' } } }) },
  { gr: 'customresourcedefinitions.apiextensions.k8s.io', version: 'v1', obj: CRD },
];

type Entry = { gr: string; version: string; namespace?: string; name: string; body: string };

async function storeWithBackup(items: Item[] = ITEMS, tarball?: (t: Buffer) => Buffer): Promise<MemoryStore> {
  return storeWithEntries(items.map((i) => ({ gr: i.gr, version: i.version, namespace: i.obj.metadata.namespace, name: i.obj.metadata.name, body: JSON.stringify(i.obj) })), tarball);
}

/** A backup b1 whose items are these bodies at these paths, whatever the bodies hold. */
async function storeWithEntries(entries: Entry[], tarball?: (t: Buffer) => Buffer): Promise<MemoryStore> {
  const store = new MemoryStore();
  const writer = new BackupArchiveWriter();
  const chunks: Buffer[] = [];
  writer.stream.on('data', (c: Buffer) => chunks.push(c));
  const ended = new Promise((r) => writer.stream.on('end', r));
  await writer.writeVersion();
  for (const e of entries) await writer.addItem({ groupResource: e.gr, version: e.version, preferred: true, namespace: e.namespace, name: e.name }, e.body);
  await writer.finish();
  await ended;
  const data = Buffer.concat(chunks);
  await store.put('backups/b1/b1.tar.gz', tarball ? tarball(data) : data);
  await store.put('backups/b1/velero-backup.json', JSON.stringify({ apiVersion: 'velero.io/v1', kind: 'Backup', metadata: { name: 'b1', namespace: 'velero' }, spec: {}, status: { phase: 'Completed' } }));
  return store;
}

const restore = (store: MemoryStore, api: FakeApi, spec: Partial<RestoreSpec> = {}, extra: Partial<Parameters<typeof createRestore>[0]> = {}) =>
  createRestore({ name: 'r1', veleroNamespace: 'velero', spec: { backupName: 'b1', ...spec }, store, client: api, ...extra });

const created = (api: FakeApi) => api.writes.filter((w) => w.method === 'POST' && !w.dryRun).map((w) => `${(w.body as KubeObject).kind}/${(w.body as KubeObject).metadata.name}`);

test("priority order: CRD, namespace, configmaps, services, then the rest alphabetically; CR after its CRD is served", async () => {
  const api = new FakeApi();
  const run = await restore(await storeWithBackup(), api);
  assert.is(run.restore.status.phase, 'Completed', JSON.stringify(run.results.toJSON()));
  const order = created(api);
  assert.is(order[0], 'CustomResourceDefinition/widgets.example.com');
  assert.is(order[1], 'Namespace/shop');
  assert.ok(order.indexOf('ConfigMap/cm-5') < order.indexOf('Service/web'));
  assert.ok(order.indexOf('Service/web') < order.indexOf('Deployment/web'));
  assert.ok(order.indexOf('Deployment/web') < order.indexOf('Widget/gear'), 'deployments.apps sorts before widgets.example.com');
  assert.not.ok(order.includes('Event/e1'), 'events are never restored');
  assert.equal(api.get('namespaces', undefined, 'shop')?.metadata.labels, { team: 'web', 'velero.io/backup-name': 'b1', 'velero.io/restore-name': 'r1' });
  const widget = api.get('widgets.example.com', 'shop', 'gear')!;
  assert.is.not(widget.metadata.uid, 'old-uid');
  assert.is((api.get('deployments.apps', 'shop', 'web') as any).status, undefined, 'status dropped');
  assert.is((api.get('services', 'shop', 'web') as any).spec.clusterIP, undefined);
  assert.equal(run.resourceList.toJSON()['v1/ConfigMap']!.slice(0, 2), ['shop/cm-0(created)', 'shop/cm-1(created)']);
  assert.ok(run.resourceList.toJSON()['v1/ConfigMap']!.includes('shop/kube-root-ca.crt(skipped)'));
  assert.equal(run.restore.status.progress, { totalItems: 12, itemsRestored: 11 });
});

test('what is stored: the Restore object (Completed), gzip log, results and resource list', async () => {
  const store = await storeWithBackup();
  await restore(store, new FakeApi());
  const object = JSON.parse(String(store.objects.get('restores/r1/restore-r1.json')));
  assert.is(object.status.phase, 'Completed');
  assert.ok(object.status.startTimestamp && object.status.completionTimestamp);
  assert.match(String(gunzipSync(store.objects.get('restores/r1/restore-r1-logs.gz')!)), /level=info msg="Restored item" restore=velero\/r1 resource=namespaces name=shop/);
  assert.equal(JSON.parse(String(gunzipSync(store.objects.get('restores/r1/restore-r1-results.gz')!))), { errors: {}, warnings: {} });
  assert.ok(JSON.parse(String(gunzipSync(store.objects.get('restores/r1/restore-r1-resource-list.json.gz')!)))['example.com/v1/Widget']);
  assert.is(store.putOrder.filter((k) => k === 'restores/r1/restore-r1.json').length >= 2, true, 'saved InProgress at the start and again at the end');
  assert.is(store.putOrder.at(-1), 'restores/r1/restore-r1.json');
  await restore(store, new FakeApi()).then(() => assert.unreachable('same name twice'), (e: Error) => assert.match(e.message, /already exists/));
});

test('pod steps: prepare in order before the create; after it, work in reverse order; a failure skips the rest and is an error', async () => {
  const pod = o('v1', 'Pod', 'db-0', 'shop', { spec: { containers: [{ name: 'db' }] } });
  const store = await storeWithBackup([...ITEMS, { gr: 'pods', version: 'v1', obj: pod }]);
  const api = new FakeApi();
  const calls: string[] = [];
  const step = (name: string, fail = false) => ({
    prepare: (p: KubeObject) => {
      calls.push(`prepare ${name}`);
      return { ...p, spec: { ...(p.spec as object), initContainers: [{ name }, ...(((p.spec as any).initContainers as object[]) ?? [])] } } as KubeObject;
    },
    created: async (p: KubeObject) => {
      calls.push(`created ${name} ${p.metadata.namespace}/${p.metadata.name}`);
      if (fail) throw new Error(`${name} broke`);
    },
  });
  const run = await restore(store, api, { namespaceMapping: { shop: 'shop-2' } }, { podSteps: () => [step('hooks'), step('volumes', true)] });
  assert.equal(calls, ['prepare hooks', 'prepare volumes', 'created volumes shop-2/db-0']);
  assert.equal((api.get('pods', 'shop-2', 'db-0')!.spec as any).initContainers.map((c: { name: string }) => c.name), ['volumes', 'hooks']);
  assert.is(run.restore.status.phase, 'PartiallyFailed');
  assert.equal(run.results.toJSON().errors.namespaces, { 'shop-2': ['Pod shop-2/db-0: volumes broke'] });
  calls.length = 0;
  await restore(await storeWithBackup([...ITEMS, { gr: 'pods', version: 'v1', obj: pod }]), new FakeApi(), {}, { name: 'r2', podSteps: [step('hooks'), step('volumes')] });
  assert.equal(calls.slice(2), ['created volumes shop/db-0', 'created hooks shop/db-0']);
});

test('items of one resource go in parallel, never more than --concurrency at once', async () => {
  const api = new FakeApi();
  api.writeDelayMs = 15;
  await restore(await storeWithBackup(), api, {}, { concurrency: 3 });
  assert.is(api.maxInFlight, 3);
});

test('a custom resource answered 404 right after its CRD is retried', async () => {
  const api = new FakeApi();
  api.notServedYet.set('/apis/example.com/v1/namespaces/shop/widgets', 2);
  const run = await restore(await storeWithBackup(), api);
  assert.is(run.restore.status.phase, 'Completed');
  assert.ok(api.get('widgets.example.com', 'shop', 'gear'));
});

test('dry run: every write is dryRun=All, nothing changes, nothing is stored; new namespace and CRD contents are marked unchecked', async () => {
  const api = new FakeApi();
  const store = await storeWithBackup();
  const run = await restore(store, api, {}, { dryRun: true });
  assert.ok(api.writes.length > 0 && api.writes.every((w) => w.dryRun));
  assert.is(api.objects.size, 0);
  assert.not.ok([...store.objects.keys()].some((k) => k.startsWith('restores/')));
  assert.ok(run.preview.includes('create     namespaces shop'));
  assert.ok(run.preview.includes('create     widgets.example.com shop/gear (its CRD is new: not checked by the server)'));
  assert.ok(run.preview.includes('create     configmaps shop/cm-0 (in a new namespace: not checked by the server)'));
});

test('existing objects: equal is unchanged, different is a warning (none) or patched (update)', async () => {
  const api = new FakeApi();
  api.seed('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { team: 'web' } } });
  api.seed('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm-0', namespace: 'shop' }, data: { i: '0' } });
  api.seed('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm-1', namespace: 'shop' }, data: { i: 'changed' } });
  const run = await restore(await storeWithBackup(), api);
  assert.is(run.restore.status.phase, 'Completed');
  assert.is(run.restore.status.warnings, 1);
  assert.equal(run.results.toJSON().warnings, { namespaces: { shop: ['could not restore, ConfigMap "cm-1" already exists. Warning: the in-cluster version is different than the backed-up version'] } });
  assert.ok(run.resourceList.toJSON()['v1/ConfigMap']!.includes('shop/cm-0(skipped)'));
  assert.is((api.get('configmaps', 'shop', 'cm-1') as any).data.i, 'changed');

  const api2 = new FakeApi();
  api2.seed('namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop' } });
  api2.seed('configmaps', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'cm-1', namespace: 'shop' }, data: { i: 'changed' } });
  const updated = await createRestore({ name: 'r2', veleroNamespace: 'velero', spec: { backupName: 'b1', existingResourcePolicy: 'update' }, store: await storeWithBackup(), client: api2 });
  assert.is((api2.get('configmaps', 'shop', 'cm-1') as any).data.i, '1');
  assert.is(api2.get('configmaps', 'shop', 'cm-1')!.metadata.labels?.['velero.io/restore-name'], 'r2');
  assert.ok(updated.resourceList.toJSON()['v1/ConfigMap']!.includes('shop/cm-1(updated)'));
});

test('namespace mapping and filters: only shop, renamed; the namespace keeps its backed-up labels', async () => {
  const api = new FakeApi();
  const run = await restore(await storeWithBackup(), api, { namespaceMapping: { shop: 'shop-b' }, includedResources: ['configmaps', 'namespaces'], labelSelector: undefined });
  assert.is(run.restore.status.phase, 'Completed');
  assert.ok(api.get('configmaps', 'shop-b', 'cm-3'));
  assert.not.ok(api.get('services', 'shop-b', 'web'));
  assert.equal(api.get('namespaces', undefined, 'shop-b')?.metadata.labels, { team: 'web', 'velero.io/backup-name': 'b1', 'velero.io/restore-name': 'r1' });
  assert.ok(run.resourceList.toJSON()['v1/Namespace']!.includes('shop-b(created)'));
});

test('a backup without its Namespace: the namespace is made once and listed and counted once, however many items it holds', async () => {
  const api = new FakeApi();
  const run = await restore(await storeWithBackup(ITEMS.filter((i) => i.gr === 'configmaps')), api);
  assert.is(run.restore.status.phase, 'Completed', JSON.stringify(run.results.toJSON()));
  assert.equal(run.resourceList.toJSON()['v1/Namespace'], ['shop(created)']);
  assert.is(created(api).filter((c) => c === 'Namespace/shop').length, 1);
  // 6 ConfigMaps and the namespace (kube-root-ca.crt is skipped).
  assert.equal(run.restore.status.progress, { totalItems: 7, itemsRestored: 7 });
});

test('a truncated tarball: the restore ends Failed, with the reason stored', async () => {
  const store = await storeWithBackup(ITEMS, (t) => t.subarray(0, Math.floor(t.length / 2)));
  const run = await restore(store, new FakeApi());
  assert.is(run.restore.status.phase, 'Failed');
  assert.match(run.restore.status.failureReason ?? '', /the backup archive is corrupt or not a Velero backup: the archive is truncated/);
  assert.is(JSON.parse(String(store.objects.get('restores/r1/restore-r1.json'))).status.phase, 'Failed');
});

test('validation: a missing backup or bad rules end FailedValidation, nothing is written to the cluster', async () => {
  const api = new FakeApi();
  const store = await storeWithBackup();
  const run = await restore(store, api, { backupName: 'nope' }, { modifiers: { text: 'version: v9', source: 'rules.yaml' } });
  assert.is(run.restore.status.phase, 'FailedValidation');
  assert.is(run.restore.status.validationErrors?.length, 2);
  assert.match(run.restore.status.validationErrors![0]!, /unsupported resource modifier version v9/);
  assert.match(run.restore.status.validationErrors![1]!, /backup "nope" not found/);
  assert.is(api.writes.length, 0);
});

test('resource modifiers are applied, and their rules stored for the fidelity check', async () => {
  const api = new FakeApi();
  const store = await storeWithBackup();
  const text = 'version: v1\nresourceModifierRules:\n- conditions: { groupResource: deployments.apps }\n  patches: [{ operation: replace, path: /spec/replicas, value: "0" }]\n';
  await restore(store, api, {}, { modifiers: { text, source: 'rules.yaml' } });
  assert.is((api.get('deployments.apps', 'shop', 'web') as any).spec.replicas, 0);
  assert.is(String(store.objects.get('restores/r1/restore-r1-resource-modifiers.yaml')), text);
});

test('status restore: included resources get their backed-up status through /status', async () => {
  const api = new FakeApi();
  await restore(await storeWithBackup(), api, { restoreStatus: { includedResources: ['deployments'] } });
  assert.equal((api.get('deployments.apps', 'shop', 'web') as any).status, { readyReplicas: 2 });
  assert.ok(api.writes.some((w) => w.method === 'PUT' && w.path === '/apis/apps/v1/namespaces/shop/deployments/web/status'));
});

test('corrupt items (bad JSON, null, another kind, another name) are reported with their paths, and the rest restored', async () => {
  const raw = (gr: string, namespace: string | undefined, name: string, body: string): Entry => ({ gr, version: 'v1', namespace, name, body });
  const entries = [
    raw('configmaps', 'shop', 'broken', '{"apiVersion":'),
    raw('configmaps', 'shop', 'nothing', 'null'),
    raw('configmaps', 'shop', 'renamed', JSON.stringify(o('v1', 'ConfigMap', 'other', 'shop'))),
    raw('configmaps', 'shop', 'elsewhere', JSON.stringify(o('v1', 'ConfigMap', 'elsewhere', 'kube-system'))),
    raw('namespaces', undefined, 'pl', JSON.stringify(o('v1', 'ConfigMap', 'pl', 'shop'))),
    raw('persistentvolumes', undefined, 'pv-bad', '[1,2]'),
    raw('configmaps', 'shop', 'fine', JSON.stringify(o('v1', 'ConfigMap', 'fine', 'shop'))),
  ];
  const store = await storeWithEntries(entries);
  const api = new FakeApi();
  const run = await restore(store, api);
  assert.is(run.restore.status.phase, 'PartiallyFailed');
  const errors = JSON.stringify(run.results.toJSON().errors);
  for (const expected of [
    'corrupt item \\"resources/configmaps/namespaces/shop/broken.json\\" in the backup: not valid JSON',
    'resources/configmaps/namespaces/shop/nothing.json\\" in the backup: its content is null',
    'resources/configmaps/namespaces/shop/renamed.json\\" in the backup: its content names \\"other\\", its path \\"renamed\\"',
    'resources/namespaces/cluster/pl.json\\" in the backup: its content is a \\"ConfigMap\\", its path a Namespace',
    'resources/persistentvolumes/cluster/pv-bad.json\\" in the backup: its content is an array',
  ]) assert.ok(errors.includes(expected), `${expected} not in ${errors}`);
  assert.is(run.restore.status.errors, 5);
  assert.ok(api.get('configmaps', 'shop', 'fine'));
  assert.ok(api.get('configmaps', 'shop', 'elsewhere'), 'restored in the namespace of its path');
  assert.not.ok(api.get('configmaps', 'kube-system', 'elsewhere'));
  assert.not.ok(api.get('namespaces', undefined, 'pl'));
});

test.run();
