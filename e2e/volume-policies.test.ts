// Velero's volume policies (--resource-policies-configmap) on a real node with the harness's CSI
// driver: one pod uses two csi-hostpath claims; a ConfigMap in the Velero namespace skips the one
// labelled tier=cache and file-system-backs-up the other by class and size, with no annotation.
// The backup takes no VolumeSnapshot, a pod volume backup of the second claim only, and still
// holds both claims; the namespace deleted, the restore brings the second's files back and
// provisions the first anew, empty. A ConfigMap that does not exist stops the backup before
// anything is stored.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { downCluster, provider, type ClusterStatus } from '../hack/harness/cluster.ts';
import { imageRef } from '../hack/images-lib/recipes.ts';
import { kubectl } from './fixtures/node-helpers.ts';
import { pluginCli } from './fixtures/plugin-cli.ts';

const NAME = `vp-${process.pid}`;
const NS = 'vp';
const VELERO_NS = 'backup-ops';
const HELPER = ['--volume-helper-image', imageRef('tools')];
let c: ClusterStatus;
let work: string;
let env: NodeJS.ProcessEnv;

const velero = pluginCli(() => env, () => ['--kubeconfig', c.kubeconfig]);
const kc = (args: string[], opts: { input?: string; allowFail?: boolean; timeoutMs?: number } = {}) => kubectl(c.kubeconfig, args, opts);

const POLICY = `version: v1
volumePolicies:
- conditions:
    pvcLabels: { tier: cache }
  action:
    type: skip
- conditions:
    storageClass: [csi-hostpath]
    capacity: "0,1Gi"
  action:
    type: fs-backup
`;

const claim = (name: string, tier: string) => ({
  apiVersion: 'v1',
  kind: 'PersistentVolumeClaim',
  metadata: { name, namespace: NS, labels: { tier } },
  spec: { storageClassName: 'csi-hostpath', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '16Mi' } } },
});

/** One pod on both claims, each mounted at /<claim>. */
const CLAIMS = ['cache', 'files'];
const app = () => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'app', namespace: NS },
  spec: {
    terminationGracePeriodSeconds: 1,
    containers: [{ name: 'main', image: imageRef('tools'), imagePullPolicy: 'Never', command: ['sleep', '3600'], volumeMounts: CLAIMS.map((n) => ({ name: n, mountPath: `/${n}` })) }],
    volumes: CLAIMS.map((n) => ({ name: n, persistentVolumeClaim: { claimName: n } })),
  },
});

const read = async (path: string) => (await kc(['-n', NS, 'exec', 'app', '--', 'sh', '-c', `cat ${path} 2>/dev/null || echo absent`])).stdout.trim();

test.before(async () => {
  try {
    c = await provider().up(NAME, { node: true, csi: true });
  } catch (error) {
    console.error('a cluster with a CSI driver failed to start:', error);
    throw error;
  }
  work = mkdtempSync(join(tmpdir(), 'kv-vp-e2e-'));
  env = { ...process.env, KUBECTL_VELERO_CONFIG: join(work, 'config.yaml') };
  await velero(['backup-location', 'create', 'minio', '--provider', 'aws', '--bucket', c.minio.bucket, '--config', `region=${c.minio.region},s3Url=${c.minio.endpoint},s3ForcePathStyle=true`, '--credential-file', c.minio.credentialsFile, '--default']);
  await kc(['create', 'namespace', NS]);
  await kc(['create', 'namespace', VELERO_NS]);
  await kc(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [claim('cache', 'cache'), claim('files', 'data'), app()] }) });
  await kc(['-n', NS, 'wait', '--for=condition=Ready', 'pod/app', '--timeout=120s'], { timeoutMs: 130_000 });
  await kc(['-n', NS, 'exec', 'app', '--', 'sh', '-c', 'echo files-data > /files/file && echo cache-data > /cache/file && sync']);
  assert.equal([await read('/files/file'), await read('/cache/file')], ['files-data', 'cache-data']);
});

test.after(async () => {
  await downCluster(NAME);
  if (work) rmSync(work, { recursive: true, force: true });
});

test('a ConfigMap that does not exist: one line naming it, non-zero exit, nothing stored', async () => {
  const out = await velero(['backup', 'create', 'vp-missing', '--include-namespaces', NS, '--resource-policies-configmap', 'vol-policy', '-n', VELERO_NS], 1);
  assert.is(out.stderr, `error: resource policies ConfigMap ${VELERO_NS}/vol-policy not found (--resource-policies-configmap): create it in the Velero namespace (-n) first\n`);
  assert.not.match((await velero(['backup', 'get'])).stdout, /vp-missing/);
});

test('skip by pvcLabels, fs-backup by class and capacity: no VolumeSnapshot, one pod volume backup, both claims kept', async () => {
  await kc(['-n', VELERO_NS, 'create', 'configmap', 'vol-policy', `--from-literal=policy.yaml=${POLICY}`]);
  const out = await velero(['backup', 'create', 'vp-1', '--include-namespaces', NS, '--resource-policies-configmap', 'vol-policy', '-n', VELERO_NS]);
  assert.match(out.stdout, /Backup "vp-1" completed/);
  const logs = (await velero(['backup', 'logs', 'vp-1'])).stdout;
  assert.match(logs, /Volume policy: claim vp\/cache matched action skip/);
  assert.match(logs, /Volume policy: volume files of pod vp\/app matched action fs-backup/);
  assert.not.match(logs, /Created VolumeSnapshot/);
  assert.equal((await kc(['get', 'volumesnapshots', '-A', '-o', 'name'])).stdout.trim(), '');

  const described = (await velero(['backup', 'describe', 'vp-1', '--details'])).stdout;
  assert.match(described, /Resource policies:\n\s+Type:\s+configmap\n\s+Name:\s+vol-policy\n/);
  assert.match(described, /Pod Volume Backups - kubectl-velero:\n\s+Completed:\n\s+vp\/app: files \(size: \d+\)\n/);
  assert.match(described, /CSI Snapshots: <none included>/);
  // Skipped means no data taken, not the objects left out (Velero's rule).
  assert.match(described, /v1\/PersistentVolumeClaim:\n\s+- vp\/cache\n\s+- vp\/files\n/);
  const backup = JSON.parse((await velero(['backup', 'get', 'vp-1', '-o', 'json'])).stdout) as { metadata: { namespace: string }; spec: { resourcePolicy?: object } };
  assert.equal([backup.metadata.namespace, backup.spec.resourcePolicy], [VELERO_NS, { kind: 'configmap', name: 'vol-policy' }]);
});

test('restored: the fs-backed-up claim has its files back, the skipped one is provisioned anew, empty', async () => {
  await kc(['delete', 'namespace', NS, '--wait=true', '--timeout=120s'], { timeoutMs: 130_000 });
  const out = await velero(['restore', 'create', 'r-vp-1', '--from-backup', 'vp-1', ...HELPER]);
  assert.match(out.stdout, /Restore "r-vp-1" from backup "vp-1" completed/);
  await kc(['-n', NS, 'wait', '--for=condition=Ready', 'pod/app', '--timeout=120s'], { timeoutMs: 130_000 });
  assert.is(await read('/files/file'), 'files-data');
  assert.is(await read('/cache/file'), 'absent');
});

test.run();
