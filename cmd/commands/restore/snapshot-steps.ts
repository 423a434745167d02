// restore create's native snapshot step: the backup's NAME-volumesnapshots.json.gz records, and for
// each restored PV that has one a new volume made from its snapshot through the location's
// snapshotter (credentials from the config file or the cluster's VolumeSnapshotLocation).
import type { NativeVolumeRestorer } from '../../../internal/restore/run-restore.ts';
import type { KubeRequester } from '../../../internal/kube/http-client.ts';
import { restoreVolumeFromSnapshot } from '../../../internal/snapshots/native-restore.ts';
import { readVolumeSnapshots } from '../../../internal/snapshots/native-records.ts';
import { snapshotterLookup } from '../../../internal/snapshots/snapshot-locations.ts';
import type { PersistentVolume } from '../../../internal/snapshots/volume-snapshotter.ts';
import type { ObjectStore } from '../../../internal/storage/object-store.ts';

export async function nativeSnapshotStep(store: ObjectStore, backupName: string, client: KubeRequester, veleroNamespace: string): Promise<NativeVolumeRestorer | undefined> {
  const records = (await readVolumeSnapshots(store, backupName)).filter((r) => r.status.providerSnapshotID);
  if (!records.length) return undefined;
  const lookup = snapshotterLookup({ client, namespace: veleroNamespace });
  return {
    volumes: new Set(records.map((r) => r.spec.persistentVolumeName)),
    restore: async (pv) => {
      const outcome = await restoreVolumeFromSnapshot(pv as PersistentVolume, records, lookup);
      if (outcome.kind === 'failed') return { error: outcome.error };
      return { pv: outcome.pv as typeof pv };
    },
  };
}
