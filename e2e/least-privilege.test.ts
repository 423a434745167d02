// Backups and restores by users with the least privilege the README gives, on a real API server:
// a namespaced Role (get/list in one namespace, no secrets) backs its namespace up Completed with
// warnings naming what it could not read (by `backup create` and by `schedule run`); a user who may
// only write config maps in one namespace restores PartiallyFailed, with an error per cluster-scoped
// object and everything else restored.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { downCluster, upCluster, type ClusterStatus } from '../hack/harness/cluster.ts';
import { repoRoot } from '../hack/harness/paths.ts';
import { serviceAccountKubeconfig } from './fixtures/service-account.ts';
import { runCommand } from './run-command.ts';

const plugin = join(repoRoot, 'bin', 'kubectl-velero');
const NAME = `leastpriv-${process.pid}`;
let cluster: ClusterStatus;
let work: string;
let env: NodeJS.ProcessEnv;

const run = (cmd: string, args: string[], expectCode = 0) => runCommand(cmd, args, env, expectCode);
const velero = (args: string[], code = 0) => run(plugin, args, code);
const kubectl = (args: string[], code = 0) => run('kubectl', ['--kubeconfig', cluster.kubeconfig, ...args], code);

const kubeconfigOf = (ns: string, name: string) => serviceAccountKubeconfig(cluster.kubeconfig, ns, name, work);

/** The README's minimal Role for backing up one namespace's objects (secrets left out on purpose here). */
const BACKUP_ROLE = ['--verb=get,list', '--resource=configmaps,serviceaccounts,services,pods,persistentvolumeclaims,deployments.apps'];

test.before(async () => {
  cluster = await upCluster(NAME);
  work = mkdtempSync(join(tmpdir(), 'kv-leastpriv-e2e-'));
  env = { ...process.env, KUBECTL_VELERO_CONFIG: join(work, 'config.yaml') };
  await velero(['backup-location', 'create', 'disk', '--provider', 'local', '--config', `path=${join(work, 'backups')}`, '--default']);
  await kubectl(['create', 'namespace', 'shop']);
  await kubectl(['-n', 'shop', 'create', 'configmap', 'prices', '--from-literal=apple=1']);
  await kubectl(['-n', 'shop', 'label', 'configmap', 'prices', 'app=shop']);
  await kubectl(['-n', 'shop', 'create', 'secret', 'generic', 'db', '--from-literal=password=hunter2']);
  await kubectl(['create', 'clusterrole', 'shop-extra', '--verb=get', '--resource=configmaps']);
  await kubectl(['label', 'clusterrole', 'shop-extra', 'app=shop']);
});

test.after(async () => {
  await downCluster(NAME);
  rmSync(work, { recursive: true, force: true });
});

test('a namespaced Role without secrets backs its namespace up: Completed, with warnings naming what it could not read', async () => {
  await kubectl(['-n', 'shop', 'create', 'serviceaccount', 'backup-user']);
  await kubectl(['-n', 'shop', 'create', 'role', 'backup', ...BACKUP_ROLE]);
  await kubectl(['-n', 'shop', 'create', 'rolebinding', 'backup', '--role=backup', '--serviceaccount=shop:backup-user']);
  const user = await kubeconfigOf('shop', 'backup-user');
  const r = await velero(['backup', 'create', 'by-role', '--include-namespaces', 'shop', '--kubeconfig', user]);
  assert.match(r.stdout, /^Backup "by-role" completed: \d+ items, 0 errors, [1-9]\d* warnings/);
  const logs = (await velero(['backup', 'logs', 'by-role'])).stdout;
  assert.match(logs, /level=warning msg="cannot list secrets in namespace shop: secrets is forbidden/);
  // Cluster-scoped extras (the ClusterRoleBindings of service accounts) are skipped with a warning.
  assert.match(logs, /level=warning msg="cannot list clusterrolebindings/);
  const list = JSON.parse(gunzipSync(readFileSync(join(work, 'backups', 'backups', 'by-role', 'by-role-resource-list.json.gz'))).toString());
  assert.ok(list['v1/ConfigMap']?.includes('shop/prices'), JSON.stringify(list));
  assert.is(list['v1/Secret'], undefined);
});

test('schedule run by the same namespaced Role: the schedule\'s backup is Completed with the same warnings, and gc needs nothing of the cluster', async () => {
  const user = await kubeconfigOf('shop', 'backup-user');
  await velero(['schedule', 'create', 'shop-hourly', '--schedule', '@hourly', '--include-namespaces', 'shop', '--ttl', '24h']);
  const r = await velero(['schedule', 'run', '--kubeconfig', user]);
  const taken = /is due: backup "(shop-hourly-\d{14})"/.exec(r.stdout)?.[1];
  assert.ok(taken, r.stdout);
  assert.match(r.stdout, new RegExp(`Backup "${taken}" completed: \\d+ items, 0 errors, [1-9]\\d* warnings`), r.stdout);
  const list = JSON.parse(gunzipSync(readFileSync(join(work, 'backups', 'backups', taken!, `${taken}-resource-list.json.gz`))).toString());
  assert.ok(list['v1/ConfigMap']?.includes('shop/prices'), JSON.stringify(list));
});

test('a restore by a user who cannot create cluster-scoped objects: PartiallyFailed, an error per such object, the rest restored', async () => {
  await velero(['backup', 'create', 'by-admin', '--include-namespaces', 'shop', '--include-cluster-resources=true', '-l', 'app=shop', '--kubeconfig', cluster.kubeconfig]);
  await kubectl(['create', 'namespace', 'shop2']);
  await kubectl(['-n', 'shop2', 'create', 'serviceaccount', 'restorer']);
  await kubectl(['-n', 'shop2', 'create', 'role', 'restore', '--verb=get,list,create,update,patch', '--resource=configmaps']);
  await kubectl(['-n', 'shop2', 'create', 'rolebinding', 'restore', '--role=restore', '--serviceaccount=shop2:restorer']);
  const user = await kubeconfigOf('shop2', 'restorer');
  const r = await velero(['restore', 'create', 'by-restorer', '--from-backup', 'by-admin', '--namespace-mappings', 'shop:shop2', '--kubeconfig', user], 1);
  assert.match(r.stdout, /finished with phase PartiallyFailed: 1 items restored, 2 errors/);
  assert.match(r.stderr, /error: error restoring clusterroles\.rbac\.authorization\.k8s\.io\/shop-extra: clusterroles\.rbac\.authorization\.k8s\.io is forbidden/);
  assert.match(r.stderr, /error: error restoring namespaces\/shop2: namespaces is forbidden/);
  const restored = JSON.parse((await kubectl(['-n', 'shop2', 'get', 'configmap', 'prices', '-o', 'json'])).stdout);
  assert.equal(restored.data, { apple: '1' });
});

test.run();
