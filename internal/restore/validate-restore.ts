// The checks Velero's restore controller makes before it starts (FailedValidation when one fails).
import { validateIncludesExcludes } from '../collections/includes-excludes.ts';
import { validateNamespaceIncludesExcludes } from '../collections/namespace-filter.ts';
import type { RestoreSpec } from './restore-object.ts';

export function validateRestoreSpec(spec: RestoreSpec): string[] {
  const errors: string[] = [];
  for (const e of validateIncludesExcludes(spec.includedResources, spec.excludedResources)) errors.push(`Invalid included/excluded resource lists: ${e}`);
  for (const e of validateNamespaceIncludesExcludes(spec.includedNamespaces, spec.excludedNamespaces)) errors.push(`Invalid included/excluded namespace lists: ${e}`);
  if (spec.labelSelector && spec.orLabelSelectors?.length) errors.push('encountered labelSelector as well as orLabelSelectors in restore spec, only one can be specified');
  if (spec.existingResourcePolicy && spec.existingResourcePolicy !== 'none' && spec.existingResourcePolicy !== 'update') errors.push(`Invalid existingResourcePolicy: ${spec.existingResourcePolicy}`);
  for (const [from, to] of Object.entries(spec.namespaceMapping ?? {})) {
    if (spec.excludedNamespaces?.includes(from)) errors.push(`namespace mapping source ${from} is excluded`);
    if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(to) || to.length > 63) errors.push(`invalid namespace mapping target "${to}": not a valid namespace name`);
  }
  return errors;
}
