// The node's configuration files, as pure functions of its layout (unit-tested in config.test.ts).
import { stringify } from 'yaml';

/** Where one node keeps everything, all under <cluster dir>/node. */
export interface NodeLayout {
  /** <cluster dir>/node */
  dir: string;
  clusterDir: string;
  nodeName: string;
  /** Slot 1..250: names the network namespace, interfaces, cgroup and address ranges. */
  slot: number;
  netns: string;
  /** Address of the node in its network namespace (the API server reaches the kubelet there). */
  nodeIp: string;
  /** The host end of the node's link. */
  hostIp: string;
  podCidr: string;
  serviceCidr: string;
  /** Cgroup parent of every pod, in each v1 hierarchy: /kubectl-velero-node<slot>. */
  cgroupRoot: string;
  /** Port the API server is reachable on inside the node's namespace (any address). */
  apiPort: number;
  /** Port MinIO is reachable on inside the node's namespace (any address). */
  minioPort: number;
  caCert: string;
  sandboxImage: string;
}

export const paths = (l: NodeLayout) => ({
  containerdConfig: `${l.dir}/containerd.toml`,
  containerdSocket: `${l.dir}/containerd.sock`,
  containerdRoot: `${l.dir}/containerd/root`,
  containerdState: `${l.dir}/containerd/state`,
  cniConfDir: `${l.dir}/cni/net.d`,
  cniDataDir: `${l.dir}/cni/ipam`,
  kubeletConfig: `${l.dir}/kubelet.yaml`,
  kubeletKubeconfig: `${l.dir}/kubelet.kubeconfig`,
  kubeletRoot: `${l.dir}/kubelet`,
  podLogs: `${l.dir}/pod-logs`,
  resolvConf: `${l.dir}/resolv.conf`,
  kubeProxyConfig: `${l.dir}/kube-proxy.yaml`,
  kubeProxyKubeconfig: `${l.dir}/kube-proxy.kubeconfig`,
  apiSocket: `${l.dir}/apiserver.sock`,
  minioSocket: `${l.dir}/minio.sock`,
});

/** Debian's CNI plugins (containernetworking-plugins). */
export const CNI_BIN_DIR = '/usr/lib/cni';

export function containerdConfig(l: NodeLayout): string {
  const p = paths(l);
  const q = JSON.stringify;
  return `# containerd for node ${l.nodeName} (hack/node): its own root, state and socket under the cluster dir.
version = 2
root = ${q(p.containerdRoot)}
state = ${q(p.containerdState)}
oom_score = 0
disabled_plugins = ["io.containerd.internal.v1.tracing", "io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs", "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper"]

[grpc]
  address = ${q(p.containerdSocket)}

[ttrpc]
  address = ""

[debug]
  address = ""

[metrics]
  address = ""

[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = ${q(l.sandboxImage)}
  # Pod network namespaces are bind-mounted under the state dir, not /var/run/netns.
  netns_mounts_under_state_dir = true
  stream_server_address = "127.0.0.1"
  stream_server_port = "0"
  enable_selinux = false
  # This machine's root lacks CAP_SYS_RESOURCE, so no process may lower its oom_score_adj below
  # 0, and runc fails ("can't get final child's PID from pipe") on the kubelet's -998 (sandboxes)
  # and -997 (Guaranteed pods). Clamping to containerd's own score (0) avoids that.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = ${q(CNI_BIN_DIR)}
    conf_dir = ${q(p.cniConfDir)}
    max_conf_num = 1
`;
}

/** bridge + host-local + loopback, no masquerading, no default route: pods only reach the node. */
export function cniConfig(l: NodeLayout): string {
  return `${JSON.stringify(
    {
      cniVersion: '0.4.0',
      name: 'kubectl-velero',
      plugins: [
        {
          type: 'bridge',
          bridge: 'cni0',
          isGateway: true,
          ipMasq: false,
          hairpinMode: true,
          ipam: {
            type: 'host-local',
            ranges: [[{ subnet: l.podCidr }]],
            // The pod subnet is on-link; services go through the node (kube-proxy), and the node's
            // own address (MinIO's forwarder) is one hop away. Nothing else.
            routes: [{ dst: l.serviceCidr }, { dst: `${l.nodeIp}/32` }],
            dataDir: paths(l).cniDataDir,
          },
        },
        { type: 'loopback' },
      ],
    },
    null,
    2,
  )}\n`;
}

export function kubeletConfig(l: NodeLayout): string {
  const p = paths(l);
  return stringify({
    apiVersion: 'kubelet.config.k8s.io/v1beta1',
    kind: 'KubeletConfiguration',
    // The machine has cgroup v1 hierarchies (cgroup2 only at /sys/fs/cgroup/unified, no systemd):
    // cgroupfs driver, and v1.35's refusal to start on cgroup v1 turned off.
    cgroupDriver: 'cgroupfs',
    failCgroupV1: false,
    cgroupRoot: l.cgroupRoot,
    cgroupsPerQOS: true,
    enforceNodeAllocatable: ['pods'],
    failSwapOn: false,
    containerRuntimeEndpoint: `unix://${p.containerdSocket}`,
    address: l.nodeIp,
    port: 10250,
    readOnlyPort: 0,
    healthzBindAddress: '127.0.0.1',
    healthzPort: 10248,
    authentication: { anonymous: { enabled: false }, webhook: { enabled: false }, x509: { clientCAFile: l.caCert } },
    authorization: { mode: 'AlwaysAllow' },
    // No cluster DNS: pods get an empty resolv.conf rather than the host's nameservers.
    resolvConf: p.resolvConf,
    podLogsDir: p.podLogs,
    // A test node: never garbage-collect the imported images (they cannot be pulled back) and
    // evict nothing unless the disk is really full.
    imageGCHighThresholdPercent: 100,
    imageGCLowThresholdPercent: 99,
    evictionHard: { 'memory.available': '50Mi', 'nodefs.available': '1%', 'nodefs.inodesFree': '1%', 'imagefs.available': '1%' },
    serializeImagePulls: false,
    makeIPTablesUtilChains: false,
    protectKernelDefaults: false,
    registerNode: true,
    syncFrequency: '10s',
    nodeStatusUpdateFrequency: '10s',
    fileCheckFrequency: '0s',
    shutdownGracePeriod: '0s',
  });
}

export function kubeProxyConfig(l: NodeLayout): string {
  const p = paths(l);
  return stringify({
    apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
    kind: 'KubeProxyConfiguration',
    mode: 'iptables',
    clientConnection: { kubeconfig: p.kubeProxyKubeconfig },
    hostnameOverride: l.nodeName,
    clusterCIDR: l.podCidr,
    bindAddress: l.nodeIp,
    healthzBindAddress: '127.0.0.1:10256',
    metricsBindAddress: '127.0.0.1:10249',
    // Conntrack sysctls are the host's business: leave them alone.
    conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
    iptables: { masqueradeAll: false, syncPeriod: '10s', minSyncPeriod: '1s' },
  });
}

/** The `kubernetes` Service's endpoint: the API server as the node's namespace forwards it. */
export function kubernetesEndpointSlice(l: NodeLayout): Record<string, unknown> {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      name: 'kubernetes',
      namespace: 'default',
      labels: { 'kubernetes.io/service-name': 'kubernetes', 'endpointslice.kubernetes.io/managed-by': 'hack.kubectl-velero' },
    },
    addressType: 'IPv4',
    endpoints: [{ addresses: [l.nodeIp], conditions: { ready: true } }],
    ports: [{ name: 'https', port: l.apiPort, protocol: 'TCP' }],
  };
}

/** Default StorageClass for kube-controller-manager's hostPath provisioner. */
export const STORAGE_CLASS = {
  apiVersion: 'storage.k8s.io/v1',
  kind: 'StorageClass',
  metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
  provisioner: 'kubernetes.io/host-path',
  reclaimPolicy: 'Delete',
  volumeBindingMode: 'Immediate',
};
