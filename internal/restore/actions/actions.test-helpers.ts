// Shared fixtures for the restore item action tests.
import type { KubeObject } from '../../kube/list.ts';
import type { ActionResult, RestoreContext, RestoreItemAction } from './types.ts';

export const context = (extra: Partial<RestoreContext> = {}): RestoreContext => ({
  preserveNodePorts: false,
  namespaceMapping: {},
  volumesProvisionedAnew: new Set(),
  restoreUid: 'r1',
  restorePVs: true,
  ...extra,
});

export function item(apiVersion: string, kind: string, name: string, namespace: string | undefined, rest: Record<string, unknown> = {}): KubeObject {
  const { metadata, ...body } = rest as { metadata?: Record<string, unknown> };
  return { apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}), ...(metadata ?? {}) }, ...body };
}

/** Runs the action and returns the changed item, failing the test when it skips. */
export function kept(action: RestoreItemAction, input: KubeObject, ctx = context()): any {
  const before = JSON.stringify(input);
  const out: ActionResult = action.execute(input, ctx);
  if (JSON.stringify(input) !== before) throw new Error(`${action.name} mutated its input`);
  if ('skip' in out) throw new Error(`unexpected skip: ${out.skip}`);
  return out.item;
}

export function skipped(action: RestoreItemAction, input: KubeObject, ctx = context()): string | undefined {
  const out = action.execute(input, ctx);
  return 'skip' in out ? out.skip : undefined;
}
