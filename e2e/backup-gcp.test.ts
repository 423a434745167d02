// Velero's `gcp` provider end to end: bin/kubectl-velero with a location on the harness's
// fake-gcs-server (a service-account key, storeEndpoint), as a user runs it — a backup and a restore
// into the emptied namespace that the fidelity report finds identical; a missing bucket, a broken key
// file and an unknown config key refused in one line, nothing written; and the emulator killed in the
// middle of the tarball's upload: the backup ends Failed, never Completed, and after a restart the
// next backup works.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually } from './fixtures/node-helpers.ts';
import { emptyWebApp, seedBulkConfigMaps, seedWebApp } from './fixtures/web-app.ts';
import { runCommand, startCommand } from './run-command.ts';
import { binaryPath } from '../hack/harness/build.ts';
import { downCluster, upCluster, type ClusterStatus } from '../hack/harness/cluster.ts';
import { fakeGcsArgs } from '../hack/harness/fake-gcs.ts';
import { COMPONENTS } from '../hack/harness/versions.ts';
import { GcsStore } from '../internal/storage/gcs-store.ts';
import { parseGcpCredentials } from '../internal/storage/providers/gcp.ts';

const CLUSTER = 'e2e-backup-gcp';
const plugin = join(import.meta.dirname, '..', 'bin', 'kubectl-velero');
let status: ClusterStatus;
let env: NodeJS.ProcessEnv;
let work: string;
let kc: KubeConfig;
let restarted: ChildProcess | undefined;

const gcs = () => status.gcs!;

const velero = (args: string[], expectCode = 0) => runCommand(plugin, args, env, expectCode);

/** Every key in the emulator's bucket, read with the same key the plugin uses. */
async function bucketKeys(prefix = ''): Promise<string[]> {
  const store = new GcsStore({ bucket: gcs().bucket, endpoint: gcs().endpoint, credentials: parseGcpCredentials(readFileSync(gcs().credentialsFile, 'utf8')).json });
  const keys: string[] = [];
  for await (const key of store.list(prefix)) keys.push(key);
  return keys;
}

test.before(async () => {
  status = await upCluster(CLUSTER);
  assert.ok(status.gcs, 'the local provider runs fake-gcs-server');
  work = mkdtempSync(join(tmpdir(), 'e2e-backup-gcp-'));
  env = { ...process.env, KUBECONFIG: status.kubeconfig, KUBECTL_VELERO_CONFIG: join(work, 'config.yaml'), NO_COLOR: '1' };
  // uvu sets FORCE_COLOR, and Node warns on stderr when both are set: stderr must hold only the error line.
  delete env.FORCE_COLOR;
  kc = new KubeConfig();
  kc.loadFromFile(status.kubeconfig);
  await seedWebApp(kc, 'web');
  await velero(['backup-location', 'create', 'g', '--provider', 'velero.io/gcp', '--bucket', gcs().bucket, '--config', `storeEndpoint=${gcs().endpoint}`, '--credential-file', gcs().credentialsFile, '--default']);
});

test.after(async () => {
  restarted?.kill('SIGKILL');
  await downCluster(CLUSTER);
  rmSync(work, { recursive: true, force: true });
});

test('back up a namespace to GCS, empty it, restore it: the fidelity report finds no difference', async () => {
  const out = await velero(['backup', 'create', 'web-1', '--include-namespaces', 'web']);
  assert.match(out.stdout, /Backup "web-1" completed/);
  const keys = await bucketKeys('backups/web-1/');
  assert.ok(keys.includes('backups/web-1/velero-backup.json') && keys.includes('backups/web-1/web-1.tar.gz'), String(keys));
  assert.match((await velero(['backup', 'get'])).stdout, /\nweb-1\s+Completed/);
  assert.match((await velero(['backup-location', 'get'])).stdout, /\bg\s+gcp\b/);

  await emptyWebApp(kc, 'web');
  const restore = await velero(['restore', 'create', 'r1', '--from-backup', 'web-1']);
  assert.match(restore.stdout, /Restore "r1" from backup "web-1" completed/);
  const cm = await kc.makeApiClient(CoreV1Api).readNamespacedConfigMap({ name: 'settings', namespace: 'web' });
  assert.equal(cm.data, { colour: 'blue', 'app.properties': 'a=1\nb=2\n' });
  const fidelity = await velero(['restore', 'describe', 'r1', '--fidelity']);
  assert.match(fidelity.stdout, /Fidelity: {2}\d+ objects checked, 0 missing, 0 different/);
  assert.ok((await bucketKeys('restores/r1/')).length > 0, 'the restore wrote its results to the location');
});

test('a missing bucket, a broken key file, an unknown config key: one line naming the location, nothing written', async () => {
  const before = await bucketKeys();
  const configBefore = readFileSync(join(work, 'config.yaml'), 'utf8');

  // The bucket is only looked at when the location is used.
  await velero(['backup-location', 'create', 'nob', '--provider', 'gcp', '--bucket', 'no-such-bucket', '--config', `storeEndpoint=${gcs().endpoint}`, '--credential-file', gcs().credentialsFile]);
  const nob = await velero(['backup', 'create', 'b-nob', '--include-namespaces', 'web', '--storage-location', 'nob'], 1);
  assert.match(nob.stderr, /^error: backup storage location "nob": [^\n]*bucket "no-such-bucket" does not exist \(gs:\/\/no-such-bucket\/ at http:\/\/127\.0\.0\.1:\d+\)[^\n]*\n$/);
  await velero(['backup-location', 'delete', 'nob', '--confirm']).catch(() => undefined);

  const key = JSON.parse(readFileSync(gcs().credentialsFile, 'utf8')) as Record<string, string>;
  const secretLine = key.private_key!.split('\n')[2]!;
  const broken = join(work, 'broken-key.json');
  writeFileSync(broken, JSON.stringify({ ...key, private_key: `${key.private_key!.slice(0, 400)}\n-----END PRIVATE KEY-----\n` }), { mode: 0o600 });
  const bad = await velero(['backup-location', 'create', 'bk', '--provider', 'gcp', '--bucket', gcs().bucket, '--config', `storeEndpoint=${gcs().endpoint}`, '--credential-file', broken], 1);
  assert.match(bad.stderr, /^error: backup storage location "bk": credentials file [^\n]*broken-key\.json: the service_account key's private_key is not a usable PEM private key\n$/);
  assert.not.ok(bad.stderr.includes(secretLine), 'the key is never quoted');
  writeFileSync(broken, '{"type": "service_account", "project_id": "p"', { mode: 0o600 });
  const notJson = await velero(['backup-location', 'create', 'bk', '--provider', 'gcp', '--bucket', gcs().bucket, '--credential-file', broken], 1);
  assert.match(notJson.stderr, /^error: backup storage location "bk": credentials file [^\n]*: not a Google Cloud credentials file: it is not JSON[^\n]*\n$/);

  const unknown = await velero(['backup-location', 'create', 'uk', '--provider', 'gcp', '--bucket', gcs().bucket, '--config', `storeEndpoint=${gcs().endpoint},region=europe-west1`, '--credential-file', gcs().credentialsFile], 1);
  assert.match(unknown.stderr, /^error: backup storage location "uk" \(provider gcp\): unknown config key "region"[^\n]*\n$/);

  assert.equal(await bucketKeys(), before, 'nothing was written to the bucket');
  const config = readFileSync(join(work, 'config.yaml'), 'utf8');
  assert.not.match(config, /\bbk:|\buk:/, 'no refused location was added');
  assert.ok(config.includes('g:') && configBefore.includes('g:'));
});

test('fake-gcs-server killed during the upload: the backup ends Failed, never Completed; after a restart the next backup works', async () => {
  await seedBulkConfigMaps(kc, 'bulk', 240);
  const dir = dirname(status.kubeconfig);
  const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { processes: { name: string; pid: number; log: string }[] };
  const server = state.processes.find((p) => p.name === 'fake-gcs-server')!;
  const logLength = readFileSync(server.log, 'utf8').length;

  const running = startCommand(plugin, ['backup', 'create', 'cut', '--include-namespaces', 'bulk'], env);
  // The tarball's resumable session was opened (the only resumable upload of a backup: the small
  // files go up in one request each) and its bytes are streaming in: kill now.
  const chunkTaken = /"POST \/upload\/(storage\/v1|resumable)\/b\/velero\/o\?[^"]*uploadType=resumable[^"]* HTTP\/1\.1\\?" 200/;
  const deadline = Date.now() + 60_000;
  while (!running.exited && Date.now() < deadline && !chunkTaken.test(readFileSync(server.log, 'utf8').slice(logLength))) await new Promise((r) => setTimeout(r, 20));
  assert.not.ok(running.exited, `the backup finished before fake-gcs-server was killed, so this test proves nothing: ${running.output}`);
  assert.ok(chunkTaken.test(readFileSync(server.log, 'utf8').slice(logLength)), 'no resumable upload session was seen');
  process.kill(server.pid, 'SIGKILL');
  const code = (await running.exit).code ?? 1;
  assert.is.not(code, 0, running.output);
  assert.match(running.output, /Failed/, running.output);
  assert.not.match(running.output, /completed/i, running.output);

  // The same server again on the same data and port; stopped by this test, whatever happens.
  restarted = spawn(binaryPath(COMPONENTS['fake-gcs-server']), fakeGcsArgs(dir, Number(new URL(gcs().endpoint).port)), { stdio: 'ignore', cwd: dir });
  await eventually('fake-gcs-server back', async () => (await fetch(`${gcs().endpoint}/storage/v1/b`)).ok, 60_000, 100);
  assert.not.ok((await bucketKeys('backups/cut/')).includes('backups/cut/velero-backup.json'), 'no velero-backup.json for the cut backup');
  assert.not.ok((await bucketKeys('backups/cut/')).includes('backups/cut/cut.tar.gz'), 'no half tarball');
  assert.not.match((await velero(['backup', 'get'])).stdout, /\ncut\s+Completed/, 'never listed Completed');

  const next = await velero(['backup', 'create', 'after-restart', '--include-namespaces', 'web']);
  assert.match(next.stdout, /Backup "after-restart" completed/);
  assert.ok((await bucketKeys('backups/after-restart/')).includes('backups/after-restart/velero-backup.json'));
  assert.ok(existsSync(join(dir, 'fake-gcs')), 'objects live under the cluster dir');
});

test.run();
