// The Azure provider against a real Azurite: the same contract the local directory and MinIO pass,
// plus the one-line errors for wrong credentials, a missing container and a store that is down.
// Only the emulator is started (through the harness's own module), not a whole cluster.
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { azuriteAccount, generateAccount, startAzurite } from '../hack/harness/azurite.ts';
import { freePorts } from '../hack/harness/ports.ts';
import { type StartedProcess, startProcess, stopProcesses } from '../hack/harness/processes.ts';
import type { AzureStatus } from '../hack/harness/types.ts';
import { AzureBlobStore, type AzureBlobStoreOptions } from '../internal/storage/azure-store.ts';
import { registerStoreContract } from '../internal/storage/store-contract.ts';

let dir = '';
let status: AzureStatus;
let key = '';
const processes: StartedProcess[] = [];
let run = 0;

const store = (overrides: Partial<AzureBlobStoreOptions> = {}) =>
  new AzureBlobStore({
    storageAccount: status.storageAccount,
    container: status.container,
    endpoint: status.endpoint,
    auth: { kind: 'sharedKey', accountKey: key },
    // Small blocks, so the 12 MiB contract case stages many of them with several in flight.
    blockSize: 256 * 1024,
    ...overrides,
  });

const az = suite('AzureBlobStore on Azurite');
az.before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kv-azurite-'));
  const { azurite } = await freePorts(['azurite'] as const);
  const account = generateAccount();
  ({ status } = await startAzurite(dir, azurite, (name, binary, args, env) => {
    const p = startProcess(dir, name, binary, args, env);
    processes.push(p);
    return p;
  }, account));
  key = azuriteAccount(status).key;
  assert.is(key, account.key);
  assert.is(statSync(status.credentialsFile).mode & 0o777, 0o600);
});
az.after(async () => {
  await stopProcesses(processes, dir);
  rmSync(dir, { recursive: true, force: true });
});

// Each contract case gets a fresh prefix, so they cannot see each other's keys.
registerStoreContract(az, () => store({ prefix: `contract/${run++}` }));

az('the default 1 MiB blocks: a stream round-trips, content type kept', async () => {
  const s = store({ prefix: 'blocks', blockSize: undefined });
  const body = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
  const { Readable } = await import('node:stream');
  await s.put('b/one', Readable.from([body.subarray(0, 1000), body.subarray(1000)]), { contentType: 'application/gzip' });
  const got: Buffer[] = [];
  for await (const c of await s.get('b/one')) got.push(c as Buffer);
  assert.ok(Buffer.concat(got).equals(body));
  const empty = store({ prefix: 'blocks' });
  await empty.put('b/empty', Readable.from([]));
  assert.is(await empty.exists('b/empty'), true);
  assert.is((await empty.getRange('b/empty', 0, 10)).length, 0);
});

az('wrong credentials: one line naming the location, no secret', async () => {
  const wrongKey = generateAccount().key;
  const bad = store({ auth: { kind: 'sharedKey', accountKey: wrongKey } });
  for (const attempt of [() => bad.put('x', 'y'), () => bad.exists('x'), () => bad.listCommonPrefixes('backups/')]) {
    const error = await attempt().then(() => undefined, (e: Error) => e);
    assert.ok(error, 'the call must fail');
    assert.match(error!.message, /rejected the credentials/);
    assert.ok(error!.message.includes(bad.describe()), error!.message);
    assert.not.ok(error!.message.includes(wrongKey));
    assert.not.ok(error!.message.includes(key));
    assert.not.ok(error!.message.includes('\n'), error!.message);
  }
});

az('a missing container says so', async () => {
  const missing = store({ container: 'no-such-container' });
  const error = await missing.put('x', 'y').then(() => undefined, (e: Error) => e);
  assert.match(error?.message ?? '', /container "no-such-container" does not exist/);
  const { Readable } = await import('node:stream');
  const streamError = await missing.put('x', Readable.from([Buffer.alloc(300_000)])).then(() => undefined, (e: Error) => e);
  assert.match(streamError?.message ?? '', /container "no-such-container" does not exist/);
  const listError = await missing.listCommonPrefixes('backups/').then(() => undefined, (e: Error) => e);
  assert.match(listError?.message ?? '', /does not exist/);
  const flatError = await (async () => {
    for await (const _ of missing.list('backups/')) void _;
  })().then(() => undefined, (e: Error) => e);
  assert.match(flatError?.message ?? '', /does not exist/);
  const existsError = await missing.exists('backups/x/velero-backup.json').then(() => undefined, (e: Error) => e);
  assert.match(existsError?.message ?? '', /does not exist/);
  const getError = await missing.get('backups/x/velero-backup.json').then(() => undefined, (e: Error) => e);
  assert.match(getError?.message ?? '', /does not exist/);
});

az('an unreachable endpoint says it cannot reach the store', async () => {
  const down = store({ endpoint: `http://127.0.0.1:1/${status.storageAccount}` });
  const error = await down.exists('x').then(() => undefined, (e: Error) => e);
  assert.match(error?.message ?? '', /cannot reach the object store azure:\/\//);
  assert.not.ok(error!.message.includes('\n'));
});

az.run();
