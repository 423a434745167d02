// `hack/cluster up --csi`: a local cluster with a node gets a working CSI driver with volume
// snapshots (our host-path driver, the upstream csi-provisioner, csi-snapshotter and
// snapshot-controller). A PVC on csi-hostpath is Bound and written by a pod; a VolumeSnapshot of it
// is readyToUse; after the file changes, a PVC from the snapshot has the old content and a clone
// the new; a pre-provisioned VolumeSnapshotContent with the snapshot's handle (Velero's restore
// path) becomes ready and restores too; deleting the VolumeSnapshots deletes the data on disk; and
// `down` leaves no process and no mount.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { downCluster, provider, type ClusterStatus } from '../hack/harness/cluster.ts';
import { imageRef } from '../hack/images-lib/recipes.ts';
import { eventually, kubectl } from './fixtures/node-helpers.ts';

const NAME = `e2e-csi-${process.pid}`;
const NS = 'csi';
let c: ClusterStatus;
let snapshotHandle = '';

const kc = (args: string[], opts: { input?: string; allowFail?: boolean; timeoutMs?: number } = {}) => kubectl(c.kubeconfig, args, opts);
const jsonpath = async (args: string[], path: string) => (await kc([...args, '-o', `jsonpath=${path}`])).stdout.trim();

const pvc = (name: string, dataSource?: { apiGroup?: string; kind: string; name: string }) => `
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: ${name}, namespace: ${NS}}
spec:
  storageClassName: csi-hostpath
  accessModes: [ReadWriteOnce]
  resources: {requests: {storage: 16Mi}}
${dataSource ? `  dataSource: ${JSON.stringify(dataSource)}\n` : ''}`;

const pod = (name: string, claim: string, command: string) => `
apiVersion: v1
kind: Pod
metadata: {name: ${name}, namespace: ${NS}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: main
      image: ${imageRef('tools')}
      imagePullPolicy: Never
      command: [sh, -c, ${JSON.stringify(command)}]
      volumeMounts: [{name: data, mountPath: /data}]
  volumes: [{name: data, persistentVolumeClaim: {claimName: ${claim}}}]
`;

const volumeSnapshot = (name: string, source: string) => `
apiVersion: snapshot.storage.k8s.io/v1
kind: VolumeSnapshot
metadata: {name: ${name}, namespace: ${NS}}
spec:
  volumeSnapshotClassName: csi-hostpath-snapclass
  source: ${source}
`;

async function waitBound(name: string): Promise<void> {
  await kc(['-n', NS, 'wait', '--for=jsonpath={.status.phase}=Bound', `pvc/${name}`, '--timeout=90s'], { timeoutMs: 100_000 });
}

async function waitReady(kind: string, name: string, namespaced = true): Promise<void> {
  await kc([...(namespaced ? ['-n', NS] : []), 'wait', '--for=jsonpath={.status.readyToUse}=true', `${kind}/${name}`, '--timeout=90s'], { timeoutMs: 100_000 });
}

/** Runs a pod on the claim and returns /data/file as the pod read it. */
async function readThrough(podName: string, claim: string): Promise<string> {
  await kc(['apply', '-f', '-'], { input: pod(podName, claim, 'sleep 3600') });
  await kc(['-n', NS, 'wait', '--for=condition=Ready', `pod/${podName}`, '--timeout=120s'], { timeoutMs: 130_000 });
  return (await kc(['-n', NS, 'exec', podName, '--', 'cat', '/data/file'])).stdout;
}

test.before(async () => {
  try {
    c = await provider().up(NAME, { csi: true });
  } catch (error) {
    console.error('a cluster with --csi failed to start:', error);
    throw error;
  }
});

test.after(async () => {
  await downCluster(NAME);
});

test('the cluster has a node and the CSI objects: CSIDriver, StorageClass, VolumeSnapshotClass, snapshot CRDs', async () => {
  assert.ok(c.node, 'a node (--csi implies --node)');
  assert.equal({ driver: c.csi?.driver, storageClass: c.csi?.storageClass, snapshotClass: c.csi?.snapshotClass }, { driver: 'hostpath.csi.k8s.io', storageClass: 'csi-hostpath', snapshotClass: 'csi-hostpath-snapclass' });
  const driver = JSON.parse((await kc(['get', 'csidriver', 'hostpath.csi.k8s.io', '-o', 'json'])).stdout) as { spec: Record<string, unknown> };
  assert.is(driver.spec.attachRequired, false);
  assert.is(driver.spec.podInfoOnMount, true);
  assert.equal(driver.spec.volumeLifecycleModes, ['Persistent']);
  const sc = JSON.parse((await kc(['get', 'storageclass', 'csi-hostpath', '-o', 'json'])).stdout) as Record<string, unknown>;
  assert.equal([sc.provisioner, sc.reclaimPolicy, sc.volumeBindingMode, sc.allowVolumeExpansion], ['hostpath.csi.k8s.io', 'Delete', 'Immediate', false]);
  const vsc = JSON.parse((await kc(['get', 'volumesnapshotclass', 'csi-hostpath-snapclass', '-o', 'json'])).stdout) as { driver: string; deletionPolicy: string; metadata: { labels: Record<string, string> } };
  assert.equal([vsc.driver, vsc.deletionPolicy, vsc.metadata.labels['velero.io/csi-volumesnapshot-class']], ['hostpath.csi.k8s.io', 'Delete', 'true']);
  for (const crd of ['volumesnapshots', 'volumesnapshotcontents', 'volumesnapshotclasses']) {
    assert.is(await jsonpath(['get', 'crd', `${crd}.snapshot.storage.k8s.io`], '{.spec.versions[?(@.storage==true)].name}'), 'v1');
  }
  // The kubelet registered the driver through its plugin registration socket.
  assert.is(await jsonpath(['get', 'csinode', c.node!.name], '{.spec.drivers[*].name}'), 'hostpath.csi.k8s.io');
});

test('a PVC on csi-hostpath is Bound and a pod writes into it', async () => {
  await kc(['create', 'namespace', NS]);
  await kc(['apply', '-f', '-'], { input: pvc('data') });
  await waitBound('data');
  await kc(['apply', '-f', '-'], { input: pod('writer', 'data', 'echo old > /data/file && sync && sleep 3600') });
  await kc(['-n', NS, 'wait', '--for=condition=Ready', 'pod/writer', '--timeout=120s'], { timeoutMs: 130_000 });
  const content = await eventually('the file written', async () => {
    const out = (await kc(['-n', NS, 'exec', 'writer', '--', 'cat', '/data/file'], { allowFail: true })).stdout;
    return out === 'old\n' ? out : undefined;
  }, 30_000);
  assert.is(content, 'old\n');
  const handle = await jsonpath(['get', 'pv', await jsonpath(['-n', NS, 'get', 'pvc', 'data'], '{.spec.volumeName}')], '{.spec.csi.volumeHandle}');
  assert.is(readFileSync(join(c.csi!.stateDir, 'volumes', handle, 'file'), 'utf8'), 'old\n', 'the volume is a directory of the driver');
});

test('a VolumeSnapshot of the PVC becomes readyToUse, with its copy on disk', async () => {
  await kc(['apply', '-f', '-'], { input: volumeSnapshot('snap-1', '{persistentVolumeClaimName: data}') });
  await waitReady('volumesnapshot', 'snap-1');
  const content = await jsonpath(['-n', NS, 'get', 'volumesnapshot', 'snap-1'], '{.status.boundVolumeSnapshotContentName}');
  snapshotHandle = await jsonpath(['get', 'volumesnapshotcontent', content], '{.status.snapshotHandle}');
  assert.ok(snapshotHandle, 'the content has a snapshot handle');
  assert.is(await jsonpath(['-n', NS, 'get', 'volumesnapshot', 'snap-1'], '{.status.restoreSize}'), '16Mi');
  assert.is(readFileSync(join(c.csi!.stateDir, 'snapshots', snapshotHandle, 'file'), 'utf8'), 'old\n');
});

test('after the file changes, a PVC from the snapshot has the old content and a clone the new', async () => {
  await kc(['-n', NS, 'exec', 'writer', '--', 'sh', '-c', 'echo new > /data/file && sync']);
  await kc(['apply', '-f', '-'], { input: pvc('restored', { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'snap-1' }) + '---\n' + pvc('cloned', { kind: 'PersistentVolumeClaim', name: 'data' }) });
  await waitBound('restored');
  await waitBound('cloned');
  assert.is(await readThrough('reader', 'restored'), 'old\n');
  assert.is(await readThrough('clone-reader', 'cloned'), 'new\n');
});

test("a pre-provisioned VolumeSnapshotContent with the snapshot's handle becomes ready and restores (Velero's path)", async () => {
  await kc(['apply', '-f', '-'], {
    input: `
apiVersion: snapshot.storage.k8s.io/v1
kind: VolumeSnapshotContent
metadata: {name: pre-content}
spec:
  deletionPolicy: Delete
  driver: hostpath.csi.k8s.io
  volumeSnapshotClassName: csi-hostpath-snapclass
  source: {snapshotHandle: ${snapshotHandle}}
  volumeSnapshotRef: {name: snap-pre, namespace: ${NS}}
---${volumeSnapshot('snap-pre', '{volumeSnapshotContentName: pre-content}')}`,
  });
  await waitReady('volumesnapshotcontent', 'pre-content', false);
  await waitReady('volumesnapshot', 'snap-pre');
  assert.is(await jsonpath(['get', 'volumesnapshotcontent', 'pre-content'], '{.status.snapshotHandle}'), snapshotHandle);
  await kc(['apply', '-f', '-'], { input: pvc('from-pre', { apiGroup: 'snapshot.storage.k8s.io', kind: 'VolumeSnapshot', name: 'snap-pre' }) });
  await waitBound('from-pre');
  assert.is(await readThrough('pre-reader', 'from-pre'), 'old\n');
});

test('deleting the VolumeSnapshots deletes their contents and the snapshot data on disk', async () => {
  const snapshots = join(c.csi!.stateDir, 'snapshots');
  assert.ok(existsSync(join(snapshots, snapshotHandle)));
  await kc(['-n', NS, 'delete', 'volumesnapshot', 'snap-1', 'snap-pre', '--timeout=90s'], { timeoutMs: 100_000 });
  await eventually('the VolumeSnapshotContents deleted', async () => (await kc(['get', 'volumesnapshotcontent', '-o', 'name'])).stdout.trim() === '', 90_000);
  await eventually('the snapshot data deleted', async () => readdirSync(snapshots).length === 0, 30_000);
  assert.not.ok(existsSync(join(snapshots, snapshotHandle)));
});

test('down leaves no process and no mount', async () => {
  const clusterDir = c.kubeconfig.replace(/\/kubeconfig$/, '');
  const state = JSON.parse(readFileSync(join(clusterDir, 'state.json'), 'utf8')) as { processes: { name: string; pid: number }[] };
  const names = state.processes.map((p) => p.name);
  for (const n of ['csi-hostpath', 'csi-provisioner', 'csi-snapshotter', 'snapshot-controller']) assert.ok(names.includes(n), `${n} recorded`);
  assert.ok(readFileSync('/proc/self/mountinfo', 'utf8').includes(`${clusterDir}/node/kubelet/pods/`), 'volumes are mounted while pods run');
  await downCluster(NAME);
  assert.not.ok(readFileSync('/proc/self/mountinfo', 'utf8').includes(clusterDir), 'no mount left under the cluster dir');
  const left = readdirSync('/proc').filter((e) => /^\d+$/.test(e)).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(clusterDir);
    } catch {
      return false;
    }
  });
  assert.equal(left, [], 'no process of the cluster left');
  assert.not.ok(existsSync(clusterDir), 'cluster dir removed');
});

test.run();
