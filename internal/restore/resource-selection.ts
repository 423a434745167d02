// `--include-resources`/`--exclude-resources` name a resource as `resource.group` or just
// `resource` (Velero resolves the short form through discovery; a backup's resources are already
// `resource.group`, so both spellings are matched here). Excludes win.
import { type IncludesExcludes, matchesAny } from '../collections/includes-excludes.ts';

export function resourceSelected(filter: IncludesExcludes, groupResource: string): boolean {
  const names = [groupResource, groupResource.split('.')[0]!];
  if (names.some((n) => filter.isExcluded(n))) return false;
  return filter.includes.size === 0 || filter.includes.has('*') || names.some((n) => matchesAny(filter.includes, n));
}
