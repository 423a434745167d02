// PVs (restore.go): one with a native snapshot is restored (the engine points it at a volume made
// from the snapshot). Without a snapshot: a volume with reclaim policy Delete is not restored — its
// claim is provisioned anew (Velero's rule; the old disk belongs to the source cluster and would be
// deleted with its claim). Any other PV is restored as it was, with a claimRef that follows the
// namespace mapping and without the old claim's uid/resourceVersion or the binding annotations, so
// the PV controller binds it to the restored claim.
import { copyOf, obj, type RestoreItemAction } from './types.ts';

const BINDING_ANNOTATIONS = ['pv.kubernetes.io/bind-completed', 'pv.kubernetes.io/bound-by-controller'];

export const persistentVolumeAction: RestoreItemAction = {
  name: 'persistent-volume',
  appliesTo: ['persistentvolumes'],
  execute(item, ctx) {
    const spec = obj(item.spec);
    const snapshotted = ctx.volumesWithSnapshots?.has(item.metadata.name) ?? false;
    if (!snapshotted && (spec.persistentVolumeReclaimPolicy === 'Delete' || ctx.volumesProvisionedAnew.has(item.metadata.name))) {
      return { skip: 'no snapshot and reclaim policy Delete: its claim is provisioned anew' };
    }
    const out = copyOf(item);
    const outSpec = obj(out.spec);
    if (outSpec.claimRef) {
      const claimRef = obj(outSpec.claimRef);
      delete claimRef.uid;
      delete claimRef.resourceVersion;
      const ns = claimRef.namespace as string | undefined;
      if (ns && ctx.namespaceMapping[ns]) claimRef.namespace = ctx.namespaceMapping[ns];
    }
    const metadata = obj(out.metadata);
    const annotations = obj(metadata.annotations);
    for (const a of BINDING_ANNOTATIONS) delete annotations[a];
    if (metadata.annotations && Object.keys(annotations).length === 0) delete metadata.annotations;
    return { item: out as typeof item };
  },
};

/** The backed-up PVs the restore provisions anew rather than restores (Velero's pvsToProvision). */
export function isProvisionedAnew(pv: unknown): boolean {
  return obj(obj(pv).spec).persistentVolumeReclaimPolicy === 'Delete';
}
