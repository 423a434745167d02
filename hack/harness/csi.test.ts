// `up --csi`'s objects, paths and command lines (hack/harness/csi.ts), and the pins of its tools.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CSI_DRIVER, MAX_SOCKET_PATH, SNAPSHOT_CLIENT, csiCommands, csiDriverObject, csiPaths, snapshotClassObject, storageClassObject, wantsCsi } from './csi.ts';
import { COMPONENTS, CSI_COMPONENTS, cacheVersion, pinnedVersion, toolsDir } from './versions.ts';

test('the StorageClass, VolumeSnapshotClass and CSIDriver are what Velero and the tests expect', () => {
  assert.equal(storageClassObject(), {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: 'csi-hostpath' },
    provisioner: 'hostpath.csi.k8s.io',
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
    allowVolumeExpansion: false,
  });
  const vsc = snapshotClassObject();
  assert.is(vsc.apiVersion, 'snapshot.storage.k8s.io/v1');
  assert.is(vsc.metadata.name, 'csi-hostpath-snapclass');
  assert.is(vsc.metadata.labels['velero.io/csi-volumesnapshot-class'], 'true');
  assert.is(vsc.driver, CSI_DRIVER);
  assert.is(vsc.deletionPolicy, 'Delete');
  assert.equal(csiDriverObject().spec, { attachRequired: false, podInfoOnMount: true, volumeLifecycleModes: ['Persistent'] });
  assert.is(csiDriverObject().metadata.name, 'hostpath.csi.k8s.io');
});

test('sockets and state live in the cluster dir; the registration socket is shortened to fit', () => {
  const p = csiPaths('/root/.cache/kubectl-velero/clusters/a', '/root/.cache/kubectl-velero/clusters/a/node/kubelet');
  assert.is(p.socket, '/root/.cache/kubectl-velero/clusters/a/csi/csi.sock');
  assert.is(p.stateDir, '/root/.cache/kubectl-velero/clusters/a/csi/state');
  assert.is(p.registrationSocket, '/root/.cache/kubectl-velero/clusters/a/node/kubelet/plugins_registry/hostpath.csi.k8s.io-reg.sock');
  const long = `/root/.cache/kubectl-velero/clusters/${'x'.repeat(32)}`;
  const q = csiPaths(long, `${long}/node/kubelet`);
  assert.ok(q.registrationSocket.length <= MAX_SOCKET_PATH, q.registrationSocket);
  assert.ok(q.registrationSocket.startsWith(`${long}/node/kubelet/plugins_registry/`));
  assert.throws(() => csiPaths(`/${'y'.repeat(100)}`, `/${'y'.repeat(100)}/node/kubelet`), /too long/);
});

test('the driver and sidecars run against the cluster, without leader election', () => {
  const paths = csiPaths('/c/a', '/c/a/node/kubelet');
  const bin = { 'csi-hostpath': '/b/hp', 'csi-provisioner': '/b/prov', 'csi-snapshotter': '/b/snap', 'snapshot-controller': '/b/ctrl' };
  const cmds = csiCommands({ paths, kubeconfig: '/c/a/kubeconfig', nodeName: 'a-node', bin });
  const byName = Object.fromEntries(cmds.map((c) => [c.name, c]));
  assert.equal(Object.keys(byName), ['csi-hostpath', 'snapshot-controller', 'csi-snapshotter', 'csi-provisioner']);
  const driver = byName['csi-hostpath']!;
  assert.ok(driver.args.includes('--endpoint=/c/a/csi/csi.sock'));
  assert.ok(driver.args.includes('--node-id=a-node'));
  assert.ok(driver.args.includes(`--registration-socket=${paths.registrationSocket}`));
  for (const name of ['snapshot-controller', 'csi-snapshotter', 'csi-provisioner']) {
    const c = byName[name]!;
    assert.ok(c.args.includes('--kubeconfig=/c/a/kubeconfig'), name);
    assert.ok(c.args.includes('--leader-election=false'), name);
  }
  for (const name of ['csi-snapshotter', 'csi-provisioner']) {
    assert.ok(byName[name]!.args.includes('--extra-create-metadata'), name);
    assert.ok(byName[name]!.args.includes('--csi-address=/c/a/csi/csi.sock'), name);
  }
  // Every process mentions the cluster dir, so `down` recognises it as ours.
  for (const c of cmds) assert.ok(c.args.some((a) => a.includes('/c/a/')), c.name);
});

test('--csi comes from the option, or from KUBECTL_VELERO_CSI', () => {
  const saved = process.env.KUBECTL_VELERO_CSI;
  try {
    delete process.env.KUBECTL_VELERO_CSI;
    assert.is(wantsCsi(), false);
    assert.is(wantsCsi({ csi: true }), true);
    process.env.KUBECTL_VELERO_CSI = '1';
    assert.is(wantsCsi(), true);
    assert.is(wantsCsi({ csi: false }), false);
  } finally {
    if (saved === undefined) delete process.env.KUBECTL_VELERO_CSI;
    else process.env.KUBECTL_VELERO_CSI = saved;
  }
});

test('the CSI tools are pinned for Kubernetes 1.35, and the driver is a program of ours', () => {
  assert.is(pinnedVersion(COMPONENTS['csi-provisioner']), 'v5.3.0');
  assert.is(pinnedVersion(COMPONENTS['csi-snapshotter']), 'v8.5.0');
  assert.is(pinnedVersion(COMPONENTS['snapshot-controller']), 'v8.5.0');
  assert.match(pinnedVersion(SNAPSHOT_CLIENT), /^v8\.\d+\.\d+$/);
  assert.match(cacheVersion(COMPONENTS['csi-hostpath']), /^v1\.\d+\.\d+-src\.[0-9a-f]{12}$/);
  assert.ok(existsSync(join(toolsDir(COMPONENTS['csi-provisioner']), 'go.mod')));
  assert.equal([...CSI_COMPONENTS].sort(), ['csi-hostpath', 'csi-provisioner', 'csi-snapshotter', 'snapshot-controller']);
});

test.run();
