// PVCs (Velero's pvc_action.go plus the claim handling in restore.go): the binding and provisioner
// annotations describe the source cluster's binding and go, so the PV controller binds (or
// provisions) again. A claim whose volume is provisioned anew (its PV is not restored: reclaim
// policy Delete and no snapshot) also loses spec.volumeName; otherwise it keeps it and binds to the
// restored PV.
//
// A claim whose data is in a CSI snapshot (Velero's csi-pvc-restorer) is provisioned from the
// restored VolumeSnapshot: its dataSource names it and it loses spec.volumeName.
import { restoredSnapshotName, SNAPSHOT_GROUP, VOLUME_SNAPSHOT_NAME } from '../../snapshots/csi-objects.ts';
import { copyOf, obj, type RestoreItemAction } from './types.ts';

export const PVC_ANNOTATIONS_REMOVED = [
  'pv.kubernetes.io/bind-completed',
  'pv.kubernetes.io/bound-by-controller',
  'volume.kubernetes.io/storage-provisioner',
  'volume.beta.kubernetes.io/storage-provisioner',
  'volume.kubernetes.io/selected-node',
  'velero.io/volume-snapshot-name',
  'velero.io/data-upload-name',
];

export const pvcAction: RestoreItemAction = {
  name: 'pvc',
  appliesTo: ['persistentvolumeclaims'],
  execute(item, ctx) {
    const out = copyOf(item);
    const metadata = obj(out.metadata);
    const annotations = obj(metadata.annotations);
    const snapshot = annotations[VOLUME_SNAPSHOT_NAME];
    for (const a of PVC_ANNOTATIONS_REMOVED) delete annotations[a];
    if (metadata.annotations && Object.keys(annotations).length === 0) delete metadata.annotations;
    const spec = obj(out.spec);
    if (typeof spec.volumeName === 'string' && ctx.volumesProvisionedAnew.has(spec.volumeName)) delete spec.volumeName;
    if (typeof snapshot === 'string' && snapshot) {
      delete spec.volumeName;
      delete spec.dataSourceRef;
      if (ctx.restorePVs) spec.dataSource = { apiGroup: SNAPSHOT_GROUP, kind: 'VolumeSnapshot', name: restoredSnapshotName(ctx.restoreUid, snapshot) };
      else delete spec.dataSource;
    }
    return { item: out as typeof item };
  },
};
