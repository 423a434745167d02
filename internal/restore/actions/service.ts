// Services: the cluster IPs belong to the source cluster; node ports are kept only when asked
// (--preserve-nodeports). Headless services keep `None`.
import { obj, type Json, type RestoreItemAction } from './types.ts';

export const serviceAction: RestoreItemAction = {
  name: 'service',
  appliesTo: ['services'],
  execute(item, ctx) {
    const out = structuredClone(item) as Json;
    const spec = obj(out.spec);
    if (spec.clusterIP !== 'None') {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (!ctx.preserveNodePorts && Array.isArray(spec.ports)) {
      for (const port of spec.ports as Json[]) delete port.nodePort;
    }
    delete spec.healthCheckNodePort;
    out.spec = spec;
    return { item: out as typeof item };
  },
};
