// Turns a backed-up item into the object to create, in Velero's order (restore.go restoreItem):
// metadata reset and status removal, the restore item actions, the resource modifier rules (both
// see the item's original namespace), then the namespace mapping and the restore labels. The
// fidelity check runs the same function, so "what we meant to create" has one definition.
import type { KubeObject } from '../kube/list.ts';
import { actionsFor } from './actions/index.ts';
import type { RestoreContext } from './actions/types.ts';
import { applyResourceModifiers } from './modifiers/apply-modifiers.ts';
import type { ResourceModifiers } from './modifiers/rules.ts';
import { addRestoreLabels, resetMetadataAndStatus } from './reset-metadata.ts';

export interface TransformContext extends RestoreContext {
  backupName: string;
  restoreName: string;
  modifiers?: ResourceModifiers;
}

export type Transformed = { item: KubeObject; modifierErrors: string[] } | { skip: string };

/** The server sets this label to the namespace's name; a renamed namespace gets the new one. */
const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';

export function transformItem(groupResource: string, original: KubeObject, ctx: TransformContext): Transformed {
  let item = resetMetadataAndStatus(original);
  for (const action of actionsFor(groupResource)) {
    const result = action.execute(item, ctx, original);
    if ('skip' in result) return { skip: `${action.name}: ${result.skip}` };
    item = result.item;
  }
  const modified = applyResourceModifiers(ctx.modifiers, item, groupResource);
  // The rules' patches may put their own values into the item: a copy, so that what follows never
  // changes the rules. Without rules the item is already this restore's own copy.
  item = ctx.modifiers ? structuredClone(modified.item) : modified.item;
  // managedFields: the API server records its own on create; copied ones would name the old managers.
  delete (item.metadata as Record<string, unknown>).managedFields;
  const ns = item.metadata.namespace;
  if (ns && ctx.namespaceMapping[ns]) item.metadata.namespace = ctx.namespaceMapping[ns];
  if (groupResource === 'namespaces' && ctx.namespaceMapping[item.metadata.name]) {
    item.metadata.name = ctx.namespaceMapping[item.metadata.name]!;
    if (item.metadata.labels?.[NAMESPACE_NAME_LABEL]) item.metadata.labels[NAMESPACE_NAME_LABEL] = item.metadata.name;
  }
  return { item: addRestoreLabels(item, ctx.backupName, ctx.restoreName), modifierErrors: modified.errors };
}
