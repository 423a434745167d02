// The snapshot parts of `backup describe`, as Velero v1.18's describer prints them from the
// backup's volume info and item operations files (pkg/cmd/util/output/backup_describer.go).
import type { Backup } from '../../../internal/backup/backup-object.ts';
import type { Describer } from '../../../internal/text/describer.ts';
import type { BackupOperation, BackupVolumeInfo, ResourceIdentifier } from '../../../internal/snapshots/volume-info.ts';
import { goTime } from './format-backup.ts';

/** GroupResource.String(): `resource.group`, or the resource alone for the core group. */
const groupResource = (r: ResourceIdentifier) => (r.Group ? `${r.Resource}.${r.Group}` : r.Resource);

/** describeBackupItemOperations: a count without --details, each operation with it. */
export function describeItemOperations(d: Describer, b: Backup, operations: BackupOperation[] | undefined, details: boolean): void {
  const s = b.status;
  if (!s.backupItemOperationsAttempted) return;
  if (!details) {
    d.out`Backup Item Operations:\t${s.backupItemOperationsCompleted ?? 0} of ${s.backupItemOperationsAttempted} completed successfully, ${s.backupItemOperationsFailed ?? 0} failed (specify --details for more information)\n`;
    return;
  }
  d.out`Backup Item Operations:\n`;
  for (const op of operations ?? []) {
    const id = op.spec.resourceIdentifier;
    d.out`\tOperation for ${groupResource(id)} ${id.Namespace}/${id.Name}:\n`;
    d.out`\t\tBackup Item Action Plugin:\t${op.spec.backupItemAction}\n`;
    d.out`\t\tOperation ID:\t${op.spec.operationID}\n`;
    if (op.spec.postOperationItems?.length) d.out`\t\tItems to Update:\n`;
    for (const item of op.spec.postOperationItems ?? []) d.out`\t\t\t${groupResource(item)} ${item.Namespace}/${item.Name}\n`;
    d.out`\t\tPhase:\t${op.status.phase}\n`;
    if (op.status.error) d.out`\t\tOperation Error:\t${op.status.error}\n`;
    if (op.status.nTotal || op.status.nCompleted) d.out`\t\tProgress:\t${op.status.nCompleted ?? 0} of ${op.status.nTotal ?? 0} complete (${op.status.operationUnits ?? ''})\n`;
    if (op.status.description) d.out`\t\tProgress description:\t${op.status.description}\n`;
    if (op.status.created) d.out`\t\tCreated:\t${goTime(op.status.created)}\n`;
    if (op.status.started) d.out`\t\tStarted:\t${goTime(op.status.started)}\n`;
    if (op.status.updated) d.out`\t\tUpdated:\t${goTime(op.status.updated)}\n`;
  }
}

/** describeNativeSnapshots and describeCSISnapshots, each followed by a blank line. */
export function describeSnapshots(d: Describer, infos: BackupVolumeInfo[], details: boolean): void {
  const native = infos.filter((i) => i.backupMethod === 'NativeSnapshot');
  if (!native.length) d.out`\tVelero-Native Snapshots: <none included>\n`;
  else {
    d.out`\tVelero-Native Snapshots:\n`;
    for (const i of native) {
      if (!details) {
        d.out`\t\t${i.pvName ?? ''}: specify --details for more information\n`;
        continue;
      }
      const n = i.nativeSnapshotInfo;
      d.out`\t\t${i.pvName ?? ''}:\n\t\t\tSnapshot ID:\t${n?.snapshotHandle ?? ''}\n\t\t\tType:\t${n?.volumeType ?? ''}\n\t\t\tAvailability Zone:\t${n?.volumeAZ ?? ''}\n\t\t\tIOPS:\t${n?.iops ?? ''}\n\t\t\tResult:\t${i.result ?? ''}\n`;
    }
  }
  d.out`\n`;
  const csi = infos.filter((i) => i.backupMethod === 'CSISnapshot');
  if (!csi.length) d.out`\tCSI Snapshots: <none included>\n`;
  else {
    d.out`\tCSI Snapshots:\n`;
    for (const i of csi) {
      d.out`\t\t${i.pvcNamespace ?? ''}/${i.pvcName ?? ''}:\n`;
      if (i.preserveLocalSnapshot) {
        const c = i.csiSnapshotInfo;
        if (!details) d.out`\t\t\tSnapshot: included, specify --details for more information\n`;
        else {
          d.out`\t\t\tSnapshot:\n`;
          if (!i.snapshotDataMoved && c?.operationID) d.out`\t\t\t\tOperation ID: ${c.operationID}\n`;
          d.out`\t\t\t\tSnapshot Content Name: ${c?.vscName ?? ''}\n\t\t\t\tStorage Snapshot ID: ${c?.snapshotHandle ?? ''}\n\t\t\t\tSnapshot Size (bytes): ${c?.size ?? 0}\n\t\t\t\tCSI Driver: ${c?.driver ?? ''}\n\t\t\t\tResult: ${i.result ?? ''}\n`;
        }
      }
      if (i.snapshotDataMoved) {
        const m = i.snapshotDataMovementInfo;
        if (!details) d.out`\t\t\tData Movement: included, specify --details for more information\n`;
        else {
          d.out`\t\t\tData Movement:\n\t\t\t\tOperation ID: ${m?.operationID ?? ''}\n\t\t\t\tData Mover: ${m?.dataMover || 'velero'}\n\t\t\t\tUploader Type: ${m?.uploaderType ?? ''}\n\t\t\t\tMoved data Size (bytes): ${m?.size ?? 0}\n`;
          if ((m?.incrementalSize ?? 0) > 0) d.out`\t\t\t\tIncremental data Size (bytes): ${m!.incrementalSize}\n`;
          d.out`\t\t\t\tResult: ${i.result ?? ''}\n`;
        }
      }
    }
  }
  d.out`\n`;
}
