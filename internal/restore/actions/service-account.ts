// ServiceAccounts (Velero's service_account_action.go): the auto-created `<name>-token-*` secret
// reference goes — the token controller of the target cluster issues its own. (When the account
// already exists, apply-item.ts merges instead of replacing: mergeServiceAccount below.)
import { copyOf, list, obj, type Json, type RestoreItemAction } from './types.ts';

export const serviceAccountAction: RestoreItemAction = {
  name: 'service-account',
  appliesTo: ['serviceaccounts'],
  execute(item) {
    const out = copyOf(item);
    const prefix = `${item.metadata.name}-token-`;
    if (Array.isArray(out.secrets)) {
      // Velero removes the last matching reference only (there is one per account in practice).
      const secrets = list(out.secrets);
      const at = secrets.map((s) => String(s.name ?? '')).findLastIndex((n) => n.startsWith(prefix));
      if (at >= 0) secrets.splice(at, 1);
      out.secrets = secrets;
    }
    return { item: out as typeof item };
  },
};

/**
 * Velero's mergeServiceAccounts: the in-cluster account gains the backed-up secrets,
 * imagePullSecrets, labels and annotations it lacks; nothing it has is overwritten.
 * Returns a JSON merge patch, or undefined when there is nothing to add.
 */
export function serviceAccountMergePatch(live: Json, backup: Json): Json | undefined {
  const patch: Json = {};
  for (const field of ['secrets', 'imagePullSecrets']) {
    const have = list(live[field]);
    const names = new Set(have.map((r) => r.name));
    const added = list(backup[field]).filter((r) => !names.has(r.name));
    if (added.length) patch[field] = [...have, ...added];
  }
  const metadata: Json = {};
  for (const field of ['labels', 'annotations']) {
    const have = obj(obj(live.metadata)[field]);
    const added = Object.fromEntries(Object.entries(obj(obj(backup.metadata)[field])).filter(([k]) => !(k in have)));
    if (Object.keys(added).length) metadata[field] = added;
  }
  if (Object.keys(metadata).length) patch.metadata = metadata;
  return Object.keys(patch).length ? patch : undefined;
}
