// The restore engine: stage the backup's items, then create them resource by resource in Velero's
// priority order, items of one resource in parallel (bounded), CRDs waited for until Established
// before custom resources. Results, per-item outcomes and the log come back for the store.
import { discoverResources, type ApiResource } from '../kube/discovery.ts';
import type { KubeWriter } from '../kube/http-client.ts';
import type { KubeObject } from '../kube/list.ts';
import { IncludesExcludes, matchesAny } from '../collections/includes-excludes.ts';
import { BackupLog } from '../backup/backup-log.ts';
import { ResultsCollector, scopeOf } from '../backup/results.ts';
import { applyItem } from './apply-item.ts';
import { formatDifferences } from './object-diff.ts';
import { NEVER_RESTORED, restoreOrder } from './priorities.ts';
import type { Restore, RestoreSpec } from './restore-object.ts';
import type { StagedBackup, StagedItem } from './staged-backup.ts';
import { transformItem } from './transform-item.ts';
import { waitForCrdsEstablished } from './wait-crds.ts';

export interface RestoreRun {
  restore: Restore;
  log: BackupLog;
  results: ResultsCollector;
  /** Velero's resource list: `{"v1/ConfigMap": ["ns/name(created)", …]}` */
  resourceList: Record<string, string[]>;
  /** The dry-run preview lines, one per object. */
  preview: string[];
}

export interface RestoreInput {
  restore: Restore;
  staged: StagedBackup;
  client: KubeWriter;
  concurrency?: number;
  dryRun?: boolean;
  onProgress?: (done: number, total: number) => void;
  onLogLine?: (line: string) => void;
}

async function pool<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(workers);
}

export async function runRestore(input: RestoreInput): Promise<RestoreRun> {
  const { restore, staged, client } = input;
  const spec: RestoreSpec = restore.spec;
  const log = new BackupLog(`${restore.metadata.namespace}/${restore.metadata.name}`, input.onLogLine, undefined, 'restore');
  const results = new ResultsCollector();
  const resourceList: Record<string, string[]> = {};
  const preview: string[] = [];
  const namespaces = new IncludesExcludes(spec.includedNamespaces ?? [], spec.excludedNamespaces ?? []);
  const resources = new IncludesExcludes(spec.includedResources ?? [], spec.excludedResources ?? []);
  const mapping = spec.namespaceMapping ?? {};
  const allNamespaces = namespaces.includeEverything();
  const ctx = { preserveNodePorts: spec.preserveNodePorts ?? false, namespaceMapping: mapping, backupName: spec.backupName, restoreName: restore.metadata.name };
  const dryRun = input.dryRun ?? false;

  let discovery = await discoverResources(client);
  const byGroupResource = () => new Map(discovery.resources.map((r) => [r.groupResource, r] as const));
  let served = byGroupResource();
  const total = [...staged.items.values()].reduce((n, list) => n + list.length, 0);
  let done = 0;
  let restored = 0;
  log.info(`Starting restore of backup ${spec.backupName}`, { dryRun: dryRun ? 'true' : undefined });

  const namespacesReady = new Set<string>();
  // In a dry run a new namespace is not really made, so the server cannot dry-run objects inside it.
  const namespacesOnlyPreviewed = new Set<string>();
  async function ensureNamespace(name: string): Promise<void> {
    if (namespacesReady.has(name)) return;
    const nsResource = served.get('namespaces')!;
    const outcome = await applyItem(client, nsResource, { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'velero.io/backup-name': spec.backupName, 'velero.io/restore-name': restore.metadata.name } } }, { policy: 'none', dryRun });
    if (outcome.action === 'failed') throw new Error(`could not create namespace ${name}: ${outcome.message}`);
    if (dryRun && outcome.action === 'created') namespacesOnlyPreviewed.add(name);
    namespacesReady.add(name);
  }

  for (const groupResource of restoreOrder(staged.items.keys())) {
    const items = staged.items.get(groupResource) ?? [];
    if (NEVER_RESTORED.has(groupResource)) {
      log.info('Skipping resource: never restored', { resource: groupResource });
      done += items.length;
      continue;
    }
    if (!resourceSelected(resources, groupResource)) {
      log.info('Skipping resource: excluded by the resource filters', { resource: groupResource });
      done += items.length;
      continue;
    }
    const resource: ApiResource | undefined = served.get(groupResource);
    const createdCrds: string[] = [];

    await pool(items, input.concurrency ?? 8, async (staged_: StagedItem) => {
      try {
        await restoreOne(groupResource, resource, staged_, createdCrds);
      } finally {
        done++;
        input.onProgress?.(done, total);
      }
    });

    if (createdCrds.length && !dryRun) {
      await waitForCrdsEstablished(client, createdCrds, log);
      discovery = await discoverResources(client);
      served = byGroupResource();
    }
  }

  async function restoreOne(groupResource: string, resource: ApiResource | undefined, item: StagedItem, createdCrds: string[]): Promise<void> {
    const sourceNs = item.namespace;
    if (groupResource === 'namespaces' ? !namespaces.shouldInclude(item.name) : sourceNs !== undefined && !namespaces.shouldInclude(sourceNs)) return;
    if (sourceNs === undefined && groupResource !== 'namespaces') {
      // Cluster-scoped: all of them with --include-cluster-resources, none with =false, and by
      // default only when the restore is not limited to some namespaces.
      if (spec.includeClusterResources === false || (spec.includeClusterResources === undefined && !allNamespaces)) return;
    }
    const original = (await staged.read(item)) as KubeObject;
    const key = resourceListKey(original);
    const targetNs = sourceNs !== undefined ? (mapping[sourceNs] ?? sourceNs) : undefined;
    const label = `${targetNs ? `${targetNs}/` : ''}${groupResource === 'namespaces' ? (mapping[item.name] ?? item.name) : item.name}`;
    const scope = scopeOf(targetNs);
    const record = (outcome: string) => (resourceList[key] ??= []).push(`${label}(${outcome})`);
    if (!resource) {
      results.error(scope, `${groupResource} ${label}: the target cluster does not serve ${groupResource}`);
      record('failed');
      return;
    }
    const transformed = transformItem(groupResource, original, ctx);
    if ('skip' in transformed) {
      log.info('Skipping item', { resource: groupResource, name: label, reason: transformed.skip });
      preview.push(`skip       ${groupResource} ${label}: ${transformed.skip}`);
      record('skipped');
      return;
    }
    if (targetNs) await ensureNamespace(targetNs);
    if (targetNs && namespacesOnlyPreviewed.has(targetNs)) {
      preview.push(`create     ${groupResource} ${label} (in a new namespace: not checked by the server)`);
      record('created');
      return;
    }
    const outcome = await applyItem(client, resource, transformed.item, { policy: spec.existingResourcePolicy ?? 'none', dryRun });
    switch (outcome.action) {
      case 'created':
        restored++;
        if (groupResource === 'namespaces') namespacesReady.add(transformed.item.metadata.name);
        if (groupResource === 'namespaces' && dryRun) namespacesOnlyPreviewed.add(transformed.item.metadata.name);
        if (groupResource === 'customresourcedefinitions.apiextensions.k8s.io') createdCrds.push(transformed.item.metadata.name);
        preview.push(`create     ${groupResource} ${label}`);
        log.info('Restored item', { resource: groupResource, name: label });
        record('created');
        break;
      case 'updated':
        restored++;
        preview.push(`update     ${groupResource} ${label}\n${formatDifferences(outcome.differences).map((l) => `             ${l}`).join('\n')}`);
        log.info('Updated existing item to the backup\'s content', { resource: groupResource, name: label });
        record('updated');
        break;
      case 'unchanged':
        if (groupResource === 'namespaces') namespacesReady.add(transformed.item.metadata.name);
        preview.push(`unchanged  ${groupResource} ${label}`);
        record('skipped');
        break;
      case 'exists-different':
        if (groupResource === 'namespaces') {
          namespacesReady.add(transformed.item.metadata.name);
          record('skipped');
          break;
        }
        results.warn(scope, `could not restore, ${transformed.item.kind} "${transformed.item.metadata.name}" already exists. Warning: the in-cluster version is different than the backed-up version`);
        preview.push(`skip       ${groupResource} ${label}: exists and differs (use --existing-resource-policy=update)\n${formatDifferences(outcome.differences).map((l) => `             ${l}`).join('\n')}`);
        record('skipped');
        break;
      case 'failed':
        results.error(scope, `error restoring ${groupResource} ${label}: ${outcome.message}`);
        preview.push(`fail       ${groupResource} ${label}: ${outcome.message}`);
        log.error('Error restoring item', { resource: groupResource, name: label, error: outcome.message });
        record('failed');
        break;
    }
  }

  for (const list of Object.values(resourceList)) list.sort();
  log.info(`Restore completed: ${restored} items restored, ${results.errors} errors, ${results.warnings} warnings`);
  restore.status.progress = { totalItems: total, itemsRestored: restored };
  restore.status.warnings = results.warnings;
  restore.status.errors = results.errors;
  restore.status.phase = results.errors > 0 ? 'PartiallyFailed' : 'Completed';
  return { restore, log, results, resourceList, preview };
}

/** `--include/exclude-resources` name a resource as `resource.group` or just `resource`; excludes win. */
export function resourceSelected(filter: IncludesExcludes, groupResource: string): boolean {
  const names = [groupResource, groupResource.split('.')[0]!];
  if (names.some((n) => filter.isExcluded(n))) return false;
  return filter.includes.size === 0 || filter.includes.has('*') || names.some((n) => matchesAny(filter.includes, n));
}

/** `v1/ConfigMap`, `apps/v1/Deployment`: the keys of Velero's resource lists. */
function resourceListKey(item: KubeObject): string {
  return `${item.apiVersion}/${item.kind}`;
}
