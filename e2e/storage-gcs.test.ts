// The gcp provider's store against a real fake-gcs-server (the harness's GCS emulator): the same
// contract the local directory and MinIO pass, plus the one-line errors for a missing bucket, a store
// that is down and a broken key file. The emulator checks no credentials, so wrong credentials are
// covered by the unit tests (gcs-store.test.ts), not here.
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { downCluster, upCluster, type ClusterStatus } from '../hack/harness/cluster.ts';
import { GcsStore, type GcsStoreOptions } from '../internal/storage/gcs-store.ts';
import { parseGcpCredentials } from '../internal/storage/providers/gcp.ts';
import { LocationSpecError, openStore } from '../internal/storage/providers/registry.ts';
import { registerStoreContract } from '../internal/storage/store-contract.ts';

const CLUSTER = 'storage-gcs';
let status: ClusterStatus;
let run = 0;

const gcs = () => status.gcs!;
const store = (overrides: Partial<GcsStoreOptions> = {}) =>
  new GcsStore({
    bucket: gcs().bucket,
    endpoint: gcs().endpoint,
    credentials: parseGcpCredentials(readFileSync(gcs().credentialsFile, 'utf8')).json,
    // The smallest chunk GCS takes, so the contract's 12 MiB stream is a many-chunk resumable upload.
    chunkSize: 256 * 1024,
    ...overrides,
  });

const s = suite('GcsStore on fake-gcs-server');
s.before(async () => {
  status = await upCluster(CLUSTER);
  assert.ok(status.gcs, 'the local provider runs fake-gcs-server');
});
s.after(async () => {
  await downCluster(CLUSTER);
});

// Each contract case gets a fresh prefix, so they cannot see each other's keys.
registerStoreContract(s, () => store({ prefix: `contract/${run++}` }));

s('the harness key file is a private service-account key', () => {
  assert.is(statSync(gcs().credentialsFile).mode & 0o777, 0o600);
  assert.is(parseGcpCredentials(readFileSync(gcs().credentialsFile, 'utf8')).type, 'service_account');
});

s('a stream larger than a chunk: nothing is visible until the last chunk, then all of it', async () => {
  const st = store({ prefix: `chunks/${run++}` });
  let seenMidway: boolean | undefined;
  async function* body() {
    for (let i = 0; i < 4; i++) yield Buffer.alloc(200 * 1024, i + 1);
    seenMidway = await st.exists('blob');
    for (let i = 4; i < 8; i++) yield Buffer.alloc(200 * 1024, i + 1);
  }
  await st.put('blob', Readable.from(body()));
  assert.is(seenMidway, false, 'the object appeared before the upload was finalised');
  const all = await st.getRange('blob', 0, 2 * 1024 * 1024);
  assert.is(all.length, 8 * 200 * 1024);
  assert.is(all[0], 1);
  assert.is(all.at(-1), 8);
});

s('an empty stream and an empty buffer make empty objects', async () => {
  const st = store({ prefix: `empty/${run++}` });
  await st.put('stream', Readable.from([]));
  await st.put('buffer', Buffer.alloc(0));
  for (const key of ['stream', 'buffer']) {
    assert.is(await st.exists(key), true, key);
    let size = 0;
    for await (const chunk of await st.get(key)) size += (chunk as Buffer).length;
    assert.is(size, 0, key);
  }
});

s('list pages through more keys than one page holds', async () => {
  const st = store({ prefix: `paged/${run++}` });
  const keys = Array.from({ length: 1005 }, (_, i) => `k/${String(i).padStart(4, '0')}`);
  for (let i = 0; i < keys.length; i += 50) await Promise.all(keys.slice(i, i + 50).map((k) => st.put(k, 'x')));
  const listed: string[] = [];
  for await (const k of st.list('k/')) listed.push(k);
  assert.equal(listed, keys);
});

s('a missing bucket says so, for writes, lists, exists and reads', async () => {
  const nob = store({ bucket: 'no-such-bucket' });
  for (const [what, op] of [
    ['put', () => nob.put('x', 'y')],
    ['stream put', () => nob.put('x', Readable.from([Buffer.from('y')]))],
    ['listCommonPrefixes', () => nob.listCommonPrefixes('backups/')],
    ['exists', () => nob.exists('backups/x/velero-backup.json')],
    ['get', () => nob.get('backups/x/velero-backup.json')],
    ['delete', () => nob.delete('backups/x/velero-backup.json')],
  ] as const) {
    const error = await (op as () => Promise<unknown>)().then(() => undefined, (e: Error) => e);
    assert.ok(error, `${what} must fail`);
    assert.is(error!.message, `bucket "no-such-bucket" does not exist (gs://no-such-bucket/ at ${gcs().endpoint})`, what);
  }
});

s('an unreachable endpoint says it cannot reach the store', async () => {
  const error = await store({ endpoint: 'http://127.0.0.1:1' }).exists('x').then(() => undefined, (e: Error) => e);
  assert.match(error?.message ?? '', /^cannot reach the object store gs:\/\/velero\/ at http:\/\/127\.0\.0\.1:1 \(ECONNREFUSED\) while trying to check x$/);
});

s('a broken key file: one line naming the location and the file, never its content', async () => {
  const text = readFileSync(gcs().credentialsFile, 'utf8');
  const key = JSON.parse(text) as { private_key: string };
  const secret = key.private_key.split('\n')[3]!;
  const file = join(dirname(gcs().credentialsFile), 'broken-key.json');
  const spec = { provider: 'gcp', bucket: gcs().bucket, config: { storeEndpoint: gcs().endpoint } };
  for (const broken of [text.slice(0, text.length / 2), JSON.stringify({ ...key, private_key: `${key.private_key.slice(0, key.private_key.length / 2)}\n-----END PRIVATE KEY-----\n` }), '{"type": "service_account"}']) {
    writeFileSync(file, broken, { mode: 0o600 });
    const error = await openStore('g', spec, { kind: 'file', path: file }).then(() => undefined, (e: Error) => e);
    assert.instance(error, LocationSpecError);
    assert.match(error!.message, new RegExp(`^backup storage location "g": credentials file ${file}: `));
    assert.not.ok(error!.message.includes('\n'));
    assert.not.ok(error!.message.includes(secret), 'the key is not quoted');
  }
});

s.run();
