// A restore item action (Velero's pkg/restore/actions): which resources it applies to, and what it
// does to one item before it is created. Each action is one small file with its own test.
import type { KubeObject } from '../../kube/list.ts';

export interface RestoreContext {
  preserveNodePorts: boolean;
  /** old namespace → new namespace */
  namespaceMapping: Record<string, string>;
}

export interface RestoreItemAction {
  name: string;
  appliesTo: string[];
  /** Returns the changed item, or undefined to skip it (with the reason). */
  execute(item: KubeObject, ctx: RestoreContext): { item: KubeObject } | { skip: string };
}

export type Json = Record<string, unknown>;
export const obj = (v: unknown): Json => (v && typeof v === 'object' ? (v as Json) : {});
