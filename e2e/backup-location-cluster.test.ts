// Velero's BackupStorageLocation objects in the cluster: where Velero is installed, `backup-location
// get` lists them, `--storage-location` uses them (credentials from their Secret, read with the
// user's credentials and never printed), a ReadOnly one refuses backups, and with nothing configured
// the cluster's default location is the default.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { downCluster, upCluster, type ClusterStatus } from '../hack/harness/cluster.ts';
import { repoRoot } from '../hack/harness/paths.ts';

const plugin = join(repoRoot, 'bin', 'kubectl-velero');
const NAME = `bsl-${process.pid}`;
let c: ClusterStatus;
let work: string;
let env: NodeJS.ProcessEnv;
let secretKey: string;

async function run(cmd: string, args: string[], code = 0) {
  const r = await promisify(execFile)(cmd, args, { env, maxBuffer: 16 << 20 }).then(
    (x) => ({ ...x, code: 0 }),
    (e: { stdout: string; stderr: string; code: number }) => ({ stdout: e.stdout, stderr: e.stderr, code: e.code }),
  );
  assert.is(r.code, code, `${cmd} ${args.join(' ')}:\n${r.stdout}\n${r.stderr}`);
  assert.not.ok((r.stdout + r.stderr).includes(secretKey), 'the secret key never reaches the terminal');
  return r;
}
const velero = (args: string[], code = 0) => run(plugin, [...args, '--kubeconfig', c.kubeconfig], code);
const kubectl = (args: string[]) => run('kubectl', ['--kubeconfig', c.kubeconfig, ...args]);

const CRD = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: { name: backupstoragelocations.velero.io }
spec:
  group: velero.io
  names: { kind: BackupStorageLocation, listKind: BackupStorageLocationList, plural: backupstoragelocations, singular: backupstoragelocation, shortNames: [bsl] }
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    subresources: { status: {} }
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              provider: { type: string }
              objectStorage: { type: object, properties: { bucket: { type: string }, prefix: { type: string }, caCert: { type: string } } }
              config: { type: object, additionalProperties: { type: string } }
              credential: { type: object, properties: { name: { type: string }, key: { type: string } } }
              default: { type: boolean }
              accessMode: { type: string, enum: [ReadOnly, ReadWrite] }
              backupSyncPeriod: { type: string }
              validationFrequency: { type: string }
          status:
            type: object
            x-kubernetes-preserve-unknown-fields: true
`;

const bsl = (name: string, extra: string) => `apiVersion: velero.io/v1
kind: BackupStorageLocation
metadata: { name: ${name}, namespace: velero }
spec:
  provider: aws
  objectStorage: { bucket: ${c.minio.bucket}, prefix: ${name} }
  config: { region: ${c.minio.region}, s3Url: "${c.minio.endpoint}", s3ForcePathStyle: "true" }
  credential: { name: cloud-credentials, key: cloud }
${extra}`;

test.before(async () => {
  c = await upCluster(NAME);
  work = mkdtempSync(join(tmpdir(), 'kv-bsl-e2e-'));
  // No plugin config at all: only the cluster's locations.
  env = { ...process.env, KUBECTL_VELERO_CONFIG: join(work, 'config.yaml'), XDG_DATA_HOME: join(work, 'data') };
  const credentials = readFileSync(c.minio.credentialsFile, 'utf8');
  secretKey = /aws_secret_access_key\s*=\s*(\S+)/.exec(credentials)![1]!;
  writeFileSync(join(work, 'crd.yaml'), CRD);
  await kubectl(['apply', '-f', join(work, 'crd.yaml')]);
  await kubectl(['wait', '--for=condition=Established', 'crd/backupstoragelocations.velero.io']);
  await kubectl(['create', 'namespace', 'velero']);
  writeFileSync(join(work, 'cloud'), credentials);
  await kubectl(['create', 'secret', 'generic', 'cloud-credentials', '-n', 'velero', `--from-file=cloud=${join(work, 'cloud')}`]);
  writeFileSync(join(work, 'bsl.yaml'), `${bsl('primary', '  default: true\n  accessMode: ReadWrite')}\n---\n${bsl('archive', '  accessMode: ReadOnly')}\n`);
  await kubectl(['apply', '-f', join(work, 'bsl.yaml')]);
  await kubectl(['create', 'namespace', 'shop']);
  await kubectl(['create', 'configmap', 'prices', '-n', 'shop', '--from-literal=apple=1']);
});

test.after(async () => {
  await downCluster(NAME);
  rmSync(work, { recursive: true, force: true });
});

test('backup-location get lists the cluster locations with Velero columns and their source', async () => {
  const out = (await velero(['backup-location', 'get'])).stdout;
  assert.match(out, /^NAME\s+PROVIDER\s+BUCKET\/PREFIX\s+PHASE\s+LAST VALIDATED\s+ACCESS MODE\s+DEFAULT\s+SOURCE\n/);
  assert.match(out, new RegExp(`\\narchive\\s+aws\\s+${c.minio.bucket}/archive\\s+Unknown\\s+ReadOnly\\s+cluster\\n`));
  assert.match(out, new RegExp(`\\nprimary\\s+aws\\s+${c.minio.bucket}/primary\\s+Unknown\\s+ReadWrite\\s+true\\s+cluster\\n`));
  const yaml = (await velero(['backup-location', 'get', 'primary', '-o', 'yaml'])).stdout;
  assert.match(yaml, /credential:\n\s+name: cloud-credentials\n\s+key: cloud/);
});

test('--storage-location uses a cluster location; with nothing configured its default is the default', async () => {
  await velero(['backup', 'create', 'b1', '--include-namespaces', 'shop', '--storage-location', 'primary']);
  assert.match((await velero(['backup', 'get', '--storage-location', 'primary'])).stdout, /\nb1\s+Completed/);
  await velero(['backup', 'create', 'b2', '--include-namespaces', 'shop']);
  const listed = (await velero(['backup', 'get'])).stdout;
  assert.match(listed, /\nb1\s+Completed/);
  assert.match(listed, /\nb2\s+Completed/);
  await velero(['restore', 'create', 'r1', '--from-backup', 'b1', '--namespace-mappings', 'shop:shop-2']);
  await kubectl(['get', 'configmap', 'prices', '-n', 'shop-2']);
});

test('a ReadOnly cluster location refuses backup create and delete; an unknown name is a clear error', async () => {
  const refused = await velero(['backup', 'create', 'b3', '--storage-location', 'archive'], 1);
  assert.match(refused.stderr, /backup storage location "archive" is ReadOnly: cannot create backups in it/);
  const missing = await velero(['backup', 'get', '--storage-location', 'nowhere'], 1);
  assert.match(missing.stderr, /backup storage location "nowhere" not found in the plugin config or as a BackupStorageLocation in namespace velero/);
});

test('the repo commands see the cluster locations; repo prune refuses a ReadOnly one', async () => {
  const none = await velero(['repo', 'snapshots', '--storage-location', 'primary'], 1);
  assert.match(none.stderr, new RegExp(`^error: there is no volume repository in s3://${c.minio.bucket}/primary/ at `));
  const defaulted = await velero(['repo', 'check'], 1);
  assert.match(defaulted.stderr, new RegExp(`s3://${c.minio.bucket}/primary/`), 'the cluster default location is the default of repo commands too');
  const refused = await velero(['repo', 'prune', '--storage-location', 'archive'], 1);
  assert.match(refused.stderr, /^error: backup storage location "archive" is ReadOnly: cannot prune its volume repository\n$/);
});

test("a cluster location with Velero's provider name velero.io/aws works; an unknown config key is one line naming it", async () => {
  writeFileSync(join(work, 'more.yaml'), `${bsl('qualified', '  accessMode: ReadWrite').replace('provider: aws', 'provider: velero.io/aws')}\n---\n${bsl('typo', '  accessMode: ReadWrite').replace('s3ForcePathStyle:', 's3ForcePathStlye:')}\n`);
  await kubectl(['apply', '-f', join(work, 'more.yaml')]);
  await velero(['backup', 'create', 'b4', '--include-namespaces', 'shop', '--storage-location', 'qualified']);
  // No credential Secret: Velero's credentialsFile config key names the file, for every provider.
  writeFileSync(join(work, 'by-path.yaml'), bsl('by-path', '  accessMode: ReadWrite').replace('  credential: { name: cloud-credentials, key: cloud }\n', '').replace('s3ForcePathStyle: "true" }', `s3ForcePathStyle: "true", credentialsFile: "${join(work, 'cloud')}" }`));
  await kubectl(['apply', '-f', join(work, 'by-path.yaml')]);
  await velero(['backup', 'create', 'b6', '--include-namespaces', 'shop', '--storage-location', 'by-path']);
  const bad = await velero(['backup', 'create', 'b5', '--include-namespaces', 'shop', '--storage-location', 'typo'], 1);
  assert.match(bad.stderr, /^error: backup storage location "typo" \(provider aws\): unknown config key "s3ForcePathStlye": provider aws takes region, /);
  assert.is(bad.stderr.trim().split('\n').length, 1);
  // The cluster's default location cannot be used: an error, never a quiet fall-back to the local directory.
  await kubectl(['patch', 'bsl', 'primary', '-n', 'velero', '--type', 'merge', '-p', '{"spec":{"default":false}}']);
  await kubectl(['patch', 'bsl', 'typo', '-n', 'velero', '--type', 'merge', '-p', '{"spec":{"default":true}}']);
  const defaulted = await velero(['backup', 'get'], 1);
  assert.match(defaulted.stderr, /^error: backup storage location "typo" \(provider aws\): unknown config key "s3ForcePathStlye"/);
  await kubectl(['patch', 'bsl', 'typo', '-n', 'velero', '--type', 'merge', '-p', '{"spec":{"default":false}}']);
  await kubectl(['patch', 'bsl', 'primary', '-n', 'velero', '--type', 'merge', '-p', '{"spec":{"default":true}}']);
});

test('cluster locations of provider azure and gcp are used as Velero uses them, with their credential Secrets', async () => {
  assert.ok(c.azure && c.gcs, 'the harness runs Azurite and fake-gcs-server');
  await kubectl(['create', 'secret', 'generic', 'azure-credentials', '-n', 'velero', `--from-file=cloud=${c.azure!.credentialsFile}`]);
  await kubectl(['create', 'secret', 'generic', 'gcp-credentials', '-n', 'velero', `--from-file=cloud=${c.gcs!.credentialsFile}`]);
  writeFileSync(
    join(work, 'clouds.yaml'),
    `apiVersion: velero.io/v1
kind: BackupStorageLocation
metadata: { name: blob, namespace: velero }
spec:
  provider: velero.io/azure
  objectStorage: { bucket: ${c.azure!.container}, prefix: cluster-blob }
  config: { storageAccount: ${c.azure!.storageAccount}, storageAccountURI: "${c.azure!.endpoint}", resourceGroup: rg-unused }
  credential: { name: azure-credentials, key: cloud }
---
apiVersion: velero.io/v1
kind: BackupStorageLocation
metadata: { name: gcs, namespace: velero }
spec:
  provider: gcp
  objectStorage: { bucket: ${c.gcs!.bucket}, prefix: cluster-gcs }
  config: { storeEndpoint: "${c.gcs!.endpoint}" }
  credential: { name: gcp-credentials, key: cloud }
`,
  );
  await kubectl(['apply', '-f', join(work, 'clouds.yaml')]);
  const listed = (await velero(['backup-location', 'get'])).stdout;
  assert.match(listed, new RegExp(`\\nblob\\s+azure\\s+${c.azure!.container}/cluster-blob\\s`));
  assert.match(listed, new RegExp(`\\ngcs\\s+gcp\\s+${c.gcs!.bucket}/cluster-gcs\\s`));
  const azureKey = /^AZURE_STORAGE_ACCOUNT_ACCESS_KEY=(.*)$/m.exec(readFileSync(c.azure!.credentialsFile, 'utf8'))![1]!.trim();
  const gcpKey = (JSON.parse(readFileSync(c.gcs!.credentialsFile, 'utf8')) as { private_key: string }).private_key.split('\n')[1]!;
  for (const location of ['blob', 'gcs']) {
    const out = await velero(['backup', 'create', `in-${location}`, '--include-namespaces', 'shop', '--storage-location', location]);
    assert.match(out.stdout, new RegExp(`Backup "in-${location}" completed`));
    assert.match((await velero(['backup', 'get', '--storage-location', location])).stdout, new RegExp(`\\nin-${location}\\s+Completed`));
    await velero(['restore', 'create', `r-${location}`, '--from-backup', `in-${location}`, '--storage-location', location, '--namespace-mappings', `shop:shop-${location}`]);
    await kubectl(['get', 'configmap', 'prices', '-n', `shop-${location}`]);
    for (const text of [out.stdout, out.stderr]) {
      assert.not.ok(text.includes(azureKey) || text.includes(gcpKey), 'no secret reaches the terminal');
    }
  }
});

test.run();
