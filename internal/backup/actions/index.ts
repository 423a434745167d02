// The built-in backup item actions, in the order Velero registers them.
import type { BackupItemAction } from './action.ts';
import { podRelatedItems } from './pod-related-items.ts';
import { pvcBoundVolume } from './pvc-bound-volume.ts';
import { serviceAccountClusterRoles } from './service-account-cluster-roles.ts';

export const DEFAULT_ACTIONS: readonly BackupItemAction[] = [podRelatedItems, pvcBoundVolume, serviceAccountClusterRoles];

export type { ActionContext, ActionResult, BackupItemAction, ItemRef } from './action.ts';
