// Every restore item action, in the order they run on an item.
import { apiServiceAction } from './apiservice.ts';
import { csiVolumeSnapshotAction, csiVolumeSnapshotContentAction } from './csi-snapshots.ts';
import { jobAction } from './job.ts';
import { persistentVolumeAction } from './persistent-volume.ts';
import { podAction } from './pod.ts';
import { pvcAction } from './pvc.ts';
import { roleBindingAction } from './role-binding.ts';
import { secretAction } from './secret.ts';
import { serviceAccountAction } from './service-account.ts';
import { serviceAction } from './service.ts';
import { skipGeneratedAction } from './skip-generated.ts';
import type { RestoreItemAction } from './types.ts';

export const RESTORE_ITEM_ACTIONS: RestoreItemAction[] = [
  skipGeneratedAction, apiServiceAction, secretAction, podAction, serviceAction, jobAction, pvcAction, persistentVolumeAction,
  serviceAccountAction, roleBindingAction, csiVolumeSnapshotAction, csiVolumeSnapshotContentAction,
];

export function actionsFor(groupResource: string): RestoreItemAction[] {
  return RESTORE_ITEM_ACTIONS.filter((a) => a.appliesTo.includes(groupResource));
}
