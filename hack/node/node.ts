// A real node for a local cluster (`hack/cluster up --node`): Debian's containerd, runc and CNI
// plugins with a kubelet and kube-proxy built at the cluster's Kubernetes version, all inside the
// node's own network namespace (network.ts) so that two clusters can each have one.
//
// The API server and MinIO stay on the host's 127.0.0.1. The node reaches them through socat pairs
// joined by unix sockets in the cluster dir (a unix socket path is visible from every network
// namespace): inside the node, 127.0.0.1:6443 and <node IP>:6443 are the API server, :9000 is MinIO.
// The `kubernetes` Service's endpoint is <node IP>:6443, so pods reach the API server as usual.
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ProbeAuth } from '../harness/api-probe.ts';
import { writeKubeconfig } from '../harness/kubeconfig.ts';
import type { NodeStatus } from '../harness/types.ts';
import { type StartedProcess, isRunning, stopProcesses, waitFor } from '../harness/processes.ts';
import { importImages } from '../images-lib/import.ts';
import { ensureImages } from '../images-lib/build.ts';
import { imageRef, NODE_IMAGES } from '../images-lib/recipes.ts';
import { createIfAbsent, getJson } from './api.ts';
import { cgroupRootName, createCgroupRoot, hasCgroupV1, pidsInCgroupRoot, removeCgroupRoot } from './cgroups.ts';
import { CNI_BIN_DIR, type NodeLayout, STORAGE_CLASS, cniConfig, containerdConfig, kubeProxyConfig, kubeletConfig, kubernetesEndpointSlice, paths } from './config.ts';
import { unmountUnder } from './mounts.ts';
import { claimSlot, createNetwork, hostIp, netnsName, netnsPath, nodeIp, ownsSlot, podCidr, releaseSlot, removeNetwork } from './network.ts';
import { nodeClientCert } from './pki.ts';

/** Ports inside the node's namespace (its own, so the same for every node). */
const NODE_API_PORT = 6443;
const NODE_MINIO_PORT = 9000;
/** Where kube-controller-manager's hostPath provisioner puts volumes (fixed in its code). */
export const HOSTPATH_PV_ROOT = '/tmp/hostpath_pv';

/** What `down` needs to take the node apart (kept in state.json). */
export interface NodeState {
  slot: number;
  layout: NodeLayout;
  processes: StartedProcess[];
  status?: NodeStatus;
}

export interface StartNodeOptions {
  clusterName: string;
  clusterDir: string;
  caCert: string;
  caKey: string;
  /** Admin access to the API server on the host. */
  auth: ProbeAuth;
  apiServerPort: number;
  minioPort: number;
  serviceCidr: string;
  bin: { kubelet: string; 'kube-proxy': string };
  /** Starts a detached process and records it with the cluster's (so `down` always finds it). */
  start: (name: string, binary: string, args: string[], env?: NodeJS.ProcessEnv) => StartedProcess;
  /** Persists the node's state (called as soon as a slot is claimed, and after each change). */
  record: (node: NodeState) => void;
}

const SBIN_PATH = `${process.env.PATH ?? '/usr/bin:/bin'}:/usr/local/sbin:/usr/sbin:/sbin`;

function which(cmd: string): boolean {
  return SBIN_PATH.split(':').some((d) => d && existsSync(join(d, cmd)));
}

/** Fails fast, with what to install, when this machine cannot run a node. */
export function checkNodePrerequisites(): void {
  const problems: string[] = [];
  if (process.getuid?.() !== 0) problems.push('a node needs root (network namespaces, cgroups, mounts)');
  const missing = ['containerd', 'containerd-shim-runc-v2', 'ctr', 'runc', 'socat', 'nsenter', 'ip', 'iptables', 'conntrack', 'debootstrap', 'umoci'].filter((c) => !which(c));
  if (!existsSync(join(CNI_BIN_DIR, 'bridge'))) missing.push(`${CNI_BIN_DIR}/bridge`);
  if (missing.length) problems.push(`missing ${missing.join(', ')}: apt-get install containerd runc containernetworking-plugins socat iptables conntrack debootstrap umoci`);
  if (!hasCgroupV1()) problems.push('no cgroup v1 memory hierarchy under /sys/fs/cgroup: this node set-up is written for cgroup v1 hosts');
  if (problems.length) throw new Error(`cannot start a node: ${problems.join('; ')}`);
}

function nodeEnv(): NodeJS.ProcessEnv {
  return { PATH: SBIN_PATH };
}

export async function startNode(opts: StartNodeOptions): Promise<NodeStatus> {
  checkNodePrerequisites();
  // Images first (a cold build takes a minute or two): nothing is set up yet if it fails.
  await ensureImages();
  const slot = claimSlot(opts.clusterDir);
  const dir = join(opts.clusterDir, 'node');
  const layout: NodeLayout = {
    dir,
    clusterDir: opts.clusterDir,
    nodeName: `${opts.clusterName}-node`,
    slot,
    netns: netnsName(slot),
    nodeIp: nodeIp(slot),
    hostIp: hostIp(slot),
    podCidr: podCidr(slot),
    serviceCidr: opts.serviceCidr,
    cgroupRoot: cgroupRootName(slot),
    apiPort: NODE_API_PORT,
    minioPort: NODE_MINIO_PORT,
    caCert: opts.caCert,
    sandboxImage: imageRef('pause'),
  };
  const node: NodeState = { slot, layout, processes: [] };
  opts.record(node);
  const p = paths(layout);
  // A unix socket path has room for 107 bytes (and containerd adds ".ttrpc").
  if (`${p.containerdSocket}.ttrpc`.length > 107) throw new Error(`cluster dir ${opts.clusterDir} is too long for the node's unix sockets: set KUBECTL_VELERO_CLUSTERS to a shorter path`);
  const inNode = (binary: string, args: string[]) => ['--net=' + netnsPath(slot), '--', binary, ...args];
  const start = (name: string, binary: string, args: string[], netns: boolean) => {
    const proc = opts.start(name, netns ? 'nsenter' : binary, netns ? inNode(binary, args) : args, nodeEnv());
    node.processes.push(proc);
    opts.record(node);
    return proc;
  };

  createNetwork(slot, opts.serviceCidr);
  createCgroupRoot(slot);
  for (const d of [dir, join(dir, 'pki'), p.cniConfDir, p.cniDataDir, p.kubeletRoot, p.podLogs, p.containerdRoot, p.containerdState]) mkdirSync(d, { recursive: true, mode: 0o700 });
  writeFileSync(p.containerdConfig, containerdConfig(layout));
  writeFileSync(join(p.cniConfDir, '10-kubectl-velero.conflist'), cniConfig(layout));
  writeFileSync(p.kubeletConfig, kubeletConfig(layout));
  writeFileSync(p.kubeProxyConfig, kubeProxyConfig(layout));
  writeFileSync(p.resolvConf, '');
  const server = `https://127.0.0.1:${NODE_API_PORT}`;
  const kubelet = nodeClientCert(join(dir, 'pki'), 'kubelet', `/O=system:nodes/CN=system:node:${layout.nodeName}`, opts.caCert, opts.caKey);
  const proxy = nodeClientCert(join(dir, 'pki'), 'kube-proxy', '/CN=system:kube-proxy', opts.caCert, opts.caKey);
  writeKubeconfig(p.kubeletKubeconfig, { clusterName: opts.clusterName, server, caCert: opts.caCert, ...kubelet, user: `system:node:${layout.nodeName}` });
  writeKubeconfig(p.kubeProxyKubeconfig, { clusterName: opts.clusterName, server, caCert: opts.caCert, ...proxy, user: 'system:kube-proxy' });

  // API server and MinIO, forwarded into the node's namespace through unix sockets.
  start('node-api-forward-host', 'socat', [`UNIX-LISTEN:${p.apiSocket},fork,unlink-early,mode=600`, `TCP:127.0.0.1:${opts.apiServerPort}`], false);
  start('node-api-forward', 'socat', [`TCP-LISTEN:${NODE_API_PORT},fork,reuseaddr`, `UNIX-CONNECT:${p.apiSocket}`], true);
  start('node-minio-forward-host', 'socat', [`UNIX-LISTEN:${p.minioSocket},fork,unlink-early,mode=600`, `TCP:127.0.0.1:${opts.minioPort}`], false);
  start('node-minio-forward', 'socat', [`TCP-LISTEN:${NODE_MINIO_PORT},fork,reuseaddr`, `UNIX-CONNECT:${p.minioSocket}`], true);

  const containerd = start('containerd', 'containerd', ['--config', p.containerdConfig, '--log-level', 'warn'], true);
  await waitFor('containerd', async () => {
    execFileSync('ctr', ['--address', p.containerdSocket, 'version'], { stdio: 'ignore', timeout: 5000 });
    return true;
  }, { timeoutMs: 60_000, process: containerd });
  // The sandbox image before the kubelet; the others while it registers the node.
  await importImages(p.containerdSocket, ['pause']);
  const importStarted = Date.now();
  const imported = importImages(p.containerdSocket, NODE_IMAGES.filter((n) => n !== 'pause')).then(() => {
    process.stderr.write(`node: images imported in ${((Date.now() - importStarted) / 1000).toFixed(1)} s\n`);
  });

  const kubeletProc = start('kubelet', opts.bin.kubelet, [
    `--config=${p.kubeletConfig}`, `--kubeconfig=${p.kubeletKubeconfig}`, `--root-dir=${p.kubeletRoot}`,
    `--hostname-override=${layout.nodeName}`, `--node-ip=${layout.nodeIp}`, '--v=1',
  ], true);
  start('kube-proxy', opts.bin['kube-proxy'], [`--config=${p.kubeProxyConfig}`, '--v=1'], true);

  await Promise.all([
    imported,
    waitFor(`node ${layout.nodeName} Ready`, async () => {
      type Node = { status?: { conditions?: { type: string; status: string }[] } };
      const n = await getJson<Node>(opts.auth, `/api/v1/nodes/${layout.nodeName}`);
      return n?.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
    }, { timeoutMs: 120_000, process: kubeletProc }),
  ]);
  await createIfAbsent(opts.auth, '/apis/storage.k8s.io/v1/storageclasses', STORAGE_CLASS);
  await createIfAbsent(opts.auth, '/apis/discovery.k8s.io/v1/namespaces/default/endpointslices', kubernetesEndpointSlice(layout));

  node.status = {
    name: layout.nodeName,
    internalIP: layout.nodeIp,
    podCIDR: layout.podCidr,
    netns: layout.netns,
    containerdSocket: p.containerdSocket,
    minioInCluster: `http://${layout.nodeIp}:${NODE_MINIO_PORT}`,
  };
  opts.record(node);
  return node.status;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function killAll(pids: number[]): void {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}

/** containerd-shim-runc-v2 processes of this node's containerd (they outlive it on purpose). */
function shimsOf(containerdSocket: string): number[] {
  const pids: number[] = [];
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const cmd = readFileSync(`/proc/${e}/cmdline`, 'utf8');
      if (cmd.includes('containerd-shim') && cmd.includes(containerdSocket)) pids.push(Number(e));
    } catch {
      /* gone */
    }
  }
  return pids;
}

/** The node's PVs that kube-controller-manager's hostPath provisioner made (their dirs are on this host). */
async function hostPathVolumes(auth: ProbeAuth | undefined): Promise<string[]> {
  if (!auth) return [];
  try {
    type PvList = { items: { spec?: { hostPath?: { path?: string } } }[] };
    const list = await getJson<PvList>(auth, '/api/v1/persistentvolumes');
    return (list?.items ?? []).map((pv) => pv.spec?.hostPath?.path ?? '').filter((path) => path.startsWith(`${HOSTPATH_PV_ROOT}/`) && !path.includes('..'));
  } catch {
    return [];
  }
}

/**
 * Takes the node apart, in the order that leaves nothing behind: kubelet and kube-proxy, every
 * process in the node's cgroups, the shims, containerd and the forwarders; then mounts under the
 * cluster dir, the PV dirs of this cluster, /var/log/containers links, cgroups, network, slot.
 */
export async function stopNode(node: NodeState | undefined, clusterDir: string, auth?: ProbeAuth): Promise<void> {
  if (!node) return;
  // Never touch a slot another cluster has claimed since (after this one's failed start, say).
  const owned = ownsSlot(node.slot, clusterDir);
  const pvDirs = await hostPathVolumes(auth);
  const named = (...names: string[]) => node.processes.filter((p) => names.includes(p.name));
  await stopProcesses(named('kubelet', 'kube-proxy'), clusterDir, 5_000);
  for (let i = 0; owned && i < 50; i++) {
    const pids = pidsInCgroupRoot(node.slot).filter((pid) => pid !== process.pid);
    if (pids.length === 0) break;
    killAll(pids);
    await sleep(100);
  }
  const socket = paths(node.layout).containerdSocket;
  killAll(shimsOf(socket));
  await stopProcesses(node.processes, clusterDir, 5_000);
  for (let i = 0; i < 50 && shimsOf(socket).some(isRunning); i++) await sleep(100);
  unmountUnder(clusterDir);
  for (const d of pvDirs) rmSync(d, { recursive: true, force: true });
  removeContainerLogLinks(clusterDir);
  if (owned) {
    for (let i = 0; i < 30 && removeCgroupRoot(node.slot).length > 0; i++) await sleep(100);
    removeNetwork(node.slot);
    releaseSlot(node.slot, clusterDir);
  }
}

/** The kubelet links /var/log/containers/*.log to the pod logs, which live in the cluster dir. */
function removeContainerLogLinks(clusterDir: string): void {
  const dir = '/var/log/containers';
  if (!existsSync(dir)) return;
  for (const f of readdirSync(dir)) {
    const file = join(dir, f);
    try {
      if (lstatSync(file).isSymbolicLink() && readlinkSync(file).startsWith(`${clusterDir}/`)) rmSync(file, { force: true });
    } catch {
      /* gone */
    }
  }
}
