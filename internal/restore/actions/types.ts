// A restore item action (Velero's pkg/restore/actions): which resources it applies to, and what it
// does to one item before it is created. Each action is one small file with its own table test.
// Actions are pure functions of the item and the context, so the fidelity check can replay them.
import type { KubeObject } from '../../kube/list.ts';

export interface RestoreContext {
  preserveNodePorts: boolean;
  /** old namespace → new namespace */
  namespaceMapping: Record<string, string>;
  /**
   * Names of backed-up PVs that are not restored but provisioned anew (reclaim policy Delete, no
   * snapshot): their claims must lose `spec.volumeName`. Velero's `pvsToProvision`.
   */
  volumesProvisionedAnew: ReadonlySet<string>;
  /** Backed-up PVs with a native (EBS…) snapshot: restored from it, whatever their reclaim policy. */
  volumesWithSnapshots?: ReadonlySet<string>;
  /** Names restored CSI snapshots and contents (Velero: the Restore's UID). */
  restoreUid: string;
  /** spec.restorePVs unless false: volumes come back from their snapshots. */
  restorePVs: boolean;
}

export type ActionResult = { item: KubeObject } | { skip: string };

export interface RestoreItemAction {
  name: string;
  appliesTo: string[];
  /**
   * The changed item (a copy: the input is never mutated), or a reason to skip it. `fromBackup` is
   * the item as backed up, before its metadata and status were reset (Velero's ItemFromBackup).
   */
  execute(item: KubeObject, ctx: RestoreContext, fromBackup?: KubeObject): ActionResult;
}

export type Json = Record<string, unknown>;
export const obj = (v: unknown): Json => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : {});
export const list = (v: unknown): Json[] => (Array.isArray(v) ? (v as Json[]) : []);

/** A deep copy of the item as a plain JSON record, for actions to edit. */
export const copyOf = (item: KubeObject): Json => structuredClone(item) as Json;
