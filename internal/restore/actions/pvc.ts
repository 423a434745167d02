// PVCs: the binding annotations describe the source cluster's binding; without them the claim binds
// (or is provisioned) again in the target cluster. A claim whose PV is not restored loses its volumeName.
import { obj, type Json, type RestoreItemAction } from './types.ts';

const BINDING_ANNOTATIONS = ['pv.kubernetes.io/bind-completed', 'pv.kubernetes.io/bound-by-controller', 'volume.kubernetes.io/selected-node'];

export const pvcAction: RestoreItemAction = {
  name: 'pvc',
  appliesTo: ['persistentvolumeclaims'],
  execute(item) {
    const out = structuredClone(item) as Json;
    const annotations = obj(obj(out.metadata).annotations);
    for (const a of BINDING_ANNOTATIONS) delete annotations[a];
    // We do not restore PVs that would be provisioned anew (see persistentVolumeAction), so the
    // claim must not point at the old volume.
    delete obj(out.spec).volumeName;
    return { item: out as typeof item };
  },
};
