import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { newBackup } from './backup-object.ts';
import { BackupLog } from './backup-log.ts';
import { FixtureCluster, MemorySink, o } from './fixture-cluster.test-helpers.ts';
import { SinkFailure } from './item-sink.ts';
import { runBackup } from './run-backup.ts';
import { buildBackupSpec, type BackupCreateOptions } from './spec.ts';

function world(quietOptsOut: boolean) {
  return [
    o('namespaces', undefined, 'shop', { status: { phase: 'Active' }, metadata: { labels: { team: 'a' } } }),
    o('namespaces', undefined, 'blog', { status: { phase: 'Active' } }),
    o('namespaces', undefined, 'quiet', { status: { phase: 'Active' }, metadata: { labels: quietOptsOut ? { 'velero.io/exclude-from-backup': 'true' } : {} } }),
    o('namespaces', undefined, 'going', { status: { phase: 'Terminating' } }),
    o('configmaps', 'shop', 'prices', { metadata: { labels: { app: 'shop' } } }),
    o('configmaps', 'shop', 'skip-me', { metadata: { labels: { 'velero.io/exclude-from-backup': 'true' } } }),
    o('configmaps', 'blog', 'theme', { metadata: { labels: { app: 'blog' } } }),
    o('configmaps', 'quiet', 'hush'),
    o('secrets', 'shop', 'db-pass'),
    o('pods', 'shop', 'web-0', { spec: { volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'data-web-0' } }] } }),
    o('persistentvolumeclaims', 'shop', 'data-web-0', { spec: { volumeName: 'pv-1' }, status: { phase: 'Bound' } }),
    o('persistentvolumes', undefined, 'pv-1'),
    o('persistentvolumes', undefined, 'pv-unrelated'),
    o('serviceaccounts', 'shop', 'app'),
    o('clusterrolebindings.rbac.authorization.k8s.io', undefined, 'app-view', { roleRef: { name: 'view' }, subjects: [{ kind: 'ServiceAccount', name: 'app', namespace: 'shop' }] }),
    o('clusterrolebindings.rbac.authorization.k8s.io', undefined, 'other', { roleRef: { name: 'edit' }, subjects: [] }),
    o('clusterroles.rbac.authorization.k8s.io', undefined, 'view'),
    o('clusterroles.rbac.authorization.k8s.io', undefined, 'edit'),
    o('storageclasses.storage.k8s.io', undefined, 'fast'),
    o('customresourcedefinitions.apiextensions.k8s.io', undefined, 'widgets.shop.example.com'),
    o('widgets.shop.example.com', 'shop', 'w1'),
    o('events', 'shop', 'ev1'),
    o('events.events.k8s.io', 'shop', 'ev1'),
    o('volumesnapshotcontents.snapshot.storage.k8s.io', undefined, 'snapcontent-1'),
  ];
}

async function backupWith(options: Partial<BackupCreateOptions>, setup: (c: FixtureCluster, s: MemorySink) => void = () => {}, quietOptsOut = false) {
  const cluster = new FixtureCluster(world(quietOptsOut));
  const sink = new MemorySink();
  setup(cluster, sink);
  const backup = newBackup({ name: 'b1', namespace: 'velero', spec: buildBackupSpec({ storageLocation: 'default', ...options }), ttlMs: 1000 });
  const log = new BackupLog('velero/b1');
  const result = await runBackup({ backup, source: cluster, sink, log, concurrency: 3 });
  return { cluster, sink, result, log };
}

const SHOP_ITEMS = [
  'configmaps shop/prices',
  'events shop/ev1',
  'namespaces shop',
  'persistentvolumeclaims shop/data-web-0',
  'pods shop/web-0',
  'secrets shop/db-pass',
  'serviceaccounts shop/app',
  'widgets.shop.example.com shop/w1',
];

const CLUSTER_ITEMS = [
  'clusterrolebindings.rbac.authorization.k8s.io app-view',
  'clusterrolebindings.rbac.authorization.k8s.io other',
  'clusterroles.rbac.authorization.k8s.io edit',
  'clusterroles.rbac.authorization.k8s.io view',
  'customresourcedefinitions.apiextensions.k8s.io widgets.shop.example.com',
  'persistentvolumes pv-1',
  'persistentvolumes pv-unrelated',
  'storageclasses.storage.k8s.io fast',
];

test('whole cluster: every listable item once, minus what Velero never backs up', async () => {
  const { sink, result } = await backupWith({});
  // Not: skip-me (labelled out), events.events.k8s.io (cohabits with core events),
  // volumesnapshotcontents (auto-excluded), the Terminating namespace.
  assert.equal(sink.keys(), [...SHOP_ITEMS, ...CLUSTER_ITEMS, 'configmaps blog/theme', 'configmaps quiet/hush', 'namespaces blog', 'namespaces quiet'].sort());
  assert.is(result.itemsBackedUp, sink.items.length);
  assert.is(result.results.errors, 0);
});

test('a namespace labelled velero.io/exclude-from-backup=true is excluded, so cluster-scoped types are only pulled in (as Velero does)', async () => {
  const { sink, result } = await backupWith({}, undefined, true);
  assert.equal(result.excludedNamespaces, ['quiet']);
  assert.not.ok(sink.keys().some((k) => k.includes('quiet')));
  assert.not.ok(sink.keys().includes('storageclasses.storage.k8s.io fast'));
  assert.ok(sink.keys().includes('persistentvolumes pv-1'));
});

test('one namespace: its items plus related cluster-scoped items (PV, cluster roles, CRD), nothing else cluster-scoped', async () => {
  const { sink, cluster } = await backupWith({ includeNamespaces: ['shop'] });
  assert.equal(sink.keys(), [
    ...SHOP_ITEMS,
    'clusterrolebindings.rbac.authorization.k8s.io app-view',
    'clusterroles.rbac.authorization.k8s.io view',
    'customresourcedefinitions.apiextensions.k8s.io widgets.shop.example.com',
    'persistentvolumes pv-1',
  ].sort());
  assert.not.ok(cluster.listCalls.some((c) => c.groupResource === 'storageclasses.storage.k8s.io'), 'cluster-scoped types are not listed');
  assert.ok(cluster.listCalls.filter((c) => c.groupResource === 'configmaps').every((c) => c.namespace === 'shop'), 'lists are per included namespace');
});

test('items are written once even when listed and pulled in by an action', async () => {
  const { sink } = await backupWith({});
  const keys = sink.keys();
  assert.is(keys.length, new Set(keys).size);
  assert.is(keys.filter((k) => k === 'persistentvolumeclaims shop/data-web-0').length, 1);
});

test('--include-cluster-resources=false: no cluster-scoped items, not even related ones', async () => {
  const { sink } = await backupWith({ includeNamespaces: ['shop'], includeClusterResources: false });
  assert.equal(sink.keys(), SHOP_ITEMS.filter((k) => !k.startsWith('namespaces')).concat([]).sort());
});

test('--include-resources: only those types; cluster types outside the list are not pulled in', async () => {
  const { sink } = await backupWith({ includeResources: ['configmaps', 'pvc'] });
  assert.equal(sink.keys(), ['configmaps blog/theme', 'configmaps quiet/hush', 'configmaps shop/prices', 'persistentvolumeclaims shop/data-web-0']);
});

test('--exclude-namespaces with all namespaces: their items and namespace objects are left out', async () => {
  const { sink } = await backupWith({ excludeNamespaces: ['shop'] });
  assert.not.ok(sink.keys().some((k) => k.includes('shop/') || k === 'namespaces shop'));
  assert.ok(sink.keys().includes('configmaps blog/theme'));
});

test('label selector: matching items only, and the namespaces that hold them', async () => {
  const { sink, cluster } = await backupWith({ selector: 'app=shop' });
  assert.equal(sink.keys(), ['configmaps shop/prices', 'namespaces shop']);
  assert.ok(cluster.listCalls.every((c) => c.groupResource === 'namespaces' || c.labelSelector === 'app=shop'));
});

test('or-selectors: one list per selector, results merged', async () => {
  const { sink } = await backupWith({ orSelector: 'app=shop or app=blog' });
  assert.equal(sink.keys(), ['configmaps blog/theme', 'configmaps shop/prices', 'namespaces blog', 'namespaces shop']);
});

test('a resource the user may not list is a warning in the results, not a failure', async () => {
  const { sink, result } = await backupWith({ includeNamespaces: ['shop'] }, (c) => c.forbidden.add('secrets'));
  assert.not.ok(sink.keys().includes('secrets shop/db-pass'));
  assert.is(result.results.errors, 0);
  assert.is(result.results.warnings, 1);
  const warnings = result.results.toJSON().warnings;
  assert.ok(warnings.namespaces?.shop?.[0]?.startsWith('cannot list secrets in namespace shop: secrets is forbidden'));
});

test('a failing archive write ends the run with SinkFailure', async () => {
  try {
    await backupWith({}, (_c, s) => (s.failAfter = 3));
    assert.unreachable('should have thrown');
  } catch (error) {
    assert.instance(error, SinkFailure);
  }
});

test('resource list keyed group/version/Kind with ns/name values', async () => {
  const { result } = await backupWith({ includeNamespaces: ['shop'] });
  const list = result.resourceList.toJSON();
  assert.equal(list['v1/ConfigMap'], ['shop/prices']);
  assert.equal(list['v1/PersistentVolume'], ['pv-1']);
  assert.equal(list['rbac.authorization.k8s.io/v1/ClusterRole'], ['view']);
  assert.equal(Object.keys(list), Object.keys(list).sort());
});

test('the preferred version is flagged so the archive writes the item twice', async () => {
  const { sink } = await backupWith({ includeNamespaces: ['shop'] });
  assert.ok(sink.items.every((i) => i.coords.preferred && i.coords.version === 'v1'));
  const cm = sink.items.find((i) => i.coords.name === 'prices')!;
  assert.equal(JSON.parse(cm.json).kind, 'ConfigMap');
});

test('--ordered-resources puts the named items first', async () => {
  const { sink } = await backupWith({ includeResources: ['configmaps'], orderedResources: 'configmaps=shop/prices,blog/theme' });
  assert.equal(sink.items.map((i) => i.coords.name), ['prices', 'theme', 'hush']);
});

test('validation errors stop the run before any API call', async () => {
  const { result, cluster } = await backupWith({ includeResources: ['pods'], includeClusterScopedResources: ['pv'] });
  assert.is(result.validationErrors.length, 1);
  assert.match(result.validationErrors[0]!, /cannot be used together/);
  assert.equal(cluster.listCalls, []);
});

test('many included namespaces: one cluster-wide LIST per type, other namespaces filtered out', async () => {
  const many = Array.from({ length: 12 }, (_, i) => `ns${i}`);
  const { sink, cluster } = await backupWith({ includeNamespaces: [...many, 'shop'] });
  assert.ok(cluster.listCalls.filter((c) => c.groupResource === 'configmaps').every((c) => c.namespace === undefined));
  assert.ok(sink.keys().includes('configmaps shop/prices'));
  assert.not.ok(sink.keys().some((k) => k.includes('blog')));
});

test('a forbidden cluster-wide LIST falls back to the per-namespace lists', async () => {
  const many = Array.from({ length: 12 }, (_, i) => `ns${i}`);
  const { sink, cluster, result } = await backupWith({ includeNamespaces: [...many, 'shop'] }, (c) => c.forbidClusterWide.add('configmaps'));
  assert.ok(cluster.listCalls.some((c) => c.groupResource === 'configmaps' && c.namespace === 'shop'));
  assert.ok(sink.keys().includes('configmaps shop/prices'));
  assert.is(result.results.warnings, 0);
});

test.run();
