// Velero v1.18's records of how each volume was backed up (internal/volume/volumes_information.go,
// NAME-volumeinfo.json.gz) and of its asynchronous item operations (pkg/itemoperation,
// NAME-itemoperations.json.gz), as JSON. `backup describe` reads the first; Velero's does too.

export interface BackupVolumeInfo {
  pvcName?: string;
  pvcNamespace?: string;
  pvName?: string;
  backupMethod?: 'NativeSnapshot' | 'PodVolumeBackup' | 'CSISnapshot';
  snapshotDataMoved: boolean;
  preserveLocalSnapshot: boolean;
  skipped: boolean;
  skippedReason?: string;
  startTimestamp?: string;
  completionTimestamp?: string;
  result?: 'succeeded' | 'failed';
  csiSnapshotInfo?: { snapshotHandle: string; size: number; driver: string; vscName: string; operationID?: string };
  snapshotDataMovementInfo?: { dataMover: string; uploaderType: string; retainedSnapshot?: string; snapshotHandle: string; operationID: string; size: number; incrementalSize?: number };
  nativeSnapshotInfo?: { snapshotHandle: string; volumeType: string; volumeAZ: string; iops: string };
  pvbInfo?: { snapshotHandle?: string; size?: number; uploaderType: string; volumeName: string; podName: string; podNamespace: string; nodeName?: string };
  pvInfo?: { reclaimPolicy: string; labels: Record<string, string> };
}

/** velero.ResourceIdentifier: an embedded GroupResource and two untagged fields, so capitalised keys. */
export interface ResourceIdentifier {
  Group: string;
  Resource: string;
  Namespace: string;
  Name: string;
}

export interface BackupOperation {
  spec: {
    backupName: string;
    backupUID: string;
    backupItemAction: string;
    resourceIdentifier: ResourceIdentifier;
    operationID: string;
    postOperationItems: ResourceIdentifier[];
  };
  status: { phase: 'New' | 'InProgress' | 'Completed' | 'Failed'; error?: string; nCompleted?: number; nTotal?: number; operationUnits?: string; description?: string; created?: string; started?: string; updated?: string };
}
