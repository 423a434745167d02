// Creates one object in the target cluster (or, in a dry run, asks the server what would happen:
// every write carries dryRun=All). An object that already exists is compared with the backed-up
// one, not overwritten (Velero's rule): unchanged, or different — a warning, or with
// --existing-resource-policy=update a merge patch to the backup's content. ServiceAccounts that
// exist are merged (Velero's mergeServiceAccounts). With status restore on, the backed-up status
// is written through the status subresource after the create.
import type { ApiResource } from '../kube/discovery.ts';
import { KubeApiError } from '../kube/errors.ts';
import type { KubeWriter } from '../kube/http-client.ts';
import { type KubeObject, resourcePath } from '../kube/list.ts';
import { withRetry } from '../kube/retry.ts';
import { serviceAccountMergePatch } from './actions/service-account.ts';
import { type FieldDifference, shownDifferences, subsetDifferences } from './object-diff.ts';
import { withoutRestoreLabels } from './reset-metadata.ts';
import { quoteUntrusted } from '../text/quote.ts';
import type { ExistingResourcePolicy } from './restore-object.ts';

export type ItemOutcome = (
  | { action: 'created'; created: KubeObject }
  | { action: 'updated'; differences: FieldDifference[] }
  | { action: 'unchanged' }
  | { action: 'exists-different'; differences: FieldDifference[] }
  | { action: 'update-refused'; differences: FieldDifference[] }
  | { action: 'failed'; message: string }
) & { warnings?: string[] };

export interface ApplyOptions {
  policy: ExistingResourcePolicy;
  dryRun: boolean;
  /** The backed-up status to write after create, when status restore applies to this item. */
  status?: unknown;
}

/**
 * Answers worth waiting out while a restore runs: a custom resource whose CRD was established a
 * moment ago (404 "could not find the requested resource"), a namespace still terminating from
 * an earlier delete, optimistic-concurrency conflicts. 5xx/429/network errors are already retried
 * by the HTTP client.
 */
export function isRestoreTransient(error: unknown): boolean {
  if (!(error instanceof KubeApiError)) return false;
  if (error.status === 404 && /could not find the requested resource/i.test(error.message)) return true;
  if (error.status === 403 && /being terminated/i.test(error.message)) return true;
  return error.status === 409 && error.reason === 'Conflict';
}

export const WRITE_RETRY = { attempts: 8, baseDelayMs: 250, maxDelayMs: 5_000 };

export async function applyItem(client: KubeWriter, resource: ApiResource, item: KubeObject, opts: ApplyOptions): Promise<ItemOutcome> {
  const ns = resource.namespaced ? item.metadata.namespace : undefined;
  const query = opts.dryRun ? { dryRun: 'All' } : {};
  const retry = <T>(call: () => Promise<T>) => withRetry(call, isRestoreTransient, WRITE_RETRY);
  let createError: unknown;
  try {
    const created = await retry(() => client.sendJson<KubeObject>('POST', resourcePath(resource, ns), item, query));
    const warnings = opts.status !== undefined && !opts.dryRun ? await writeStatus(client, resource, ns, created, opts.status) : [];
    return { action: 'created', created, ...(warnings.length ? { warnings } : {}) };
  } catch (error) {
    createError = error;
  }
  const path = resourcePath(resource, ns, item.metadata.name);
  const alreadyExists = createError instanceof KubeApiError && createError.status === 409 && createError.reason !== 'Conflict';
  // Velero's isAlreadyExistsError: re-creating an existing Service with a kept node port answers
  // 422 "provided port is already allocated" (or 500), not 409 — look before calling it a failure.
  const maybeExists = createError instanceof KubeApiError && (createError.status === 422 || createError.status === 500);
  if (!alreadyExists && !maybeExists) return { action: 'failed', message: messageOf(createError) };
  let live: KubeObject;
  try {
    live = await retry(() => client.getJson<KubeObject>(path));
  } catch (error) {
    if (maybeExists) return { action: 'failed', message: messageOf(createError) };
    return { action: 'failed', message: `it exists, but reading it failed: ${messageOf(error)}` };
  }
  // What the GET returned must be the item's object: never compare with, or patch, another one.
  const liveIs = live?.metadata?.name === item.metadata.name && (live.kind === undefined || live.kind === resource.kind) && (!resource.namespaced || live.metadata.namespace === ns);
  if (!liveIs) return { action: 'failed', message: `refusing to change ${resource.kind} ${quoteUntrusted(item.metadata.name)}: the API server answered with another object (${quoteUntrusted(`${live?.kind ?? '?'} ${live?.metadata?.namespace ? `${live.metadata.namespace}/` : ''}${live?.metadata?.name ?? '?'}`)})` };
  // It exists: compare, ignoring our labels, which an older object lacks.
  const differences = shownDifferences(item.kind, subsetDifferences(withoutRestoreLabels(item), live));
  try {
    if (resource.groupResource === 'serviceaccounts') {
      const patch = serviceAccountMergePatch(live as Record<string, unknown>, item as Record<string, unknown>);
      if (!patch) return { action: 'unchanged' };
      await retry(() => client.sendJson('PATCH', path, patch, query));
      return { action: 'updated', differences };
    }
    if (opts.policy !== 'update') return differences.length ? { action: 'exists-different', differences } : { action: 'unchanged' };
    // update: a merge patch with the backup's content (lists replace, maps merge), which also
    // stamps this restore's labels on an unchanged object, as Velero does.
    const { apiVersion: _v, kind: _k, ...body } = item;
    try {
      await retry(() => client.sendJson('PATCH', path, body, query));
    } catch (error) {
      // Velero's rule: a refused update (an immutable field, a pod's spec) is a warning, and the
      // restore's labels are still stamped so the object is known to belong to it.
      const warnings = [`could not update ${resource.kind} "${item.metadata.name}" to the backed-up version: ${messageOf(error)}`];
      const labels = item.metadata.labels;
      if (labels && Object.keys(labels).length) {
        try {
          await retry(() => client.sendJson('PATCH', path, { metadata: { labels } }, query));
        } catch (labelError) {
          warnings.push(`could not update the labels of ${resource.groupResource} ${item.metadata.name}: ${messageOf(labelError)}`);
        }
      }
      return { action: 'update-refused', differences, warnings };
    }
    return differences.length ? { action: 'updated', differences } : { action: 'unchanged' };
  } catch (error) {
    return { action: 'failed', message: messageOf(error) };
  }
}

/** PUT .../status with the created object's resourceVersion, re-read on conflict. A failure is a warning (Velero's rule). */
async function writeStatus(client: KubeWriter, resource: ApiResource, ns: string | undefined, created: KubeObject, status: unknown): Promise<string[]> {
  const path = `${resourcePath(resource, ns, created.metadata.name)}/status`;
  let current = created;
  try {
    await withRetry(
      async (attempt) => {
        if (attempt > 0) current = await client.getJson<KubeObject>(resourcePath(resource, ns, created.metadata.name));
        await client.sendJson('PUT', path, { ...current, status });
      },
      (error) => error instanceof KubeApiError && error.status === 409,
      WRITE_RETRY,
    );
    return [];
  } catch (error) {
    return [`status of ${resource.groupResource} ${created.metadata.name} not restored: ${messageOf(error)}`];
  }
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
