// The fidelity report (beyond Velero): after a restore, every object the restore created, updated
// or kept is read back from the cluster and compared with what the backup says it should be — the
// backed-up object put through the same transformation the restore applied (transform-item.ts,
// with the restore's own mapping, node-port choice and modifier rules), judged by
// fidelity-compare.ts. The e2e suite uses this as its oracle.
import { discoverResources, type ApiResource } from '../kube/discovery.ts';
import type { KubeRequester } from '../kube/http-client.ts';
import { getObject, type KubeObject } from '../kube/list.ts';
import { compareRestored, outcomesByObject } from './fidelity-compare.ts';
import type { FieldDifference } from './object-diff.ts';
import type { ResourceModifiers } from './modifiers/rules.ts';
import { NEVER_RESTORED } from './priorities.ts';
import type { Restore } from './restore-object.ts';
import { identityProblem } from './item-identity.ts';
import { transformContext, volumesProvisionedAnew } from './transform-context.ts';
import type { StagedBackup } from './staged-backup.ts';
import { transformItem } from './transform-item.ts';

export interface FidelityReport {
  checked: number;
  missing: string[];
  different: { object: string; differences: FieldDifference[] }[];
}

/**
 * Where a PV names its disk. A PV restored from a native snapshot names a new disk, made from the
 * snapshot by the restore (Velero's SetVolumeID): that one field is the cluster's to tell.
 */
const DISK_IDENTITY: readonly (readonly [string, readonly string[]])[] = [
  ['awsElasticBlockStore', ['volumeID']],
  ['csi', ['volumeHandle']],
  ['gcePersistentDisk', ['pdName']],
  ['azureDisk', ['diskName', 'diskURI']],
];

export function withDiskOf(wanted: KubeObject, live: KubeObject): KubeObject {
  const liveSpec = (live as { spec?: Record<string, Record<string, unknown> | undefined> }).spec ?? {};
  const spec = { ...((wanted as { spec?: Record<string, unknown> }).spec ?? {}) } as Record<string, Record<string, unknown> | undefined>;
  for (const [source, fields] of DISK_IDENTITY) {
    if (!spec[source] || !liveSpec[source]) continue;
    spec[source] = { ...spec[source] };
    for (const field of fields) if (liveSpec[source][field] !== undefined) spec[source][field] = liveSpec[source][field];
  }
  return { ...wanted, spec } as KubeObject;
}

/**
 * `nativeSnapshotVolumes`: the PVs the backup holds native snapshots of (its volumesnapshots file).
 * The restore put them back whatever their reclaim policy, each on a disk made from its snapshot.
 */
export async function checkFidelity(restore: Restore, resourceList: Record<string, string[]>, staged: StagedBackup, client: KubeRequester, modifiers?: ResourceModifiers, nativeSnapshotVolumes: ReadonlySet<string> = new Set()): Promise<FidelityReport> {
  const served = new Map<string, ApiResource>((await discoverResources(client)).resources.map((r) => [r.groupResource, r]));
  const outcomes = outcomesByObject(resourceList);
  const snapshotted = restore.spec.restorePVs === false ? new Set<string>() : nativeSnapshotVolumes;
  const ctx = transformContext(restore, await volumesProvisionedAnew(staged, undefined, snapshotted), modifiers, snapshotted);
  const report: FidelityReport = { checked: 0, missing: [], different: [] };
  for (const [groupResource, items] of staged.items) {
    if (NEVER_RESTORED.has(groupResource)) continue;
    const resource = served.get(groupResource);
    for (const item of items) {
      // Corrupt items were reported by the restore, and not restored: nothing to compare.
      const original = (await staged.read(item, groupResource).catch(() => undefined)) as KubeObject | undefined;
      if (!original || (resource && identityProblem(resource, original, item.namespace !== undefined))) continue;
      const transformed = transformItem(groupResource, original, ctx);
      if ('skip' in transformed) continue;
      let wanted = transformed.item;
      const label = `${wanted.metadata.namespace ? `${wanted.metadata.namespace}/` : ''}${wanted.metadata.name}`;
      const restoredAs = outcomes.get(`${original.apiVersion}/${original.kind} ${label}`);
      if (restoredAs === undefined || restoredAs === 'failed') continue;
      const live = resource ? await getObject(client, { ...resource, groupVersion: original.apiVersion }, wanted.metadata.namespace, wanted.metadata.name) : undefined;
      if (live && groupResource === 'persistentvolumes' && snapshotted.has(original.metadata.name)) wanted = withDiskOf(wanted, live);
      const verdict = compareRestored(wanted, live, restoredAs);
      report.checked++;
      if (verdict.state === 'missing') report.missing.push(`${groupResource} ${label}`);
      if (verdict.state === 'different') report.different.push({ object: `${groupResource} ${label}`, differences: verdict.differences });
    }
  }
  return report;
}
