// The restore engine: with the backup staged on disk, visit resources in Velero's priority order;
// within one resource, items go in parallel (bounded by --concurrency). CRDs are waited for until
// the API server serves them before custom resources. Each item is filtered, transformed (metadata
// reset, item actions, modifiers, mapping, labels) and applied; its outcome is recorded.
import { BackupLog } from '../backup/backup-log.ts';
import { ByteBudget } from '../collections/byte-budget.ts';
import { pool } from '../collections/pool.ts';
import { type ApiResource, discoverResources } from '../kube/discovery.ts';
import { KubeApiError } from '../kube/errors.ts';
import type { KubeWriter } from '../kube/http-client.ts';
import type { KubeObject } from '../kube/list.ts';
import type { ResultsCollector } from '../backup/results.ts';
import { applyItem } from './apply-item.ts';
import { ItemFilter } from './item-filter.ts';
import type { ResourceModifiers } from './modifiers/rules.ts';
import { NamespaceEnsurer } from './namespace-ensurer.ts';
import { type ItemRef, OutcomeRecorder } from './outcome-recorder.ts';
import { restoreOrder } from './priorities.ts';
import { addRestoreLabels } from './reset-metadata.ts';
import type { Restore } from './restore-object.ts';
import { shouldRestoreStatus } from './restore-status.ts';
import { CorruptItemError, StagedBackup, type StagedItem, type StagedItemList } from './staged-backup.ts';
import { GcPacer } from '../runtime/gc-pacer.ts';
import { identityProblem } from './item-identity.ts';
import { transformContext, volumesProvisionedAnew } from './transform-context.ts';
import { transformItem } from './transform-item.ts';
import { waitForCrdsServed } from './wait-crds.ts';
import type { RestoreResourceList } from './restore-resource-list.ts';

export interface RestoreRun {
  restore: Restore;
  log: BackupLog;
  results: ResultsCollector;
  /**
   * Velero's resource list: `{"v1/ConfigMap": ["ns/name(created)", …]}` (toJSON), and as stored
   * (gzippedJson). Its sort runs are temp files already unlinked: close() frees them sooner than the
   * process's exit does.
   */
  resourceList: RestoreResourceList;
  /** The dry-run preview lines, one per object. */
  preview: string[];
}

export interface RestoreInput {
  restore: Restore;
  staged: StagedBackup;
  client: KubeWriter;
  concurrency?: number;
  dryRun?: boolean;
  modifiers?: ResourceModifiers;
  onProgress?: (done: number, total: number) => void;
  onLogLine?: (line: string) => void;
  crdTimeoutMs?: number;
  /** Claims (`ns/name` in the backup) whose data a pod step restores: their PVs are provisioned anew. */
  claimsWithVolumeData?: ReadonlySet<string>;
  /** Native snapshots of the backup's PVs: a PV is pointed at a new volume made from its snapshot. */
  nativeSnapshots?: NativeVolumeRestorer;
  /** Work around each restored pod: init containers added before the create, work after it. A function gets the restore's log. */
  podSteps?: readonly RestorePodStep[] | ((log: BackupLog) => readonly RestorePodStep[]);
}

export interface NativeVolumeRestorer {
  /** Names of the backed-up PVs that have a snapshot. */
  volumes: ReadonlySet<string>;
  /** The PV (as it will be created) pointed at a new volume made from its snapshot, or why not. */
  restore(pv: KubeObject): Promise<{ pv: KubeObject } | { error: string }>;
}

/** Where a pod step reports what went wrong; the restore goes on. */
export interface RestoreStepReport {
  warn(message: string): void;
  error(message: string): void;
}

export interface RestorePodStep {
  /** The pod about to be created (after every transformation, in the target namespace); may add init containers. */
  prepare?(pod: KubeObject, original: KubeObject): KubeObject;
  /** The pod was created (never in a dry run): work that runs alongside the restore and is awaited before it ends. */
  created?(pod: KubeObject, original: KubeObject, report: RestoreStepReport): Promise<void>;
}

/**
 * A created pod's step work, one step after the other in reverse order of `prepare`: the last step
 * to prepare put its init container first, so its work must be done first (volume data before the
 * exec hooks that wait for the application). After a failure the later steps are skipped.
 */
async function afterCreate(steps: readonly RestorePodStep[], pod: KubeObject, original: KubeObject, report: RestoreStepReport, what: string): Promise<void> {
  for (const step of [...steps].reverse()) {
    if (!step.created) continue;
    try {
      await step.created(pod, original, report);
    } catch (error) {
      report.error(`${what}: ${(error as Error).message}`);
      return;
    }
  }
}

const CRDS = 'customresourcedefinitions.apiextensions.k8s.io';
const ITEM_BYTES_IN_FLIGHT = 8 * 1024 * 1024;

/** The indexes of the items `keep` keeps, in order. */
function selectedIndexes(items: StagedItemList, keep: (namespace: string | undefined, name: string) => boolean): Uint32Array {
  const out = new Uint32Array(items.length);
  let kept = 0;
  for (let i = 0; i < items.length; i++) if (keep(items.namespaceAt(i), items.nameAt(i))) out[kept++] = i;
  return kept === out.length ? out : out.slice(0, kept);
}

export async function runRestore(input: RestoreInput): Promise<RestoreRun> {
  const { restore, staged, client } = input;
  const spec = restore.spec;
  const dryRun = input.dryRun ?? false;
  const log = new BackupLog(`${restore.metadata.namespace}/${restore.metadata.name}`, input.onLogLine, undefined, 'restore');
  const rec = new OutcomeRecorder(log, dryRun);
  const podSteps = typeof input.podSteps === 'function' ? input.podSteps(log) : (input.podSteps ?? []);
  const filter = new ItemFilter(spec);
  const mapping = spec.namespaceMapping ?? {};
  const snapshotted = dryRun || spec.restorePVs === false ? new Set<string>() : (input.nativeSnapshots?.volumes ?? new Set<string>());
  const ctx = transformContext(restore, await volumesProvisionedAnew(staged, input.claimsWithVolumeData, snapshotted), input.modifiers, snapshotted);
  log.info(`Starting restore of backup ${spec.backupName}`, { dryRun: dryRun ? 'true' : undefined });

  let served = new Map((await discoverResources(client)).resources.map((r) => [r.groupResource, r] as const));
  /** CRDs a dry run would create: their custom resources cannot be checked by the server. */
  const previewOnlyResources = new Set<string>();

  const reverseMapping = new Map(Object.entries(mapping).map(([from, to]) => [to, from]));
  const namespaceItems = new Map([...staged.itemsOf('namespaces')].map((i) => [i.name, i]));
  const namespaces = new NamespaceEnsurer(client, served.get('namespaces')!, { dryRun }, async (target) => {
    const source = reverseMapping.get(target) ?? target;
    const backedUp = namespaceItems.get(source);
    // A corrupt Namespace item is reported by the namespaces tier; the namespace is made bare.
    const original = backedUp ? ((await staged.read(backedUp, 'namespaces').catch(() => undefined)) as KubeObject | undefined) : undefined;
    if (original && original.apiVersion === 'v1' && original.kind === 'Namespace') {
      const t = transformItem('namespaces', original, ctx);
      if ('item' in t) return t.item;
    }
    return addRestoreLabels({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: target } }, spec.backupName, restore.metadata.name);
  });

  // Which items each resource restores (their indexes in its staged list), by coordinates; the
  // total is what progress counts.
  const order = restoreOrder(staged.items.keys());
  const selected = new Map<string, Uint32Array>();
  for (const gr of order) {
    const skip = filter.skipResource(gr);
    if (skip) {
      log.info('Skipping resource', { resource: gr, reason: skip });
      continue;
    }
    selected.set(gr, selectedIndexes(staged.itemsOf(gr), (namespace, name) => !filter.skipByLocation(gr, namespace, name)));
  }
  const total = [...selected.values()].reduce((n, l) => n + l.length, 0);
  let done = 0;
  /** Work pod steps started after a create (volume data, exec hooks); awaited before the restore ends. */
  const podWork: Promise<void>[] = [];

  for (const c of staged.corrupt) corrupt(c.namespace, c.path, new CorruptItemError(c.path, c.problem).message);

  function corrupt(namespace: string | undefined, path: string, message: string): void {
    rec.results.error(namespace !== undefined ? { namespace: mapping[namespace] ?? namespace } : 'velero', message);
    log.error('Corrupt item not restored', { path, error: message });
  }

  async function restoreOne(groupResource: string, staged_: StagedItem, createdCrds: string[]): Promise<void> {
    let original: KubeObject;
    try {
      original = (await staged.read(staged_, groupResource)) as KubeObject;
    } catch (error) {
      if (!(error instanceof CorruptItemError)) throw error;
      return corrupt(staged_.namespace, error.path, error.message);
    }
    // Before anything looks at its content: the item must be the object its path names.
    const resource = served.get(groupResource);
    const mismatch = resource && identityProblem(resource, original, staged_.namespace !== undefined);
    if (mismatch) {
      const path = StagedBackup.pathOf(groupResource, staged_);
      return corrupt(staged_.namespace, path, new CorruptItemError(path, mismatch).message);
    }
    const skip = filter.skipByContent(groupResource, original);
    if (skip) return log.info('Not restoring item', { resource: groupResource, name: staged_.name, reason: skip });
    const targetNs = staged_.namespace !== undefined ? (mapping[staged_.namespace] ?? staged_.namespace) : undefined;
    const ref: ItemRef = { groupResource, listKey: `${original.apiVersion}/${original.kind}`, kind: original.kind, namespace: targetNs, name: groupResource === 'namespaces' ? (mapping[staged_.name] ?? staged_.name) : staged_.name };
    const transformed = transformItem(groupResource, original, ctx);
    if ('skip' in transformed) return rec.skipped(ref, transformed.skip);
    for (const e of transformed.modifierErrors) rec.results.error(targetNs ? { namespace: targetNs } : 'cluster', e);
    if (previewOnlyResources.has(groupResource)) return rec.previewedUnchecked(ref, 'its CRD is new');
    if (!resource) return rec.error(ref, `the target cluster does not serve ${groupResource}`);
    if (targetNs) {
      try {
        const ns = await namespaces.ensure(targetNs);
        if (ns === 'created') rec.outcome({ groupResource: 'namespaces', listKey: 'v1/Namespace', kind: 'Namespace', name: targetNs }, { action: 'created', created: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: targetNs } } });
      } catch (error) {
        return rec.error(ref, (error as Error).message);
      }
      if (namespaces.previewOnly.has(targetNs)) return rec.previewedUnchecked(ref, 'in a new namespace');
    }
    // The item goes to the version it was backed up at (the path must match its apiVersion).
    const target: ApiResource = { ...resource, groupVersion: original.apiVersion };
    const status = shouldRestoreStatus(spec.restoreStatus, groupResource, original) ? (original as { status?: unknown }).status : undefined;
    const isPod = groupResource === 'pods' && !dryRun && podSteps.length > 0;
    let item = transformed.item;
    if (isPod) for (const step of podSteps) item = step.prepare?.(item, original) ?? item;
    if (groupResource === 'persistentvolumes' && snapshotted.has(staged_.name) && input.nativeSnapshots) {
      // Velero's order: a PV that exists already is left alone (no disk is made for it).
      const existing = await client.getJson(`/api/v1/persistentvolumes/${encodeURIComponent(item.metadata.name)}`).then(
        () => true,
        (error: unknown) => (error instanceof KubeApiError && error.isNotFound ? false : Promise.reject(error)),
      );
      if (!existing) {
        const restored = await input.nativeSnapshots.restore(item);
        if ('error' in restored) return rec.error(ref, restored.error);
        item = restored.pv;
        log.info('Volume created from its native snapshot', { persistentVolume: item.metadata.name });
      }
    }
    const outcome = await applyItem(client, target, item, { policy: spec.existingResourcePolicy ?? 'none', dryRun, status });
    rec.outcome(ref, outcome);
    if (isPod && outcome.action === 'created') {
      const report: RestoreStepReport = { warn: (m) => rec.warning(ref, m), error: (m) => rec.results.error(targetNs ? { namespace: targetNs } : 'cluster', m) };
      podWork.push(afterCreate(podSteps, outcome.created, original, report, `${ref.kind} ${targetNs}/${ref.name}`));
    }
    if (groupResource === 'namespaces' && outcome.action !== 'failed') namespaces.markReady(ref.name, dryRun && outcome.action === 'created');
    if (groupResource === CRDS && outcome.action === 'created') createdCrds.push(transformed.item.metadata.name);
  }

  // Parsed items in flight at once, by their JSON size (see ByteBudget): bounded memory for any archive.
  const budget = new ByteBudget(ITEM_BYTES_IN_FLIGHT);
  const gcPacer = new GcPacer();
  for (const [groupResource, indexes] of selected) {
    const createdCrds: string[] = [];
    const items = staged.itemsOf(groupResource);
    await pool(indexes, input.concurrency ?? 8, async (index) => {
      let item: StagedItem | undefined;
      try {
        item = items.at(index);
        await budget.run(item.length, () => restoreOne(groupResource, item!, createdCrds));
      } catch (error) {
        // A bug or an unreadable staged file must not stop the other items.
        const which = item ? `${item.namespace ?? ''}/${item.name}` : `item ${index} (its staged name could not be read)`;
        rec.results.error('velero', `error restoring ${groupResource} ${which}: ${(error as Error).message}`);
      } finally {
        gcPacer.tick();
        input.onProgress?.(++done, total);
      }
    });
    if (createdCrds.length && dryRun) for (const crd of createdCrds) previewOnlyResources.add(crd);
    if (createdCrds.length && !dryRun) {
      const discovery = await waitForCrdsServed(client, createdCrds, log, input.crdTimeoutMs);
      served = new Map(discovery.resources.map((r) => [r.groupResource, r] as const));
    }
  }

  if (podWork.length) {
    log.info(`Waiting for the work on ${podWork.length} restored pods (volume data, hooks)`);
    await Promise.all(podWork);
  }
  const { results } = rec;
  log.info(`Restore completed: ${rec.restored} items restored, ${results.errors} errors, ${results.warnings} warnings`);
  restore.status.progress = { totalItems: total, itemsRestored: rec.restored };
  restore.status.warnings = results.warnings;
  restore.status.errors = results.errors;
  restore.status.phase = results.errors > 0 ? 'PartiallyFailed' : 'Completed';
  return { restore, log, results, resourceList: rec.resourceList, preview: rec.preview };
}
