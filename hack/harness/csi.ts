// A CSI driver with volume snapshots for a local cluster with a node (`hack/cluster up --csi`), so
// that CSI snapshot support is tested end to end: our host-path driver (hack/tools/csi/hostpath:
// volumes are directories under <cluster dir>/csi/state, snapshots are copies of them, a node
// publishes by bind mount) and the upstream sidecars built from the Go module proxy — csi-provisioner,
// csi-snapshotter and snapshot-controller — all as processes on the host, the sidecars with the
// admin kubeconfig. The driver serves the kubelet's plugin registration itself (the job of
// node-driver-registrar, which cannot be built here) on a socket in the kubelet's plugins_registry.
//
// The objects: the snapshot.storage.k8s.io/v1 CRDs (from the external-snapshotter client module the
// tools go.mod pins), the CSIDriver, StorageClass `csi-hostpath` and VolumeSnapshotClass
// `csi-hostpath-snapclass` (Velero's label on it). The pure parts are unit-tested in csi.test.ts.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { ProbeAuth } from './api-probe.ts';
import type { StartedProcess } from './processes.ts';
import { waitFor } from './processes.ts';
import type { CsiStatus, UpOptions } from './types.ts';
import { type GoComponent, pinnedVersion, toolsDir } from './versions.ts';
import { createIfAbsent, getJson } from '../node/api.ts';

export const CSI_DRIVER = 'hostpath.csi.k8s.io';
export const CSI_STORAGE_CLASS = 'csi-hostpath';
export const CSI_SNAPSHOT_CLASS = 'csi-hostpath-snapclass';

/** The module whose config/crd holds the snapshot CRDs, at the version hack/tools/csi/go.mod pins. */
export const SNAPSHOT_CLIENT: GoComponent = { name: 'external-snapshotter-client', toolsDir: 'csi', module: 'github.com/kubernetes-csi/external-snapshotter/client/v8', pkg: '' };
export const SNAPSHOT_CRD_FILES = ['volumesnapshotclasses', 'volumesnapshotcontents', 'volumesnapshots'].map((r) => `snapshot.storage.k8s.io_${r}.yaml`);

/** `up` sets up CSI when asked, or when KUBECTL_VELERO_CSI=1. */
export function wantsCsi(options?: UpOptions): boolean {
  return options?.csi ?? ['1', 'true', 'yes'].includes(process.env.KUBECTL_VELERO_CSI ?? '');
}

/** A unix socket path has room for 107 bytes. */
export const MAX_SOCKET_PATH = 107;

export interface CsiPaths {
  dir: string;
  /** The driver's CSI socket (Identity, Controller, Node), which the sidecars and the kubelet dial. */
  socket: string;
  /** Volumes, snapshots and their records. */
  stateDir: string;
  /** Where the kubelet's plugin watcher finds the driver. */
  registrationSocket: string;
}

/**
 * Where the driver keeps its sockets and state: all in the cluster dir (removed by `down`). The
 * registration socket is named like node-driver-registrar's (`<driver>-reg.sock`) when that fits a
 * unix socket path, and shorter otherwise (the kubelet takes any socket in plugins_registry).
 */
export function csiPaths(clusterDir: string, kubeletRoot: string): CsiPaths {
  const dir = join(clusterDir, 'csi');
  const registry = join(kubeletRoot, 'plugins_registry');
  const registrationSocket = [`${CSI_DRIVER}-reg.sock`, 'hostpath-reg.sock', 'hp.sock'].map((f) => join(registry, f)).find((p) => p.length <= MAX_SOCKET_PATH);
  const socket = join(dir, 'csi.sock');
  if (!registrationSocket || socket.length > MAX_SOCKET_PATH) {
    throw new Error(`cluster dir ${clusterDir} is too long for the CSI driver's unix sockets: set KUBECTL_VELERO_CLUSTERS to a shorter path`);
  }
  return { dir, socket, stateDir: join(dir, 'state'), registrationSocket };
}

export function csiDriverObject() {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'CSIDriver',
    metadata: { name: CSI_DRIVER },
    spec: { attachRequired: false, podInfoOnMount: true, volumeLifecycleModes: ['Persistent'] },
  };
}

export function storageClassObject() {
  return {
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: CSI_STORAGE_CLASS },
    provisioner: CSI_DRIVER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
    allowVolumeExpansion: false,
  };
}

export function snapshotClassObject() {
  return {
    apiVersion: 'snapshot.storage.k8s.io/v1',
    kind: 'VolumeSnapshotClass',
    // Velero picks the class of a driver by this label.
    metadata: { name: CSI_SNAPSHOT_CLASS, labels: { 'velero.io/csi-volumesnapshot-class': 'true' } },
    driver: CSI_DRIVER,
    deletionPolicy: 'Delete',
  };
}

export interface CsiBinaries {
  'csi-hostpath': string;
  'csi-provisioner': string;
  'csi-snapshotter': string;
  'snapshot-controller': string;
}

/** The command lines of the driver and the sidecars (pure: unit-tested). */
export function csiCommands(opts: { paths: CsiPaths; kubeconfig: string; nodeName: string; bin: CsiBinaries }): { name: string; binary: string; args: string[] }[] {
  const { paths, kubeconfig, bin } = opts;
  const common = [`--kubeconfig=${kubeconfig}`, '--leader-election=false'];
  return [
    {
      name: 'csi-hostpath',
      binary: bin['csi-hostpath'],
      args: [`--endpoint=${paths.socket}`, `--state-dir=${paths.stateDir}`, `--node-id=${opts.nodeName}`, `--driver-name=${CSI_DRIVER}`, `--registration-socket=${paths.registrationSocket}`],
    },
    { name: 'snapshot-controller', binary: bin['snapshot-controller'], args: [...common, '--v=2'] },
    { name: 'csi-snapshotter', binary: bin['csi-snapshotter'], args: [...common, `--csi-address=${paths.socket}`, '--extra-create-metadata', '--v=2'] },
    { name: 'csi-provisioner', binary: bin['csi-provisioner'], args: [...common, `--csi-address=${paths.socket}`, '--extra-create-metadata', '--v=2'] },
  ];
}

/** The snapshot CRDs from the pinned client module (downloaded into the module cache if needed). */
export function snapshotCrds(): unknown[] {
  const version = pinnedVersion(SNAPSHOT_CLIENT);
  const out = execFileSync('go', ['mod', 'download', '-json', `${SNAPSHOT_CLIENT.module}@${version}`], { cwd: toolsDir(SNAPSHOT_CLIENT), encoding: 'utf8' });
  const { Dir: dir, Error: error } = JSON.parse(out) as { Dir?: string; Error?: string };
  if (!dir) throw new Error(`go mod download ${SNAPSHOT_CLIENT.module}@${version}: ${error ?? 'no Dir'}`);
  return SNAPSHOT_CRD_FILES.map((f) => parse(readFileSync(join(dir, 'config', 'crd', f), 'utf8')) as unknown);
}

export interface StartCsiOptions {
  clusterDir: string;
  kubeconfig: string;
  auth: ProbeAuth;
  nodeName: string;
  kubeletRoot: string;
  bin: CsiBinaries;
  /** The provider's start: records the process so `down` stops it. */
  start: (name: string, binary: string, args: string[]) => StartedProcess;
}

type Crd = { metadata: { name: string }; status?: { conditions?: { type: string; status: string }[] } };

export async function startCsi(opts: StartCsiOptions): Promise<CsiStatus> {
  const paths = csiPaths(opts.clusterDir, opts.kubeletRoot);
  mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });

  // The CRDs first: snapshot-controller gives up when they are not there.
  const crds = snapshotCrds() as Crd[];
  for (const crd of crds) await createIfAbsent(opts.auth, '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
  for (const crd of crds) {
    await waitFor(`CRD ${crd.metadata.name} established`, async () => {
      const c = await getJson<Crd>(opts.auth, `/apis/apiextensions.k8s.io/v1/customresourcedefinitions/${crd.metadata.name}`);
      return c?.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True') ?? false;
    }, { timeoutMs: 60_000 });
  }
  // The CSIDriver before any volume: without it the attach/detach controller would wait for an attacher.
  await createIfAbsent(opts.auth, '/apis/storage.k8s.io/v1/csidrivers', csiDriverObject());
  await createIfAbsent(opts.auth, '/apis/storage.k8s.io/v1/storageclasses', storageClassObject());
  await waitFor('the snapshot.storage.k8s.io/v1 API', async () => (await getJson(opts.auth, '/apis/snapshot.storage.k8s.io/v1')) !== undefined, { timeoutMs: 60_000 });
  await createIfAbsent(opts.auth, '/apis/snapshot.storage.k8s.io/v1/volumesnapshotclasses', snapshotClassObject());

  const [driverCmd, ...sidecars] = csiCommands({ paths, kubeconfig: opts.kubeconfig, nodeName: opts.nodeName, bin: opts.bin });
  const driver = opts.start(driverCmd!.name, driverCmd!.binary, driverCmd!.args);
  await waitFor('the CSI driver socket', async () => existsSync(paths.socket) && existsSync(paths.registrationSocket), { timeoutMs: 30_000, process: driver });
  const started = sidecars.map((c) => opts.start(c.name, c.binary, c.args));

  // The kubelet found the registration socket, called NodeGetInfo and wrote the driver into CSINode.
  await waitFor(`driver ${CSI_DRIVER} registered on node ${opts.nodeName}`, async () => {
    const n = await getJson<{ spec?: { drivers?: { name: string }[] | null } }>(opts.auth, `/apis/storage.k8s.io/v1/csinodes/${opts.nodeName}`);
    return n?.spec?.drivers?.some((d) => d.name === CSI_DRIVER) ?? false;
  }, { timeoutMs: 60_000, process: driver });
  // The two sidecars of the driver are up once they have dialled it (each logs the driver's name).
  for (const p of started.filter((s) => s.name !== 'snapshot-controller')) {
    await waitFor(`${p.name} connected to the driver`, async () => existsSync(p.log) && readFileSync(p.log, 'utf8').includes(CSI_DRIVER), { timeoutMs: 60_000, process: p });
  }
  return { driver: CSI_DRIVER, storageClass: CSI_STORAGE_CLASS, snapshotClass: CSI_SNAPSHOT_CLASS, socket: paths.socket, stateDir: paths.stateDir };
}
