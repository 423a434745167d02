// Backup item actions, Velero's shape: which resources an action applies to, and
// execute(item) → (possibly changed item, more items to back up with it).
import type { KubeObject } from '../cluster-source.ts';

export interface ItemRef {
  /** `persistentvolumeclaims`, `clusterroles.rbac.authorization.k8s.io` */
  groupResource: string;
  namespace?: string;
  name: string;
}

export interface ActionContext {
  backupName: string;
  /** All ClusterRoleBindings, listed once per backup on first use. */
  clusterRoleBindings(): Promise<KubeObject[]>;
  /** Records a backup error (the backup ends PartiallyFailed) without failing the item. */
  error?(namespace: string | undefined, message: string): void;
}

export interface ActionResult {
  item: KubeObject;
  additionalItems: ItemRef[];
}

export interface BackupItemAction {
  readonly name: string;
  /** Group resources this action runs for. */
  readonly appliesTo: readonly string[];
  execute(item: KubeObject, context: ActionContext): Promise<ActionResult>;
}
