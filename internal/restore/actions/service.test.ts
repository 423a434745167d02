import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { context, item, kept } from './actions.test-helpers.ts';
import { serviceAction } from './service.ts';

const svc = (spec: Record<string, unknown>, metadata: Record<string, unknown> = {}) => item('v1', 'Service', 'web', 'shop', { metadata, spec });
const applied = (spec: Record<string, unknown>) => ({ annotations: { 'kubectl.kubernetes.io/last-applied-configuration': JSON.stringify({ spec }) } });

const cases: { name: string; input: ReturnType<typeof svc>; preserve?: boolean; want: Record<string, unknown> }[] = [
  { name: 'cluster IPs and auto node ports go', input: svc({ clusterIP: '10.0.0.1', clusterIPs: ['10.0.0.1'], type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }), want: { type: 'NodePort', ports: [{ port: 80 }] } },
  { name: 'headless keeps None', input: svc({ clusterIP: 'None', clusterIPs: ['None'], ports: [{ port: 80 }] }), want: { clusterIP: 'None', clusterIPs: ['None'], ports: [{ port: 80 }] } },
  { name: '--preserve-nodeports keeps them', preserve: true, input: svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }), want: { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] } },
  {
    name: 'a named port set in last-applied-configuration keeps its node port; others go',
    input: svc({ type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }, { name: 'https', port: 443, nodePort: 30443 }] }, applied({ ports: [{ name: 'http', port: 80, nodePort: 30080 }, { name: 'https', port: 443 }] })),
    want: { type: 'NodePort', ports: [{ name: 'http', port: 80, nodePort: 30080 }, { name: 'https', port: 443 }] },
  },
  {
    name: 'an unnamed port set in last-applied-configuration keeps it',
    input: svc({ type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] }, applied({ ports: [{ port: 80, nodePort: 30080 }] })),
    want: { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }] },
  },
  {
    name: 'a node port owned in managedFields (server-side apply) stays',
    input: svc({ type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }, { port: 81, protocol: 'TCP', nodePort: 30081 }] }, { managedFields: [{ fieldsV1: { 'f:spec': { 'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { 'f:nodePort': {} } } } } }] }),
    want: { type: 'NodePort', ports: [{ port: 80, protocol: 'TCP', nodePort: 30080 }, { port: 81, protocol: 'TCP' }] },
  },
  {
    name: 'an auto-assigned healthCheckNodePort of a Local LoadBalancer goes',
    input: svc({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', healthCheckNodePort: 31000, ports: [{ port: 80 }] }),
    want: { type: 'LoadBalancer', externalTrafficPolicy: 'Local', ports: [{ port: 80 }] },
  },
  { name: 'ExternalName services are left alone', input: svc({ type: 'ExternalName', externalName: 'x.example.com' }), want: { type: 'ExternalName', externalName: 'x.example.com' } },
];

for (const c of cases) {
  test(`service: ${c.name}`, () => {
    assert.equal(kept(serviceAction, c.input, context({ preserveNodePorts: c.preserve ?? false })).spec, c.want);
  });
}

test.run();
