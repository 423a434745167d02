// Pods: the scheduler places the restored pod anew (no nodeName), and the service-account token
// volume the admission plugin injected is dropped so the new one can be injected.
import { obj, type Json, type RestoreItemAction } from './types.ts';

export const podAction: RestoreItemAction = {
  name: 'pod',
  appliesTo: ['pods'],
  execute(item) {
    const out = structuredClone(item) as Json;
    const spec = obj(out.spec);
    delete spec.nodeName;
    const tokenVolumes = new Set(
      ((spec.volumes as Json[] | undefined) ?? []).filter((v) => typeof v.name === 'string' && (v.name as string).startsWith('kube-api-access-')).map((v) => v.name as string),
    );
    if (tokenVolumes.size) {
      spec.volumes = (spec.volumes as Json[]).filter((v) => !tokenVolumes.has(v.name as string));
      if ((spec.volumes as Json[]).length === 0) delete spec.volumes;
      for (const key of ['containers', 'initContainers']) {
        for (const c of (spec[key] as Json[] | undefined) ?? []) {
          if (!Array.isArray(c.volumeMounts)) continue;
          c.volumeMounts = (c.volumeMounts as Json[]).filter((m) => !tokenVolumes.has(m.name as string));
          if ((c.volumeMounts as Json[]).length === 0) delete c.volumeMounts;
        }
      }
    }
    // A priority class name wins over a copied numeric priority (Velero drops the number).
    if (spec.priorityClassName) delete spec.priority;
    out.spec = spec;
    return { item: out as typeof item };
  },
};
