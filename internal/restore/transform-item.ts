// Turns a backed-up item into the object to create: namespace mapping, Velero's metadata reset and
// restore labels, then the restore item actions. The fidelity check runs the same function, so
// "what we meant to create" has one definition.
import type { KubeObject } from '../kube/list.ts';
import { actionsFor } from './actions/index.ts';
import type { RestoreContext } from './actions/types.ts';
import { resetMetadata } from './reset-metadata.ts';

export type Transformed = { item: KubeObject } | { skip: string };

export function transformItem(groupResource: string, original: KubeObject, ctx: RestoreContext & { backupName: string; restoreName: string }): Transformed {
  let item = resetMetadata(original, { backupName: ctx.backupName, restoreName: ctx.restoreName, keepStatus: false });
  const mappedNamespace = item.metadata.namespace ? ctx.namespaceMapping[item.metadata.namespace] : undefined;
  if (mappedNamespace) item.metadata = { ...item.metadata, namespace: mappedNamespace };
  const mappedName = groupResource === 'namespaces' ? ctx.namespaceMapping[item.metadata.name] : undefined;
  if (mappedName) {
    // The API server sets this label to the namespace's name; a renamed namespace gets the new one.
    const labels = { ...(item.metadata.labels ?? {}) };
    delete labels['kubernetes.io/metadata.name'];
    item.metadata = { ...item.metadata, name: mappedName, labels };
  }
  for (const action of actionsFor(groupResource)) {
    const result = action.execute(item, ctx);
    if ('skip' in result) return { skip: `${action.name}: ${result.skip}` };
    item = result.item;
  }
  return { item };
}
