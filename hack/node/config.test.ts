// The node's generated configuration: what keeps two nodes apart and pods on the machine.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { type NodeLayout, cniConfig, containerdConfig, kubeProxyConfig, kubeletConfig, kubernetesEndpointSlice } from './config.ts';
import { hostIp, netnsName, nodeIp, podCidr } from './network.ts';

const layout = (slot: number, dir = `/c/${slot}`): NodeLayout => ({
  dir: `${dir}/node`,
  clusterDir: dir,
  nodeName: `c${slot}-node`,
  slot,
  netns: netnsName(slot),
  nodeIp: nodeIp(slot),
  hostIp: hostIp(slot),
  podCidr: podCidr(slot),
  serviceCidr: '10.96.0.0/16',
  cgroupRoot: `/kubectl-velero-node${slot}`,
  apiPort: 6443,
  minioPort: 9000,
  caCert: `${dir}/pki/ca.crt`,
  sandboxImage: 'kubectl-velero.local/pause:bookworm',
});

test('containerd keeps its root, state and socket in the cluster dir, and clamps oom_score_adj', () => {
  const toml = containerdConfig(layout(3));
  assert.match(toml, /^root = "\/c\/3\/node\/containerd\/root"$/m);
  assert.match(toml, /^state = "\/c\/3\/node\/containerd\/state"$/m);
  assert.match(toml, /address = "\/c\/3\/node\/containerd.sock"/);
  assert.match(toml, /restrict_oom_score_adj = true/);
  assert.match(toml, /SystemdCgroup = false/);
  assert.match(toml, /sandbox_image = "kubectl-velero.local\/pause:bookworm"/);
});

test('the CNI network does not masquerade and gives pods no default route', () => {
  const conf = JSON.parse(cniConfig(layout(4))) as { plugins: { type: string; ipMasq?: boolean; ipam?: { ranges: { subnet: string }[][]; routes: { dst: string }[] } }[] };
  const bridge = conf.plugins.find((p) => p.type === 'bridge')!;
  assert.is(bridge.ipMasq, false);
  assert.is(bridge.ipam?.ranges[0]?.[0]?.subnet, '10.244.4.0/24');
  assert.equal(bridge.ipam?.routes, [{ dst: '10.96.0.0/16' }, { dst: '10.243.4.2/32' }]);
  assert.ok(conf.plugins.some((p) => p.type === 'loopback'));
});

test('the kubelet runs on cgroup v1 with cgroupfs, under its own cgroup root, at the node IP', () => {
  const k = parse(kubeletConfig(layout(5))) as Record<string, unknown>;
  assert.is(k.cgroupDriver, 'cgroupfs');
  assert.is(k.failCgroupV1, false);
  assert.is(k.failSwapOn, false);
  assert.is(k.cgroupRoot, '/kubectl-velero-node5');
  assert.is(k.address, '10.243.5.2');
  assert.is(k.readOnlyPort, 0);
  assert.is(k.containerRuntimeEndpoint, 'unix:///c/5/node/containerd.sock');
});

test('kube-proxy uses iptables; the kubernetes Service leads to the node\'s forwarder', () => {
  const kp = parse(kubeProxyConfig(layout(6))) as Record<string, unknown>;
  assert.is(kp.mode, 'iptables');
  assert.is(kp.clusterCIDR, '10.244.6.0/24');
  const slice = kubernetesEndpointSlice(layout(6)) as { endpoints: { addresses: string[] }[]; ports: { name: string; port: number }[] };
  assert.equal(slice.endpoints[0]?.addresses, ['10.243.6.2']);
  assert.equal(slice.ports[0], { name: 'https', port: 6443, protocol: 'TCP' });
});

test('two slots never share addresses', () => {
  assert.is.not(podCidr(1), podCidr(2));
  assert.is.not(nodeIp(1), nodeIp(2));
  assert.is.not(netnsName(1), netnsName(2));
});

test.run();
