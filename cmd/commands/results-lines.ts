// The first few errors of a run's results, so a backup or restore that did not complete says why
// on the terminal without another command. They quote the cluster and the archive: escaped.
import type { ResultGroup } from '../../internal/backup/results.ts';
import { safeLine } from '../../internal/text/quote.ts';

export function firstErrors(group: ResultGroup, limit: number): string[] {
  const all = [...(group.velero ?? []), ...(group.cluster ?? []), ...Object.values(group.namespaces ?? {}).flat()].map((l) => safeLine(l));
  return all.length > limit ? [...all.slice(0, limit), `… and ${all.length - limit} more`] : all;
}
