// Creates one object in the target cluster (or, in a dry run, asks the server what would happen).
// An object that already exists is compared with the backed-up one, not overwritten: unchanged,
// or different (a warning; with --existing-resource-policy=update it is updated to the backup's content).
import type { ApiResource } from '../kube/discovery.ts';
import { KubeApiError } from '../kube/errors.ts';
import type { KubeWriter } from '../kube/http-client.ts';
import { type KubeObject, resourcePath } from '../kube/list.ts';
import { type FieldDifference, subsetDifferences } from './object-diff.ts';
import type { ExistingResourcePolicy } from './restore-object.ts';

export type ItemOutcome =
  | { action: 'created' }
  | { action: 'updated'; differences: FieldDifference[] }
  | { action: 'unchanged' }
  | { action: 'exists-different'; differences: FieldDifference[] }
  | { action: 'failed'; message: string };

export async function applyItem(
  client: KubeWriter,
  resource: ApiResource,
  item: KubeObject,
  opts: { policy: ExistingResourcePolicy; dryRun: boolean },
): Promise<ItemOutcome> {
  const ns = resource.namespaced ? item.metadata.namespace : undefined;
  const query = opts.dryRun ? { dryRun: 'All' } : {};
  try {
    await client.sendJson('POST', resourcePath(resource, ns), item, query);
    return { action: 'created' };
  } catch (error) {
    if (!(error instanceof KubeApiError) || error.status !== 409) return { action: 'failed', message: messageOf(error) };
  }
  // It exists (409 AlreadyExists): compare.
  let live: KubeObject;
  try {
    live = await client.getJson<KubeObject>(resourcePath(resource, ns, item.metadata.name));
  } catch (error) {
    return { action: 'failed', message: messageOf(error) };
  }
  const differences = subsetDifferences(withoutRestoreLabels(item), live);
  if (differences.length === 0) return { action: 'unchanged' };
  if (opts.policy !== 'update') return { action: 'exists-different', differences };
  try {
    const updated = { ...item, metadata: { ...item.metadata, resourceVersion: live.metadata.resourceVersion } };
    await client.sendJson('PUT', resourcePath(resource, ns, item.metadata.name), updated, query);
    return { action: 'updated', differences };
  } catch (error) {
    return { action: 'failed', message: messageOf(error) };
  }
}

/** The restore labels are ours; an existing object without them is still "the same". */
function withoutRestoreLabels(item: KubeObject): KubeObject {
  const labels = { ...(item.metadata.labels ?? {}) };
  delete labels['velero.io/backup-name'];
  delete labels['velero.io/restore-name'];
  return { ...item, metadata: { ...item.metadata, labels } };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
