// Two clusters, each with a real node, at once (cluster A and B of a migration): pods run,
// `kubectl logs` / `kubectl exec` work, Services' ClusterIPs work through kube-proxy, pods have no
// route off the node, and `down` of one leaves nothing of its node behind while the other runs.
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { clusterStatus, downCluster, provider, type ClusterStatus } from '../hack/harness/cluster.ts';
import { slotOwner } from '../hack/node/network.ts';
import { eventually, kubectl } from './fixtures/node-helpers.ts';

const names = ['e2e-node-a', 'e2e-node-b'] as const;
const clusters = new Map<string, ClusterStatus>();
const get = (name: string) => clusters.get(name)!;

const echoServer = (name: string) => `
apiVersion: v1
kind: Pod
metadata: {name: echo, labels: {app: echo}}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: echo
      image: kubectl-velero.local/tools:bookworm
      imagePullPolicy: Never
      command: [sh, -c, 'echo started in ${name}; exec socat TCP-LISTEN:8080,fork,reuseaddr SYSTEM:"echo pong from ${name}"']
      ports: [{containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata: {name: echo}
spec:
  selector: {app: echo}
  ports: [{port: 80, targetPort: 8080}]
---
apiVersion: v1
kind: Pod
metadata: {name: client}
spec:
  terminationGracePeriodSeconds: 1
  containers:
    - name: client
      image: kubectl-velero.local/tools:bookworm
      imagePullPolicy: Never
      command: [sleep, '3600']
`;

test.before(async () => {
  try {
    for (const name of names) clusters.set(name, await provider().up(name, { node: true }));
  } catch (error) {
    // uvu counts the tests as failed but does not print a hook's error: say why here.
    console.error('a cluster with a node failed to start:', error);
    throw error;
  }
});

test.after(async () => {
  for (const name of names) await downCluster(name);
});

test('each cluster has its own Ready node, network namespace and pod range', async () => {
  const [a, b] = names.map(get);
  assert.ok(a?.node && b?.node);
  assert.is.not(a.node.netns, b.node.netns);
  assert.is.not(a.node.podCIDR, b.node.podCIDR);
  assert.is.not(a.node.containerdSocket, b.node.containerdSocket);
  for (const c of [a, b]) {
    const nodes = await kubectl(c.kubeconfig, ['get', 'nodes', '-o', 'jsonpath={range .items[*]}{.metadata.name} {.status.conditions[?(@.type=="Ready")].status}{"\\n"}{end}']);
    assert.is(nodes.stdout.trim(), `${c.node!.name} True`);
  }
});

test('pods run in both clusters; kubectl logs and exec reach them', async () => {
  for (const name of names) {
    const kc = get(name).kubeconfig;
    await kubectl(kc, ['apply', '-f', '-'], { input: echoServer(name) });
    await kubectl(kc, ['wait', '--for=condition=Ready', 'pod/echo', 'pod/client', '--timeout=120s'], { timeoutMs: 130_000 });
    const logs = await eventually('echo logs', async () => {
      const out = (await kubectl(kc, ['logs', 'echo'])).stdout;
      return out.includes('started') ? out : undefined;
    });
    assert.is(logs.trim(), `started in ${name}`);
    const exec = await kubectl(kc, ['exec', 'client', '--', 'sh', '-c', 'echo exec in $(hostname)']);
    assert.is(exec.stdout.trim(), 'exec in client');
  }
});

test('a Service ClusterIP answers through kube-proxy (iptables), in each cluster its own', async () => {
  for (const name of names) {
    const kc = get(name).kubeconfig;
    const ip = (await kubectl(kc, ['get', 'service', 'echo', '-o', 'jsonpath={.spec.clusterIP}'])).stdout;
    assert.match(ip, /^10\.96\./);
    const answer = await eventually(`ClusterIP ${ip} in ${name}`, async () => {
      const res = await kubectl(kc, ['exec', 'client', '--', 'socat', '-T', '5', '-', `TCP:${ip}:80`], { allowFail: true, input: '' });
      return res.code === 0 && res.stdout.includes('pong') ? res.stdout.trim() : undefined;
    }, 60_000);
    assert.is(answer, `pong from ${name}`);
    // The `kubernetes` Service leads to the API server (forwarded into the node).
    const api = await kubectl(kc, ['exec', 'client', '--', 'bash', '-c', 'timeout 5 bash -c "</dev/tcp/10.96.0.1/443" && echo open'], { allowFail: true });
    assert.is(api.stdout.trim(), 'open');
  }
});

test('pods reach MinIO through the node (minioInCluster)', async () => {
  for (const name of names) {
    const c = get(name);
    const url = new URL(c.node!.minioInCluster);
    const script = `exec 3<>/dev/tcp/${url.hostname}/${url.port}; printf 'GET /minio/health/live HTTP/1.1\\r\\nHost: ${url.host}\\r\\nConnection: close\\r\\n\\r\\n' >&3; head -1 <&3`;
    const res = await kubectl(c.kubeconfig, ['exec', 'client', '--', 'timeout', '10', 'bash', '-c', script]);
    assert.match(res.stdout, /^HTTP\/1\.[01] 200/);
  }
});

test('pods have no route beyond the node: only the pod subnet, the service range and the node', async () => {
  const kc = get(names[0]).kubeconfig;
  const routes = (await kubectl(kc, ['exec', 'client', '--', 'cat', '/proc/net/route'])).stdout.trim().split('\n').slice(1);
  const destinations = routes.map((l) => l.split(/\s+/)[1]);
  assert.not.ok(destinations.includes('00000000'), `no default route, got:\n${routes.join('\n')}`);
  assert.is(routes.length, 3);
});

test('down of one cluster removes its node entirely and leaves the other running', async () => {
  const a = get(names[0]);
  const state = JSON.parse(readFileSync(a.kubeconfig.replace(/kubeconfig$/, 'state.json'), 'utf8')) as { node: { slot: number; processes: { pid: number }[] } };
  const slot = state.node.slot;
  const clusterDir = a.kubeconfig.replace(/\/kubeconfig$/, '');
  await downCluster(names[0]);
  const owner = slotOwner(slot);
  if (owner === undefined) {
    assert.not.ok(existsSync(`/run/netns/${a.node!.netns}`), 'network namespace removed');
    assert.not.ok(existsSync(`/sys/fs/cgroup/memory/kubectl-velero-node${slot}`), 'cgroup removed');
    assert.not.ok(existsSync(`/sys/class/net/kvnode${slot}`), 'host link removed');
  } else {
    // A cluster of a test file running beside this one (E2E_JOBS) took the freed slot at once: the
    // namespace, cgroup and link by that slot's names are now its own.
    assert.is.not(owner, clusterDir, 'slot released');
  }
  assert.not.ok(readFileSync('/proc/self/mountinfo', 'utf8').includes(clusterDir), 'no mount left under the cluster dir');
  for (const p of state.node.processes) assert.not.ok(existsSync(`/proc/${p.pid}/cmdline`) && readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').includes(clusterDir), `pid ${p.pid} still runs`);
  const b = await clusterStatus(names[1]);
  assert.ok(b?.node, 'cluster b still runs with its node');
  const pods = await kubectl(b.kubeconfig, ['get', 'pod', 'echo', '-o', 'jsonpath={.status.phase}']);
  assert.is(pods.stdout, 'Running');
});

test.run();
