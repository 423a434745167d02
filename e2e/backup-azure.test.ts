// Velero's `azure` provider end to end: bin/kubectl-velero with a location on the harness's Azurite
// (the account key in Velero's credentials file, storageAccountURI), as a user runs it — a backup and
// a restore into the emptied namespace that the fidelity report finds identical; wrong credentials,
// a missing container and an unknown config key refused in one line, nothing written; and Azurite
// killed in the middle of the tarball's upload: the backup ends Failed, never Completed, no blob is
// left of the tarball, and after a restart the next backup works.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { eventually } from './fixtures/node-helpers.ts';
import { emptyWebApp, seedBulkConfigMaps, seedWebApp } from './fixtures/web-app.ts';
import { runCommand, startCommand } from './run-command.ts';
import { azuriteAccount, azuriteCommand, azuriteService, generateAccount } from '../hack/harness/azurite.ts';
import { downCluster, upCluster, type ClusterStatus } from '../hack/harness/cluster.ts';
import { AzureBlobStore } from '../internal/storage/azure-store.ts';

const CLUSTER = 'e2e-backup-azure';
const plugin = join(import.meta.dirname, '..', 'bin', 'kubectl-velero');
let status: ClusterStatus;
let env: NodeJS.ProcessEnv;
let work: string;
let kc: KubeConfig;
let restarted: ChildProcess | undefined;

const az = () => status.azure!;

const velero = (args: string[], expectCode = 0) => runCommand(plugin, args, env, expectCode);

/** Every blob in the emulator's container, read with the key the plugin uses. */
async function blobs(prefix = ''): Promise<string[]> {
  const store = new AzureBlobStore({ storageAccount: az().storageAccount, container: az().container, endpoint: az().endpoint, auth: { kind: 'sharedKey', accountKey: azuriteAccount(az()).key } });
  const keys: string[] = [];
  for await (const key of store.list(prefix)) keys.push(key);
  return keys;
}

const locationConfig = () => `storageAccount=${az().storageAccount},storageAccountURI=${az().endpoint}`;

test.before(async () => {
  status = await upCluster(CLUSTER);
  assert.ok(status.azure, 'the local provider runs Azurite');
  work = mkdtempSync(join(tmpdir(), 'e2e-backup-azure-'));
  env = { ...process.env, KUBECONFIG: status.kubeconfig, KUBECTL_VELERO_CONFIG: join(work, 'config.yaml'), NO_COLOR: '1' };
  // uvu sets FORCE_COLOR, and Node warns on stderr when both are set: stderr must hold only the error line.
  delete env.FORCE_COLOR;
  kc = new KubeConfig();
  kc.loadFromFile(status.kubeconfig);
  await seedWebApp(kc, 'web');
  await velero(['backup-location', 'create', 'az', '--provider', 'azure', '--bucket', az().container, '--config', locationConfig(), '--credential-file', az().credentialsFile, '--default']);
});

test.after(async () => {
  restarted?.kill('SIGKILL');
  await downCluster(CLUSTER);
  rmSync(work, { recursive: true, force: true });
});

test('back up a namespace to Azure Blob Storage, empty it, restore it: the fidelity report finds no difference', async () => {
  const out = await velero(['backup', 'create', 'web-1', '--include-namespaces', 'web']);
  assert.match(out.stdout, /Backup "web-1" completed/);
  const keys = await blobs('backups/web-1/');
  assert.ok(keys.includes('backups/web-1/velero-backup.json') && keys.includes('backups/web-1/web-1.tar.gz'), String(keys));
  assert.match((await velero(['backup', 'get'])).stdout, /\nweb-1\s+Completed/);
  assert.match((await velero(['backup-location', 'get'])).stdout, /\baz\s+azure\b/);

  await emptyWebApp(kc, 'web');
  const restore = await velero(['restore', 'create', 'r1', '--from-backup', 'web-1']);
  assert.match(restore.stdout, /Restore "r1" from backup "web-1" completed/);
  const cm = await kc.makeApiClient(CoreV1Api).readNamespacedConfigMap({ name: 'settings', namespace: 'web' });
  assert.equal(cm.data, { colour: 'blue', 'app.properties': 'a=1\nb=2\n' });
  const fidelity = await velero(['restore', 'describe', 'r1', '--fidelity']);
  assert.match(fidelity.stdout, /Fidelity: {2}\d+ objects checked, 0 missing, 0 different/);
  assert.ok((await blobs('restores/r1/')).length > 0, 'the restore wrote its results to the location');
});

test('wrong credentials, a missing container, an unknown config key: one line naming the location, nothing written', async () => {
  const before = await blobs();
  const { key } = azuriteAccount(az());
  const where = (container: string) => `azure://${az().storageAccount}/${container}/ at ${az().endpoint}`;

  // A key of the right shape that is not the account's: refused when the location is used.
  const wrongKey = generateAccount().key;
  const wrong = join(work, 'wrong-credentials');
  writeFileSync(wrong, `AZURE_STORAGE_ACCOUNT_ACCESS_KEY=${wrongKey}\nAZURE_CLOUD_NAME=AzurePublicCloud\n`, { mode: 0o600 });
  await velero(['backup-location', 'create', 'wrong', '--provider', 'azure', '--bucket', az().container, '--config', locationConfig(), '--credential-file', wrong]);
  const denied = await velero(['backup', 'create', 'b-wrong', '--include-namespaces', 'web', '--storage-location', 'wrong'], 1);
  assert.match(denied.stderr, /^error: backup storage location "wrong": [^\n]*rejected the credentials[^\n]*\n$/, denied.stderr);
  assert.ok(denied.stderr.includes(where(az().container)), denied.stderr);
  assert.not.ok(denied.stderr.includes(wrongKey) || denied.stderr.includes(key), 'no key is ever printed');

  // The container is only looked at when the location is used.
  await velero(['backup-location', 'create', 'nocontainer', '--provider', 'azure', '--bucket', 'no-such-container', '--config', locationConfig(), '--credential-file', az().credentialsFile]);
  const missing = await velero(['backup', 'create', 'b-missing', '--include-namespaces', 'web', '--storage-location', 'nocontainer'], 1);
  assert.match(missing.stderr, /^error: backup storage location "nocontainer": [^\n]*container "no-such-container" does not exist[^\n]*\n$/, missing.stderr);
  assert.ok(missing.stderr.includes(where('no-such-container')), missing.stderr);

  const unknown = await velero(['backup-location', 'create', 'uk', '--provider', 'azure', '--bucket', az().container, '--config', `${locationConfig()},region=westeurope`, '--credential-file', az().credentialsFile], 1);
  assert.match(unknown.stderr, /^error: backup storage location "uk" \(provider azure\): unknown config key "region"[^\n]*\n$/);
  const noAccount = await velero(['backup-location', 'create', 'na', '--provider', 'azure', '--bucket', az().container, '--credential-file', az().credentialsFile], 1);
  assert.match(noAccount.stderr, /^error: backup storage location "na" \(provider azure\): config key storageAccount is required[^\n]*\n$/);
  // Velero would list the account's keys through Azure Resource Manager here; we say what to do instead.
  const noKey = join(work, 'no-key-credentials');
  writeFileSync(noKey, 'AZURE_SUBSCRIPTION_ID=00000000-0000-0000-0000-000000000000\nAZURE_RESOURCE_GROUP=rg\n', { mode: 0o600 });
  const arm = await velero(['backup-location', 'create', 'arm', '--provider', 'azure', '--bucket', az().container, '--config', locationConfig(), '--credential-file', noKey], 1);
  assert.match(arm.stderr, /^error: backup storage location "arm": credentials file [^\n]*no-key-credentials: [^\n]*Azure Resource Manager is not supported: put AZURE_STORAGE_ACCOUNT_ACCESS_KEY in the credentials file, or set useAAD=true[^\n]*\n$/);

  assert.equal(await blobs(), before, 'nothing was written to the container');
  const config = readFileSync(join(work, 'config.yaml'), 'utf8');
  assert.not.match(config, /\buk:|\bna:|\barm:/, 'no refused location was added');
  await velero(['backup-location', 'delete', 'wrong', '--confirm']).catch(() => undefined);
  await velero(['backup-location', 'delete', 'nocontainer', '--confirm']).catch(() => undefined);
});

test('Azurite killed during the upload: the backup ends Failed, never Completed; after a restart the next backup works', async () => {
  await seedBulkConfigMaps(kc, 'bulk', 240);
  const dir = dirname(status.kubeconfig);
  const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8')) as { processes: { name: string; pid: number; log: string }[] };
  const azurite = state.processes.find((p) => p.name === 'azurite')!;
  const account = azuriteAccount(az());
  const tarball = azuriteService(az().endpoint, account).getContainerClient(az().container).getBlockBlobClient('backups/cut/cut.tar.gz');

  const running = startCommand(plugin, ['backup', 'create', 'cut', '--include-namespaces', 'bulk'], env);
  // Blocks of the tarball are staged and the list is not committed yet: kill now.
  const staging = async () => ((await tarball.getBlockList('uncommitted')).uncommittedBlocks?.length ?? 0) >= 2;
  const deadline = Date.now() + 60_000;
  while (!running.exited && Date.now() < deadline && !(await staging().catch(() => false))) await new Promise((r) => setTimeout(r, 20));
  assert.not.ok(running.exited, `the backup finished before Azurite was killed, so this test proves nothing: ${running.output}`);
  assert.ok(await staging(), 'no block upload in progress was seen');
  process.kill(azurite.pid, 'SIGKILL');
  const code = (await running.exit).code ?? 1;
  assert.is.not(code, 0, running.output);
  assert.match(running.output, /Failed/, running.output);
  assert.not.match(running.output, /completed/i, running.output);

  // The same emulator again on the same data, port and account; stopped by this test, whatever happens.
  const port = Number(new URL(az().endpoint).port);
  const command = azuriteCommand(dir, port, account);
  restarted = spawn(command.binary, command.args, { stdio: 'ignore', cwd: dir, env: { ...process.env, ...command.env } });
  await eventually('Azurite back', async () => {
    await azuriteService(az().endpoint, account).getProperties();
    return true;
  }, 60_000, 100);
  const cut = await blobs('backups/cut/');
  assert.not.ok(cut.includes('backups/cut/velero-backup.json'), 'no velero-backup.json for the cut backup');
  assert.not.ok(cut.includes('backups/cut/cut.tar.gz'), 'no half tarball: uncommitted blocks are not a blob');
  assert.not.match((await velero(['backup', 'get'])).stdout, /\ncut\s+Completed/, 'never listed Completed');

  const next = await velero(['backup', 'create', 'after-restart', '--include-namespaces', 'web']);
  assert.match(next.stdout, /Backup "after-restart" completed/);
  assert.ok((await blobs('backups/after-restart/')).includes('backups/after-restart/velero-backup.json'));
});

test.run();
