// PVs: a dynamically provisioned volume with reclaim policy Delete and no snapshot to restore from
// is not restored — its claim is provisioned anew (Velero's rule). Others keep a claimRef that
// follows the namespace mapping, without the old claim's uid.
import { obj, type Json, type RestoreItemAction } from './types.ts';

export const persistentVolumeAction: RestoreItemAction = {
  name: 'persistent-volume',
  appliesTo: ['persistentvolumes'],
  execute(item, ctx) {
    const out = structuredClone(item) as Json;
    const spec = obj(out.spec);
    if (spec.persistentVolumeReclaimPolicy === 'Delete') return { skip: 'reclaim policy Delete and no snapshot: its claim is provisioned anew' };
    const claimRef = obj(spec.claimRef);
    if (spec.claimRef) {
      delete claimRef.uid;
      delete claimRef.resourceVersion;
      const ns = claimRef.namespace as string | undefined;
      if (ns && ctx.namespaceMapping[ns]) claimRef.namespace = ctx.namespaceMapping[ns];
    }
    return { item: out as typeof item };
  },
};
