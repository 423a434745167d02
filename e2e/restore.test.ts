// Restores as a user runs them, on real clusters and a real MinIO: back up a namespace with a CRD and
// custom resources, delete it all, restore, and hold the result to the fidelity report; migrate into a
// second cluster under a new namespace name; preview with --dry-run (nothing changes); and refuse a
// corrupt backup with a clear error and a Failed restore.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { downCluster, upCluster, type ClusterStatus } from '../hack/harness/cluster.ts';
import { minioClient } from '../hack/harness/minio.ts';
import { repoRoot } from '../hack/harness/paths.ts';
import { runCommand } from './run-command.ts';

const plugin = join(repoRoot, 'bin', 'kubectl-velero');
// Per-run cluster names: another run of this file (a colleague's `make test`) must not replace ours.
const A = `restore-a-${process.pid}`;
const B = `restore-b-${process.pid}`;
let a: ClusterStatus;
let b: ClusterStatus;
let work: string;
let env: NodeJS.ProcessEnv;

const run = (cmd: string, args: string[], expectCode = 0) => runCommand(cmd, args, env, expectCode);
const velero = (args: string[], code = 0) => run(plugin, args, code);
const kubectl = (cluster: ClusterStatus, args: string[], code = 0) => run('kubectl', ['--kubeconfig', cluster.kubeconfig, ...args], code);

const APP = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: widgets.example.com }
spec:
  group: example.com
  scope: Namespaced
  names: { plural: widgets, singular: widget, kind: Widget }
  versions:
    - name: v1
      served: true
      storage: true
      schema: { openAPIV3Schema: { type: object, x-kubernetes-preserve-unknown-fields: true } }
---
apiVersion: v1
kind: Namespace
metadata: { name: shop, labels: { team: web } }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: prices, namespace: shop, labels: { app: web } }
data: { apple: "1", pear: "2" }
---
apiVersion: v1
kind: Secret
metadata: { name: db, namespace: shop }
stringData: { password: s3cret }
---
apiVersion: v1
kind: ServiceAccount
metadata: { name: web, namespace: shop }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: { name: web-view, namespace: shop }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: view }
subjects: [{ kind: ServiceAccount, name: web, namespace: shop }]
---
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: shop, labels: { app: web } }
spec:
  replicas: 1
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec: { serviceAccountName: web, containers: [{ name: web, image: kubectl-velero.local/tools:bookworm, imagePullPolicy: Never }] }
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: shop }
spec: { selector: { app: web }, ports: [{ port: 80, nodePort: 30080 }], type: NodePort }
`;

test.before(async () => {
  [a, b] = await Promise.all([upCluster(A), upCluster(B)]);
  work = mkdtempSync(join(tmpdir(), 'kv-restore-e2e-'));
  env = { ...process.env, KUBECTL_VELERO_CONFIG: join(work, 'config.yaml') };
  await velero(['backup-location', 'create', 'minio', '--provider', 'aws', '--bucket', a.minio.bucket, '--config', `region=${a.minio.region},s3Url=${a.minio.endpoint},s3ForcePathStyle=true`, '--credential-file', a.minio.credentialsFile, '--default']);
  writeFileSync(join(work, 'app.yaml'), APP);
  await kubectl(a, ['apply', '-f', join(work, 'app.yaml')]);
  await kubectl(a, ['wait', '--for=condition=Established', 'crd/widgets.example.com']);
  writeFileSync(join(work, 'widget.yaml'), 'apiVersion: example.com/v1\nkind: Widget\nmetadata: { name: gear, namespace: shop }\nspec: { teeth: 12 }\n');
  await kubectl(a, ['apply', '-f', join(work, 'widget.yaml')]);
  await velero(['backup', 'create', 'shop-1', '--include-namespaces', 'shop', '--kubeconfig', a.kubeconfig]);
});

test.after(async () => {
  await Promise.all([downCluster(A), downCluster(B)]);
  rmSync(work, { recursive: true, force: true });
});

test('delete everything, restore, and the fidelity report finds no difference', async () => {
  await kubectl(a, ['delete', 'ns', 'shop', '--wait=true', '--timeout=120s']);
  await kubectl(a, ['delete', 'crd', 'widgets.example.com', '--wait=true']);
  const { stdout } = await velero(['restore', 'create', 'r1', '--from-backup', 'shop-1', '--kubeconfig', a.kubeconfig]);
  assert.match(stdout, /Restore "r1" from backup "shop-1" completed/);
  const widget = JSON.parse((await kubectl(a, ['get', 'widget', 'gear', '-n', 'shop', '-o', 'json'])).stdout);
  assert.is(widget.spec.teeth, 12);
  assert.is(widget.metadata.labels['velero.io/restore-name'], 'r1');
  const cm = JSON.parse((await kubectl(a, ['get', 'cm', 'prices', '-n', 'shop', '-o', 'json'])).stdout);
  assert.equal(cm.data, { apple: '1', pear: '2' });
  const svc = JSON.parse((await kubectl(a, ['get', 'svc', 'web', '-n', 'shop', '-o', 'json'])).stdout);
  assert.is.not(svc.spec.ports[0].nodePort, undefined);
  const fidelity = await velero(['restore', 'describe', 'r1', '--fidelity', '--kubeconfig', a.kubeconfig]);
  assert.match(fidelity.stdout, /Fidelity: {2}\d+ objects checked, 0 missing, 0 different/);
  const details = await velero(['restore', 'describe', 'r1', '--details']);
  assert.match(details.stdout, /example.com\/v1\/Widget:\n\s+- shop\/gear\(created\)/);
  assert.match((await velero(['restore', 'logs', 'r1'])).stdout, /restore=velero\/r1/);
  const ns = JSON.parse((await kubectl(a, ['get', 'ns', 'shop', '-o', 'json'])).stdout);
  assert.is(ns.metadata.labels.team, 'web', 'the namespace is made from the backed-up one');
  const table = (await velero(['restore', 'get'])).stdout;
  assert.match(table, /^NAME\s+BACKUP\s+STATUS\s+STARTED\s+COMPLETED\s+ERRORS\s+WARNINGS\s+CREATED\s+SELECTOR\n/);
  assert.match(table, /\nr1\s+shop-1\s+Completed\s+.*\s+0\s+0\s+.*<none>\n/);
  const stored = JSON.parse((await velero(['restore', 'get', 'r1', '-o', 'json'])).stdout);
  assert.equal([stored.apiVersion, stored.kind, stored.status.phase], ['velero.io/v1', 'Restore', 'Completed']);
  assert.ok(stored.status.progress.itemsRestored > 5);
});

test('a changed object is reported by the fidelity check and by the preview, and --dry-run changes nothing', async () => {
  await kubectl(a, ['patch', 'cm', 'prices', '-n', 'shop', '-p', '{"data":{"apple":"9"}}']);
  const report = await velero(['restore', 'describe', 'r1', '--fidelity', '--kubeconfig', a.kubeconfig], 1);
  assert.match(report.stdout, /different: {2}configmaps shop\/prices\n\s+data\.apple: "1" \(backup\) vs "9" \(cluster\)/);
  const preview = await velero(['restore', 'create', '--from-backup', 'shop-1', '--dry-run', '--kubeconfig', a.kubeconfig]);
  assert.match(preview.stdout, /skip {7}configmaps shop\/prices: exists and differs/);
  assert.match(preview.stdout, /unchanged {2}secrets shop\/db/);
  assert.match(preview.stdout, /nothing was changed/);
  const cm = JSON.parse((await kubectl(a, ['get', 'cm', 'prices', '-n', 'shop', '-o', 'json'])).stdout);
  assert.is(cm.data.apple, '9');
  await velero(['restore', 'create', 'r2', '--from-backup', 'shop-1', '--existing-resource-policy', 'update', '--kubeconfig', a.kubeconfig]);
  const after = JSON.parse((await kubectl(a, ['get', 'cm', 'prices', '-n', 'shop', '-o', 'json'])).stdout);
  assert.is(after.data.apple, '1');
});

test('migration: into cluster B under a new namespace name; a dry run first leaves B untouched', async () => {
  const preview = await velero(['restore', 'create', '--from-backup', 'shop-1', '--namespace-mappings', 'shop:shop-b', '--dry-run', '--kubeconfig', b.kubeconfig]);
  assert.match(preview.stdout, /create {5}namespaces shop-b/);
  assert.match(preview.stdout, /the restore would succeed/);
  await kubectl(b, ['get', 'ns', 'shop-b'], 1);
  await velero(['restore', 'create', 'm1', '--from-backup', 'shop-1', '--namespace-mappings', 'shop:shop-b', '--kubeconfig', b.kubeconfig]);
  const rb = JSON.parse((await kubectl(b, ['get', 'rolebinding', 'web-view', '-n', 'shop-b', '-o', 'json'])).stdout);
  assert.equal(rb.subjects, [{ kind: 'ServiceAccount', name: 'web', namespace: 'shop-b' }]);
  const fidelity = await velero(['restore', 'describe', 'm1', '--fidelity', '--kubeconfig', b.kubeconfig]);
  assert.match(fidelity.stdout, /0 missing, 0 different/);
  await kubectl(b, ['get', 'ns', 'shop'], 1);
});

test('a selective restore with resource modifier rules from a file; fidelity replays the rules; the record can be deleted', async () => {
  // As in Velero, a patch value is JSON when it looks like it: a string of digits is quoted.
  writeFileSync(join(work, 'rules.yaml'), `version: v1
resourceModifierRules:
- conditions: { groupResource: configmaps, namespaces: [shop], resourceNameRegex: "^prices$" }
  patches:
  - { operation: replace, path: /data/apple, value: '"5"' }
- conditions: { groupResource: deployments.apps }
  mergePatches:
  - patchData: '{"metadata":{"annotations":{"migrated":"yes"}}}'
`);
  await velero(['restore', 'create', 'sel', '--from-backup', 'shop-1', '--namespace-mappings', 'shop:shop-m', '-l', 'app=web', '--exclude-resources', 'pods,replicasets', '--resource-modifiers', join(work, 'rules.yaml'), '--kubeconfig', b.kubeconfig]);
  const deploy = JSON.parse((await kubectl(b, ['get', 'deploy', 'web', '-n', 'shop-m', '-o', 'json'])).stdout);
  assert.is(deploy.metadata.annotations.migrated, 'yes');
  const cm = JSON.parse((await kubectl(b, ['get', 'cm', 'prices', '-n', 'shop-m', '-o', 'json'])).stdout);
  assert.equal(cm.data, { apple: '5', pear: '2' });
  await kubectl(b, ['get', 'secret', 'db', '-n', 'shop-m'], 1);
  const fidelity = await velero(['restore', 'describe', 'sel', '--fidelity', '--kubeconfig', b.kubeconfig]);
  assert.match(fidelity.stdout, /Label selector: {2}app=web/);
  assert.match(fidelity.stdout, /Fidelity: {2}[1-9]\d* objects checked, 0 missing, 0 different/);
  await velero(['restore', 'delete', 'sel'], 1);
  await velero(['restore', 'delete', 'sel', '--confirm']);
  await velero(['restore', 'get', 'sel'], 1);
});

test('a corrupt backup tarball: a clear one-line error and a Failed restore', async () => {
  const text = readFileSync(a.minio.credentialsFile, 'utf8');
  const read = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(text)?.[1] ?? '';
  const client = minioClient(a.minio.endpoint, { accessKey: read('aws_access_key_id'), secretKey: read('aws_secret_access_key') }, a.minio.region);
  const download = async (key: string) => {
    const chunks: Buffer[] = [];
    for await (const c of await client.getObject(a.minio.bucket, key)) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };
  const good = await download('backups/shop-1/shop-1.tar.gz');
  const meta = JSON.parse(String(await download('backups/shop-1/velero-backup.json')));
  meta.metadata.name = 'cut';
  await client.putObject(a.minio.bucket, 'backups/cut/cut.tar.gz', good.subarray(0, Math.floor(good.length / 2)));
  await client.putObject(a.minio.bucket, 'backups/cut/velero-backup.json', Buffer.from(JSON.stringify(meta)));
  const r = await velero(['restore', 'create', 'from-cut', '--from-backup', 'cut', '--kubeconfig', b.kubeconfig], 1);
  assert.match(r.stderr, /^error: the backup archive is corrupt or not a Velero backup: the archive is truncated \(the gzip stream ends early\)\n$/);
  const stored = JSON.parse((await velero(['restore', 'get', 'from-cut', '-o', 'json'])).stdout);
  assert.is(stored.status.phase, 'Failed');
});

test.run();
