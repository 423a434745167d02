// The backup commands against a real kube-apiserver + controller-manager and a real MinIO, run as a
// user runs them: bin/kubectl-velero with a temp KUBECTL_VELERO_CONFIG and a MinIO location.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { gunzipSync } from 'node:zlib';
import { AppsV1Api, CoreV1Api, CustomObjectsApi, KubeConfig, KubernetesObjectApi, RbacAuthorizationV1Api } from '@kubernetes/client-node';
import tar from 'tar-stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { startCommand } from './run-command.ts';
import { seedBulkConfigMaps } from './fixtures/web-app.ts';
import { downCluster, upCluster, type ClusterStatus } from '../hack/harness/cluster.ts';
import { minioClient } from '../hack/harness/minio.ts';

const CLUSTER = 'e2e-backup';
const plugin = join(import.meta.dirname, '..', 'bin', 'kubectl-velero');
let status: ClusterStatus;
let env: NodeJS.ProcessEnv;
let work: string;

async function velero(args: string[], expectCode = 0): Promise<{ stdout: string; stderr: string; code: number }> {
  const result = await promisify(execFile)(plugin, args, { env, maxBuffer: 64 << 20 }).then(
    (r) => ({ ...r, code: 0 }),
    (e: { stdout: string; stderr: string; code: number }) => ({ stdout: e.stdout, stderr: e.stderr, code: e.code }),
  );
  assert.is(result.code, expectCode, `kubectl velero ${args.join(' ')}: ${result.stderr}`);
  return result;
}

function creds() {
  const text = readFileSync(status.minio.credentialsFile, 'utf8');
  const read = (key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(text)?.[1] ?? '';
  return { accessKey: read('aws_access_key_id'), secretKey: read('aws_secret_access_key') };
}

async function bucketKeys(prefix: string): Promise<string[]> {
  const client = minioClient(status.minio.endpoint, creds(), status.minio.region);
  const keys: string[] = [];
  for await (const o of client.listObjectsV2(status.minio.bucket, prefix, true)) if (o.name) keys.push(o.name);
  return keys.sort();
}

async function tarEntries(name: string): Promise<string[]> {
  const file = join(work, `${name}.tar.gz`);
  await velero(['backup', 'download', name, '-o', file]);
  const names: string[] = [];
  const extract = tar.extract();
  const done = new Promise<void>((resolve, reject) => {
    extract.on('entry', (h, stream, next) => {
      names.push(h.name);
      stream.on('end', next);
      stream.resume();
    });
    extract.on('finish', resolve);
    extract.on('error', reject);
  });
  extract.end(gunzipSync(readFileSync(file)));
  await done;
  return names.sort();
}

/** `resources/<gr>/<scope>/<name>.json` entries without the -preferredversion copies, as `gr ns/name`. */
function items(entries: string[]): string[] {
  return entries
    .filter((e) => e.startsWith('resources/') && !e.includes('-preferredversion/'))
    .map((e) => {
      const m = /^resources\/([^/]+)\/(?:namespaces\/([^/]+)|cluster)\/(.+)\.json$/.exec(e)!;
      return `${m[1]} ${m[2] ? `${m[2]}/` : ''}${m[3]}`;
    })
    .sort();
}

async function seed(kc: KubeConfig): Promise<void> {
  const core = kc.makeApiClient(CoreV1Api);
  const apps = kc.makeApiClient(AppsV1Api);
  const rbac = kc.makeApiClient(RbacAuthorizationV1Api);
  const objects = KubernetesObjectApi.makeApiClient(kc);
  for (const name of ['shop', 'blog']) await core.createNamespace({ body: { metadata: { name } } });
  const labels = { app: 'shop' };
  await core.createNamespacedConfigMap({ namespace: 'shop', body: { metadata: { name: 'prices', labels }, data: { apple: '1' } } });
  await core.createNamespacedConfigMap({ namespace: 'shop', body: { metadata: { name: 'opted-out', labels: { 'velero.io/exclude-from-backup': 'true' } }, data: {} } });
  await core.createNamespacedSecret({ namespace: 'shop', body: { metadata: { name: 'db-pass' }, stringData: { password: 'x' } } });
  await core.createNamespacedServiceAccount({ namespace: 'shop', body: { metadata: { name: 'shop-app' } } });
  await rbac.createClusterRole({ body: { metadata: { name: 'shop-reader' }, rules: [{ apiGroups: [''], resources: ['configmaps'], verbs: ['get'] }] } });
  await rbac.createClusterRoleBinding({ body: { metadata: { name: 'shop-app-reader' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'shop-reader' }, subjects: [{ kind: 'ServiceAccount', name: 'shop-app', namespace: 'shop' }] } });
  await rbac.createNamespacedRole({ namespace: 'shop', body: { metadata: { name: 'editor' }, rules: [{ apiGroups: [''], resources: ['secrets'], verbs: ['get'] }] } });
  await rbac.createNamespacedRoleBinding({ namespace: 'shop', body: { metadata: { name: 'editor' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: 'editor' }, subjects: [{ kind: 'ServiceAccount', name: 'shop-app', namespace: 'shop' }] } });
  const tmpl = { metadata: { labels }, spec: { containers: [{ name: 'web', image: 'registry.invalid/web:1' }] } };
  await core.createNamespacedService({ namespace: 'shop', body: { metadata: { name: 'web', labels }, spec: { selector: labels, ports: [{ port: 80 }] } } });
  await apps.createNamespacedDeployment({ namespace: 'shop', body: { metadata: { name: 'web', labels }, spec: { replicas: 1, selector: { matchLabels: labels }, template: tmpl } } });
  await apps.createNamespacedStatefulSet({
    namespace: 'shop',
    body: {
      metadata: { name: 'db' },
      spec: { serviceName: 'web', replicas: 1, selector: { matchLabels: { app: 'db' } }, template: { ...tmpl, metadata: { labels: { app: 'db' } } }, volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }] },
    },
  });
  await objects.create({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: 'widgets.shop.example.com' },
    spec: { group: 'shop.example.com', names: { plural: 'widgets', singular: 'widget', kind: 'Widget' }, scope: 'Namespaced', versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }] },
  } as never);
  await core.createPersistentVolume({ body: { metadata: { name: 'unrelated-pv' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/x' } } } });
  await core.createNamespacedConfigMap({ namespace: 'blog', body: { metadata: { name: 'theme' }, data: {} } });
  const custom = kc.makeApiClient(CustomObjectsApi);
  for (let i = 0; ; i++) {
    try {
      await custom.createNamespacedCustomObject({ group: 'shop.example.com', version: 'v1', namespace: 'shop', plural: 'widgets', body: { apiVersion: 'shop.example.com/v1', kind: 'Widget', metadata: { name: 'w1' }, size: 3 } });
      break;
    } catch (error) {
      if (i > 50) throw error; // the CRD is being established
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  // The StatefulSet controller creates the claim from the template (it stays Pending: no provisioner).
  for (let i = 0; !(await core.listNamespacedPersistentVolumeClaim({ namespace: 'shop' })).items.length; i++) {
    if (i > 100) throw new Error('the StatefulSet controller made no PVC');
    await new Promise((r) => setTimeout(r, 200));
  }
}

test.before(async () => {
  status = await upCluster(CLUSTER);
  work = mkdtempSync(join(tmpdir(), 'e2e-backup-'));
  env = { ...process.env, KUBECONFIG: status.kubeconfig, KUBECTL_VELERO_CONFIG: join(work, 'config.yaml'), NO_COLOR: '1' };
  const kc = new KubeConfig();
  kc.loadFromFile(status.kubeconfig);
  await seed(kc);
  await velero(['backup-location', 'create', 'minio', '--provider', 'aws', '--bucket', status.minio.bucket, '--credentials-file', status.minio.credentialsFile, '--config', `region=${status.minio.region},s3ForcePathStyle=true,s3Url=${status.minio.endpoint}`, '--default']);
});

test.after(async () => {
  await downCluster(CLUSTER);
  if (work) rmSync(work, { recursive: true, force: true });
});

test('one namespace: its objects, related cluster-scoped ones, Velero\'s files in the bucket', async () => {
  const { stdout } = await velero(['backup', 'create', 'shop-1', '--include-namespaces', 'shop', '--storage-location', 'minio']);
  assert.match(stdout, /Backup "shop-1" completed/);
  const entries = await tarEntries('shop-1');
  assert.ok(entries.includes('metadata/version'));
  const got = items(entries);
  for (const want of [
    'configmaps shop/prices', 'secrets shop/db-pass', 'serviceaccounts shop/shop-app', 'services shop/web', 'deployments.apps shop/web',
    'statefulsets.apps shop/db', 'persistentvolumeclaims shop/data-db-0', 'roles.rbac.authorization.k8s.io shop/editor',
    'rolebindings.rbac.authorization.k8s.io shop/editor', 'widgets.shop.example.com shop/w1', 'namespaces shop',
    'customresourcedefinitions.apiextensions.k8s.io widgets.shop.example.com', 'clusterrolebindings.rbac.authorization.k8s.io shop-app-reader',
    'clusterroles.rbac.authorization.k8s.io shop-reader',
  ]) assert.ok(got.includes(want), `missing ${want}`);
  assert.not.ok(got.includes('configmaps shop/opted-out'), 'velero.io/exclude-from-backup=true is honoured');
  assert.not.ok(got.some((i) => i.includes(' blog/') || i === 'namespaces blog'), 'nothing from other namespaces');
  assert.not.ok(got.includes('persistentvolumes unrelated-pv'), 'unrelated cluster-scoped objects are left out');
  const clusterScoped = got.filter((i) => !i.includes('/'));
  assert.equal(clusterScoped.filter((i) => !/^(namespaces|customresourcedefinitions|clusterroles|clusterrolebindings)/.test(i)), []);
  // every item twice: plain and under v1-preferredversion
  assert.is(entries.filter((e) => e.includes('-preferredversion/')).length, got.length);
  assert.equal(await bucketKeys('backups/shop-1/'), [
    'backups/shop-1/shop-1-itemoperations.json.gz', 'backups/shop-1/shop-1-logs.gz', 'backups/shop-1/shop-1-podvolumebackups.json.gz',
    'backups/shop-1/shop-1-resource-list.json.gz', 'backups/shop-1/shop-1-results.gz', 'backups/shop-1/shop-1-volumeinfo.json.gz',
    'backups/shop-1/shop-1-volumesnapshots.json.gz', 'backups/shop-1/shop-1.tar.gz', 'backups/shop-1/velero-backup.json',
  ]);
});

test('filters: resources, label selector, excluded namespaces, no cluster resources', async () => {
  await velero(['backup', 'create', 'cm-only', '--include-namespaces', 'shop,blog', '--include-resources', 'configmaps,secret']);
  assert.equal(items(await tarEntries('cm-only')).filter((i) => !i.endsWith('kube-root-ca.crt')), ['configmaps blog/theme', 'configmaps shop/prices', 'secrets shop/db-pass']);

  await velero(['backup', 'create', 'labelled', '-l', 'app=shop']);
  const labelled = items(await tarEntries('labelled'));
  assert.ok(labelled.includes('configmaps shop/prices') && labelled.includes('services shop/web') && labelled.includes('deployments.apps shop/web'));
  assert.not.ok(labelled.some((i) => i.startsWith('secrets ') || i.includes('blog')));

  await velero(['backup', 'create', 'no-cluster', '--include-namespaces', 'shop', '--include-cluster-resources=false']);
  assert.equal(items(await tarEntries('no-cluster')).filter((i) => !i.includes('/')), []);

  await velero(['backup', 'create', 'all-but-shop', '--exclude-namespaces', 'shop']);
  const allButShop = items(await tarEntries('all-but-shop'));
  assert.not.ok(allButShop.some((i) => i.includes(' shop/') || i === 'namespaces shop'));
  assert.ok(allButShop.includes('configmaps blog/theme'));
});

test('get, describe, logs, delete', async () => {
  const { stdout: table } = await velero(['backup', 'get']);
  assert.match(table, /^NAME\s+STATUS\s+ERRORS\s+WARNINGS\s+CREATED\s+EXPIRES\s+STORAGE LOCATION\s+QUEUE POSITION\s+SELECTOR\n/);
  assert.match(table, /\nshop-1\s+Completed\s+0\s+0\s+\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+0000 UTC\s+29d\s+minio\s+<none>/);
  const one = JSON.parse((await velero(['backup', 'get', 'shop-1', '-o', 'json'])).stdout);
  assert.is(one.kind, 'Backup');
  assert.is(one.status.formatVersion, '1.1.0');
  assert.match((await velero(['backup', 'describe', 'shop-1', '--details'])).stdout, /v1\/ConfigMap:\n(?:\s+- .+\n)*?\s+- shop\/prices\n/);
  assert.match((await velero(['backup', 'logs', 'shop-1'])).stdout, /level=info msg="Backed up a total of \d+ items" backup=velero\/shop-1/);
  const refused = await velero(['backup', 'delete', 'cm-only'], 1);
  assert.match(refused.stderr, /--confirm/);
  await velero(['backup', 'delete', 'cm-only', '--confirm']);
  assert.equal(await bucketKeys('backups/cm-only/'), []);
});

test('the bucket becomes unwritable half-way: the backup ends Failed and is never stored as Completed', async () => {
  const kc = new KubeConfig();
  kc.loadFromFile(status.kubeconfig);
  // Incompressible data, so the tarball is tens of MiB and its upload is still running when MinIO dies.
  await seedBulkConfigMaps(kc, 'bulk', 300);
  const running = startCommand(plugin, ['backup', 'create', 'cut', '--include-namespaces', 'bulk'], env);
  // Kill MinIO once the tarball upload is under way: every later write is refused.
  const dataDir = join(dirname(status.kubeconfig), 'minio-data', status.minio.bucket);
  const state = JSON.parse(readFileSync(join(dirname(status.kubeconfig), 'state.json'), 'utf8')) as { processes: { name: string; pid: number }[] };
  const minio = state.processes.find((p) => p.name === 'minio')!;
  // Wait until MinIO holds a multipart upload in progress (the tarball streaming in), then kill it.
  const multipart = join(dirname(status.kubeconfig), 'minio-data', '.minio.sys', 'multipart');
  const deadline = Date.now() + 30_000;
  while (!running.exited && Date.now() < deadline && !(existsSync(multipart) && readdirSync(multipart).length > 0)) await new Promise((r) => setTimeout(r, 20));
  assert.not.ok(running.exited, `the backup finished before MinIO was stopped, so this test proves nothing: ${running.output}`);
  assert.ok(existsSync(multipart) && readdirSync(multipart).length > 0, 'no multipart upload was seen in MinIO');
  process.kill(minio.pid, 'SIGKILL');
  const code = (await running.exit).code ?? 1;
  assert.is.not(code, 0, running.output);
  assert.match(running.output, /Failed/, running.output);
  assert.not.ok(existsSync(join(dataDir, 'backups', 'cut', 'velero-backup.json')), 'no velero-backup.json was stored');
});

test.run();
