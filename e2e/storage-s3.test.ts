// The S3 provider against a real MinIO: the same contract the local directory passes, plus the
// one-line errors for wrong credentials, a missing bucket and a store that is down.
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { downCluster, upCluster, type ClusterStatus } from '../hack/harness/cluster.ts';
import { readCredentialsFile } from '../internal/storage/providers/aws-credentials.ts';
import { S3Store } from '../internal/storage/s3-store.ts';
import { registerStoreContract } from '../internal/storage/store-contract.ts';

const CLUSTER = 'storage-s3';
let status: ClusterStatus;
const prefixes = ['contract-a', 'contract-b'];
let run = 0;

const store = (overrides: Partial<ConstructorParameters<typeof S3Store>[0]> = {}) =>
  new S3Store({
    bucket: status.minio.bucket,
    region: status.minio.region,
    endpoint: status.minio.endpoint,
    forcePathStyle: true,
    credentials: readCredentialsFile(status.minio.credentialsFile),
    partSize: 5 * 1024 * 1024,
    ...overrides,
  });

const s3 = suite('S3Store on MinIO');
s3.before(async () => {
  status = await upCluster(CLUSTER);
});
s3.after(async () => {
  await downCluster(CLUSTER);
});

// Each contract case gets a fresh prefix, so they cannot see each other's keys.
registerStoreContract(s3, () => store({ prefix: `${prefixes[0]}/${run++}` }));

s3('wrong credentials: one line naming the location, no secret', async () => {
  const bad = store({ credentials: { accessKeyId: 'nobody', secretAccessKey: 'not-the-secret-123' } });
  const error = await bad.put('x', 'y').then(() => undefined, (e: Error) => e);
  assert.ok(error, 'the write must fail');
  assert.match(error!.message, /rejected the credentials/);
  assert.not.match(error!.message, /not-the-secret-123/);
  assert.not.ok(error!.message.includes('\n'));
});

s3('a missing bucket says so', async () => {
  const error = await store({ bucket: 'no-such-bucket' }).put('x', 'y').then(() => undefined, (e: Error) => e);
  assert.match(error?.message ?? '', /bucket "no-such-bucket" does not exist/);
  const listError = await store({ bucket: 'no-such-bucket' }).listCommonPrefixes('backups/').then(() => undefined, (e: Error) => e);
  assert.match(listError?.message ?? '', /does not exist/);
  const existsError = await store({ bucket: 'no-such-bucket' }).exists('backups/x/velero-backup.json').then(() => undefined, (e: Error) => e);
  assert.match(existsError?.message ?? '', /does not exist/);
});

s3('an unreachable endpoint says it cannot reach the store', async () => {
  const error = await store({ endpoint: 'http://127.0.0.1:1' }).exists('x').then(() => undefined, (e: Error) => e);
  assert.match(error?.message ?? '', /cannot reach the object store/);
});

s3.run();
