// Secrets never reach what we print or store as text. Known values are planted — a Secret's data,
// the storage location's credentials, an encryption key, a cluster BackupStorageLocation's Secret,
// and a wrong secret key in a location that fails — and everything a user sees or the plugin
// stores in text is scanned for each of them, raw and base64: terminal output with and without
// --verbose, backup and restore logs, describe pages, results and resource lists, error messages,
// and the harness's own logs. (The backup tarball holds the Secret, as a backup must.)
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { downCluster, upCluster, type ClusterStatus } from '../hack/harness/cluster.ts';
import { minioClient } from '../hack/harness/minio.ts';
import { repoRoot } from '../hack/harness/paths.ts';
import { runCommand } from './run-command.ts';

const plugin = join(repoRoot, 'bin', 'kubectl-velero');
const NAME = `secrets-${process.pid}`;
let c: ClusterStatus;
let work: string;
let env: NodeJS.ProcessEnv;
const planted = new Map<string, string>();
/** Everything we printed, by the command that printed it. */
const printed: { what: string; text: string }[] = [];

async function run(cmd: string, args: string[], code = 0) {
  const r = await runCommand(cmd, args, env, code);
  if (cmd === plugin) printed.push({ what: `kubectl velero ${args.join(' ')}`, text: r.stdout + r.stderr });
  return r;
}
const velero = (args: string[], code = 0) => run(plugin, [...args, '--kubeconfig', c.kubeconfig], code);
const kubectl = (args: string[]) => run('kubectl', ['--kubeconfig', c.kubeconfig, ...args]);

function plant(label: string, value: string): string {
  planted.set(label, value);
  return value;
}

/** Which planted values (raw or base64) a text contains. */
function leaks(text: string): string[] {
  const found: string[] = [];
  for (const [label, value] of planted) {
    if (text.includes(value)) found.push(`${label} (raw)`);
    if (text.includes(Buffer.from(value).toString('base64'))) found.push(`${label} (base64)`);
  }
  return found;
}

// uvu does not print a failing before hook's error: say it here.
test.before(async () => {
  try {
    await setup();
  } catch (error) {
    console.error('secrets e2e: setup failed:', error);
    throw error;
  }
});

async function setup(): Promise<void> {
  c = await upCluster(NAME);
  work = mkdtempSync(join(tmpdir(), 'kv-secrets-e2e-'));
  env = { ...process.env, KUBECTL_VELERO_CONFIG: join(work, 'config.yaml'), XDG_DATA_HOME: join(work, 'data') };
  const credentials = readFileSync(c.minio.credentialsFile, 'utf8');
  plant('the location\'s access key', /aws_access_key_id\s*=\s*(\S+)/.exec(credentials)![1]!);
  plant('the location\'s secret key', /aws_secret_access_key\s*=\s*(\S+)/.exec(credentials)![1]!);
  writeFileSync(join(work, 'key'), plant('the encryption key', 'planted-encryption-passphrase-5f1c9a'));
  writeFileSync(join(work, 'wrong'), `[default]\naws_access_key_id=${plant('a wrong access key', 'PLANTEDWRONGKEY42')}\naws_secret_access_key=${plant('a wrong secret key', 'planted-wrong-secret-e8d1b7c3')}\n`);
  await run(plugin, ['backup-location', 'create', 'minio', '--provider', 'aws', '--bucket', c.minio.bucket, '--config', `region=${c.minio.region},s3Url=${c.minio.endpoint},s3ForcePathStyle=true`, '--credential-file', c.minio.credentialsFile, '--default']);
  await run(plugin, ['backup-location', 'create', 'wrong', '--provider', 'aws', '--bucket', c.minio.bucket, '--config', `region=${c.minio.region},s3Url=${c.minio.endpoint},s3ForcePathStyle=true`, '--credential-file', join(work, 'wrong')]);
  // A cluster BackupStorageLocation whose Secret holds the credentials.
  await kubectl(['apply', '-f', join(repoRoot, 'e2e', 'fixtures', 'velero-bsl-crd.yaml')]);
  await kubectl(['wait', '--for=condition=Established', 'crd/backupstoragelocations.velero.io']);
  await kubectl(['create', 'namespace', 'velero']);
  writeFileSync(join(work, 'cloud'), credentials);
  await kubectl(['create', 'secret', 'generic', 'cloud-credentials', '-n', 'velero', `--from-file=cloud=${join(work, 'cloud')}`]);
  writeFileSync(join(work, 'bsl.yaml'), `apiVersion: velero.io/v1\nkind: BackupStorageLocation\nmetadata: { name: in-cluster, namespace: velero }\nspec:\n  provider: aws\n  objectStorage: { bucket: ${c.minio.bucket}, prefix: in-cluster }\n  config: { region: ${c.minio.region}, s3Url: "${c.minio.endpoint}", s3ForcePathStyle: "true" }\n  credential: { name: cloud-credentials, key: cloud }\n`);
  await kubectl(['apply', '-f', join(work, 'bsl.yaml')]);
  await kubectl(['create', 'namespace', 'shop']);
  await kubectl(['create', 'secret', 'generic', 'db', '-n', 'shop', `--from-literal=password=${plant('the Secret\'s data', 'planted-db-password-3b9e41')}`]);
  await kubectl(['create', 'configmap', 'prices', '-n', 'shop', '--from-literal=apple=1']);
}

test.after(async () => {
  await downCluster(NAME);
  rmSync(work, { recursive: true, force: true });
});

test('backups, restores, describes, logs and failures print no planted secret', async () => {
  await velero(['backup', 'create', 'b1', '--include-namespaces', 'shop', '--encryption-key-file', join(work, 'key')]);
  await velero(['backup', 'create', 'b2', '--include-namespaces', 'shop', '--verbose']);
  await velero(['backup', 'create', 'b3', '--include-namespaces', 'shop', '--storage-location', 'in-cluster', '--verbose']);
  for (const b of ['b1', 'b2']) {
    await velero(['backup', 'describe', b, '--details']);
    await velero(['backup', 'logs', b]);
    await velero(['backup', 'get', b, '-o', 'yaml']);
  }
  await velero(['backup-location', 'get', '-o', 'yaml']);
  await velero(['backup-location', 'get']);
  // The Secret changed since the backup: the restore and the fidelity report say it differs without saying how.
  await kubectl(['delete', 'secret', 'db', '-n', 'shop']);
  await kubectl(['create', 'secret', 'generic', 'db', '-n', 'shop', `--from-literal=password=${plant('a live secret', 'planted-live-password-77aa01')}`]);
  await velero(['restore', 'create', 'r1', '--from-backup', 'b1', '--encryption-key-file', join(work, 'key'), '--verbose']);
  await velero(['restore', 'create', 'r2', '--from-backup', 'b2', '--dry-run']);
  await velero(['restore', 'describe', 'r1', '--details']);
  await run(plugin, ['restore', 'describe', 'r1', '--fidelity', '--kubeconfig', c.kubeconfig], 1);
  await velero(['restore', 'logs', 'r1']);
  // Failures: wrong credentials, with and without --verbose.
  await velero(['backup', 'create', 'b4', '--include-namespaces', 'shop', '--storage-location', 'wrong'], 1);
  await velero(['backup', 'create', 'b5', '--include-namespaces', 'shop', '--storage-location', 'wrong', '--verbose'], 1);
  await velero(['backup', 'get', '--storage-location', 'wrong'], 1);
  for (const p of printed) assert.equal(leaks(p.text), [], `${p.what} printed a secret`);
});

test('what the plugin stores as text (logs, results, resource lists, records) holds no planted secret; nor do the harness logs', async () => {
  const text = readFileSync(c.minio.credentialsFile, 'utf8');
  const read = (k: string) => new RegExp(`^${k}=(.*)$`, 'm').exec(text)?.[1] ?? '';
  const client = minioClient(c.minio.endpoint, { accessKey: read('aws_access_key_id'), secretKey: read('aws_secret_access_key') }, c.minio.region);
  let scanned = 0;
  for await (const o of client.listObjectsV2(c.minio.bucket, '', true)) {
    if (!o.name || o.name.endsWith('.tar.gz')) continue;
    const chunks: Buffer[] = [];
    for await (const chunk of await client.getObject(c.minio.bucket, o.name)) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const content = o.name.endsWith('.gz') ? gunzipSync(body).toString('utf8') : body.toString('utf8');
    assert.equal(leaks(content), [], `${o.name} holds a secret`);
    scanned++;
  }
  assert.ok(scanned >= 10, `${scanned} objects scanned`);
  const logs = c.logsDir;
  for (const file of readdirSync(logs)) assert.equal(leaks(readFileSync(join(logs, file), 'utf8')), [], `harness log ${file} holds a secret`);
});

test.run();
