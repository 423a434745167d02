// Smoke test of the local harness: two real clusters with their own MinIO side by side, used
// through the same clients the plugin uses, and nothing left running after `down`.
import { readFileSync } from 'node:fs';
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { clusterStatus, downCluster, upCluster, type ClusterStatus } from '../hack/harness/cluster.ts';
import { minioClient } from '../hack/harness/minio.ts';
import { isRunning } from '../hack/harness/processes.ts';

const names = ['smoke-a', 'smoke-b'] as const;
const clusters = new Map<string, ClusterStatus>();

function coreApi(status: ClusterStatus): CoreV1Api {
  const kc = new KubeConfig();
  kc.loadFromFile(status.kubeconfig);
  return kc.makeApiClient(CoreV1Api);
}

function credentials(status: ClusterStatus) {
  const text = readFileSync(status.minio.credentialsFile, 'utf8');
  const read = (key: string) => new RegExp(`^${key}=(.*)$`, 'm').exec(text)?.[1] ?? '';
  return { accessKey: read('aws_access_key_id'), secretKey: read('aws_secret_access_key') };
}

function pidsOf(dir: string): number[] {
  const state = JSON.parse(readFileSync(`${dir}/state.json`, 'utf8')) as { processes: { pid: number }[] };
  return state.processes.map((p) => p.pid);
}

test.before(async () => {
  // Started one after the other: both run at once afterwards, on different ports and data dirs.
  for (const name of names) clusters.set(name, await upCluster(name));
});

test.after(async () => {
  for (const name of names) await downCluster(name);
});

test('each cluster answers on its own API server and MinIO', () => {
  const [a, b] = names.map((n) => clusters.get(n)!);
  assert.ok(a && b);
  assert.is.not(a.apiServer, b.apiServer);
  assert.is.not(a.minio.endpoint, b.minio.endpoint);
  assert.is.not(a.kubeconfig, b.kubeconfig);
  assert.is(a.kubernetesVersion, 'v1.35.4');
});

test('a namespace and a ConfigMap round-trip through the API server, and stay in their cluster', async () => {
  const [a, b] = names.map((n) => coreApi(clusters.get(n)!));
  await a!.createNamespace({ body: { metadata: { name: 'smoke' } } });
  await a!.createNamespacedConfigMap({ namespace: 'smoke', body: { metadata: { name: 'hello' }, data: { greeting: 'hi from a' } } });
  const cm = await a!.readNamespacedConfigMap({ name: 'hello', namespace: 'smoke' });
  assert.is(cm.data?.greeting, 'hi from a');
  const inB = await b!.listNamespace();
  assert.not.ok(inB.items.some((ns) => ns.metadata?.name === 'smoke'), 'cluster b must not see cluster a\'s namespace');
});

test('the controller manager runs: the default service account exists in a new namespace', async () => {
  const api = coreApi(clusters.get('smoke-a')!);
  await api.createNamespace({ body: { metadata: { name: 'smoke-sa' } } });
  const deadline = Date.now() + 30_000;
  for (;;) {
    const sas = await api.listNamespacedServiceAccount({ namespace: 'smoke-sa' });
    if (sas.items.some((sa) => sa.metadata?.name === 'default')) break;
    if (Date.now() > deadline) assert.unreachable('no default service account after 30 s');
    await new Promise((r) => setTimeout(r, 250));
  }
});

test('an object written to MinIO reads back, with the generated credentials', async () => {
  for (const name of names) {
    const status = clusters.get(name)!;
    const client = minioClient(status.minio.endpoint, credentials(status), status.minio.region);
    await client.putObject(status.minio.bucket, 'smoke/hello.txt', Buffer.from(`hello ${name}`));
    const stream = await client.getObject(status.minio.bucket, 'smoke/hello.txt');
    let body = '';
    for await (const chunk of stream) body += String(chunk);
    assert.is(body, `hello ${name}`);
  }
});

test('wrong MinIO credentials are refused', async () => {
  const status = clusters.get('smoke-a')!;
  const client = minioClient(status.minio.endpoint, { accessKey: 'nobody', secretKey: 'wrong-secret-key' }, status.minio.region);
  try {
    await client.putObject(status.minio.bucket, 'smoke/nope.txt', Buffer.from('x'));
    assert.unreachable('the write should have been refused');
  } catch (error) {
    assert.match(String((error as Error).message), /access key|InvalidAccessKeyId|denied/i);
  }
});

test('down stops every process of one cluster and leaves the other running', async () => {
  const a = clusters.get('smoke-a')!;
  const dir = a.kubeconfig.replace(/\/kubeconfig$/, '');
  const pids = pidsOf(dir);
  assert.ok(pids.length >= 5, `expected 5 processes, got ${pids.length}`);
  await downCluster('smoke-a');
  for (const pid of pids) assert.not.ok(isRunning(pid), `process ${pid} still runs`);
  assert.is(await clusterStatus('smoke-a'), undefined);
  assert.ok(await clusterStatus('smoke-b'), 'cluster b must still run');
  const nsInB = await coreApi(clusters.get('smoke-b')!).listNamespace();
  assert.ok(nsInB.items.length >= 4);
});

test.run();
