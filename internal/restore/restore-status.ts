// Whether a restored item also gets its backed-up status (Velero's determineRestoreStatus): the
// restore's status include/exclude lists by resource, overridden per object by the annotation
// velero.io/restore-status: "true" | "false".
import { IncludesExcludes } from '../collections/includes-excludes.ts';
import type { KubeObject } from '../kube/list.ts';
import { resourceSelected } from './resource-selection.ts';

export const RESTORE_STATUS_ANNOTATION = 'velero.io/restore-status';

export function shouldRestoreStatus(spec: { includedResources?: string[]; excludedResources?: string[] } | undefined, groupResource: string, item: KubeObject): boolean {
  // Velero only restores status when the list includes the resource; an absent list means none.
  let decision = spec?.includedResources?.length ? resourceSelected(new IncludesExcludes(spec.includedResources, spec.excludedResources ?? []), groupResource) : false;
  const annotation = item.metadata.annotations?.[RESTORE_STATUS_ANNOTATION]?.trim().toLowerCase();
  if (annotation === 'true') decision = true;
  if (annotation === 'false') decision = false;
  return decision;
}
