// Pods (Velero's pod_action.go): the scheduler places the restored pod anew (no nodeName); the
// numeric priority goes, so the Priority admission plugin recomputes it from priorityClassName in
// the target cluster (a copied number that disagrees with the class is rejected there); service
// account token volumes and their mounts go, so the ServiceAccount admission plugin injects fresh
// ones. Velero drops the legacy `<serviceAccount>-token-*` secret volumes; we also drop the
// projected `kube-api-access-*` volume of current clusters, whose random name would otherwise be
// kept next to nothing that needs it. A restore-wait init container from an earlier restore of
// ours (a backup of a restored pod) goes too: it would wait forever for data nobody sends; the
// volume step adds a fresh one when this restore has data for the pod.
import { copyOf, list, obj, type Json, type RestoreItemAction } from './types.ts';

/** Named here as in internal/volumes (the restore engine does not import the volume engine). */
export const RESTORE_WAIT_CONTAINER = 'kubectl-velero-restore-wait';

function isTokenVolume(name: string, serviceAccount: string): boolean {
  return name.startsWith(`${serviceAccount}-token-`) || name.startsWith('kube-api-access-');
}

export const podAction: RestoreItemAction = {
  name: 'pod',
  appliesTo: ['pods'],
  execute(item) {
    const out = copyOf(item);
    const spec = obj(out.spec);
    delete spec.nodeName;
    delete spec.priority;
    if (list(spec.initContainers).some((c) => c.name === RESTORE_WAIT_CONTAINER)) {
      spec.initContainers = list(spec.initContainers).filter((c) => c.name !== RESTORE_WAIT_CONTAINER);
      if ((spec.initContainers as Json[]).length === 0) delete spec.initContainers;
    }
    const serviceAccount = String(spec.serviceAccountName ?? spec.serviceAccount ?? 'default');
    const dropped = new Set(list(spec.volumes).map((v) => String(v.name)).filter((n) => isTokenVolume(n, serviceAccount)));
    if (dropped.size) {
      spec.volumes = list(spec.volumes).filter((v) => !dropped.has(String(v.name)));
      if ((spec.volumes as Json[]).length === 0) delete spec.volumes;
      for (const key of ['containers', 'initContainers', 'ephemeralContainers']) {
        for (const c of list(spec[key])) {
          if (!Array.isArray(c.volumeMounts)) continue;
          c.volumeMounts = list(c.volumeMounts).filter((m) => !dropped.has(String(m.name)));
          if ((c.volumeMounts as Json[]).length === 0) delete c.volumeMounts;
        }
      }
    }
    out.spec = spec;
    return { item: out as typeof item };
  },
};
