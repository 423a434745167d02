// Services (Velero's service_action.go): cluster IPs belong to the source cluster and are cleared
// (headless `None` stays). Node ports are cleared unless --preserve-nodeports, except those the
// user set explicitly: named in the kubectl last-applied-configuration annotation, or owned in
// managedFields (server-side apply). The same rule applies to a LoadBalancer's healthCheckNodePort.
import { copyOf, list, obj, type Json, type RestoreItemAction } from './types.ts';

const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** Which ports had their nodePort set by the user; undefined when nothing says (all auto-assigned). */
function explicitNodePorts(service: Json): ((port: Json) => boolean) {
  const annotations = obj(obj(service.metadata).annotations);
  const applied = annotations[LAST_APPLIED];
  if (typeof applied === 'string') {
    let ports: Json[] = [];
    try {
      ports = list(obj(obj(JSON.parse(applied)).spec).ports);
    } catch {
      // an unreadable annotation says nothing: every node port counts as auto-assigned
    }
    const named = new Set<string>();
    const unnamed = new Set<number>();
    for (const p of ports) {
      if (!(Number(p.nodePort) > 0)) continue;
      if (typeof p.name === 'string') named.add(p.name);
      else unnamed.add(Number(p.nodePort));
    }
    return (port) => (port.name ? named.has(String(port.name)) : unnamed.has(Number(port.nodePort)));
  }
  const owned = new Set<string>();
  for (const entry of list(obj(service.metadata).managedFields)) {
    for (const [key, value] of Object.entries(obj(obj(obj(entry.fieldsV1)['f:spec'])['f:ports']))) {
      if ('f:nodePort' in obj(value)) owned.add(key);
    }
  }
  return (port) => owned.has(`k:{"port":${Number(port.port)},"protocol":"${String(port.protocol ?? 'TCP')}"}`);
}

function explicitHealthCheckNodePort(service: Json): boolean {
  const applied = obj(obj(service.metadata).annotations)[LAST_APPLIED];
  if (typeof applied === 'string') {
    try {
      if (Number(obj(obj(JSON.parse(applied)).spec).healthCheckNodePort) > 0) return true;
    } catch {
      // as above
    }
  }
  return list(obj(service.metadata).managedFields).some((e) => 'f:healthCheckNodePort' in obj(obj(obj(e.fieldsV1)['f:spec'])));
}

export const serviceAction: RestoreItemAction = {
  name: 'service',
  appliesTo: ['services'],
  execute(item, ctx) {
    const out = copyOf(item);
    const spec = obj(out.spec);
    if (spec.clusterIP !== 'None') {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (!ctx.preserveNodePorts && spec.type !== 'ExternalName') {
      const explicit = explicitNodePorts(item as Json);
      for (const port of list(spec.ports)) if (!explicit(port)) delete port.nodePort;
      if (spec.type === 'LoadBalancer' && spec.externalTrafficPolicy === 'Local' && !explicitHealthCheckNodePort(item as Json)) delete spec.healthCheckNodePort;
    }
    out.spec = spec;
    return { item: out as typeof item };
  },
};
