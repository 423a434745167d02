import type { KubeObject } from '../cluster-source.ts';
import type { ActionContext } from './action.ts';

export function obj(apiVersion: string, kind: string, name: string, namespace: string | undefined, rest: Record<string, unknown> = {}): KubeObject {
  const { metadata, ...body } = rest as { metadata?: Record<string, unknown> };
  return { apiVersion, kind, metadata: { name, ...(namespace ? { namespace } : {}), ...metadata }, ...body } as KubeObject;
}

export function context(clusterRoleBindings: KubeObject[] = []): ActionContext & { listed: number } {
  const ctx = {
    backupName: 'b1',
    listed: 0,
    async clusterRoleBindings() {
      ctx.listed++;
      return clusterRoleBindings;
    },
  };
  return ctx;
}
