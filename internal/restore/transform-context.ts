// The context every item's transformation needs, built once per restore — by the engine, and again
// by the fidelity check from the stored Restore object so both transform identically.
import type { KubeObject } from '../kube/list.ts';
import { VOLUME_SNAPSHOT_NAME } from '../snapshots/csi-objects.ts';
import { isProvisionedAnew } from './actions/persistent-volume.ts';
import type { ResourceModifiers } from './modifiers/rules.ts';
import type { Restore } from './restore-object.ts';
import type { StagedBackup } from './staged-backup.ts';
import type { TransformContext } from './transform-item.ts';

/**
 * Backed-up PVs that are provisioned anew rather than restored (Velero's pvsToProvision): reclaim
 * policy Delete without a snapshot, and — Velero's rule for file-system backups — any PV whose claim
 * (`ns/name` in the backup) has its data in a file-system backup: the data goes into a new volume.
 */
export async function volumesProvisionedAnew(staged: StagedBackup, claimsWithFsData: ReadonlySet<string> = new Set(), volumesWithSnapshots: ReadonlySet<string> = new Set()): Promise<Set<string>> {
  const out = new Set<string>();
  // Claims whose data is in a CSI snapshot are provisioned from it: their old PV is not restored.
  const claimsWithVolumeData = new Set(claimsWithFsData);
  for (const pvc of staged.itemsOf('persistentvolumeclaims')) {
    const item = (await staged.read(pvc, 'persistentvolumeclaims').catch(() => undefined)) as KubeObject | undefined;
    if (item?.metadata?.annotations?.[VOLUME_SNAPSHOT_NAME]) claimsWithVolumeData.add(`${item.metadata.namespace}/${item.metadata.name}`);
  }
  for (const pv of staged.itemsOf('persistentvolumes')) {
    // A corrupt PV is reported when the PV tier reaches it; it cannot fail the whole restore here.
    const item = (await staged.read(pv, 'persistentvolumes').catch(() => undefined)) as { spec?: { claimRef?: { namespace?: string; name?: string } } } | undefined;
    if (!item) continue;
    const claim = item.spec?.claimRef;
    if (volumesWithSnapshots.has(pv.name)) continue;
    if (isProvisionedAnew(item) || (claim && claimsWithVolumeData.has(`${claim.namespace}/${claim.name}`))) out.add(pv.name);
  }
  return out;
}

export function transformContext(restore: Restore, volumes: Set<string>, modifiers?: ResourceModifiers, volumesWithSnapshots?: ReadonlySet<string>): TransformContext {
  const spec = restore.spec;
  return {
    preserveNodePorts: spec.preserveNodePorts ?? false,
    namespaceMapping: spec.namespaceMapping ?? {},
    volumesProvisionedAnew: volumes,
    ...(volumesWithSnapshots?.size ? { volumesWithSnapshots } : {}),
    // Velero uses the Restore's UID; ours has none, and its name is unique in the location.
    restoreUid: restore.metadata.name,
    restorePVs: spec.restorePVs !== false,
    backupName: spec.backupName,
    restoreName: restore.metadata.name,
    modifiers,
  };
}
