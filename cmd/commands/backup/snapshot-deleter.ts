// What `backup delete`, `backup gc` and a schedule's expiry use to delete a backup's storage
// snapshots (CSI through the cluster, native through their location's cloud): reached only when a
// backup has some, with the user's kubeconfig and the locations' credentials.
import type { VolumeSnapshotDeleter } from '../../../internal/backup/delete-backup.ts';
import { KubeHttpClient } from '../../../internal/kube/http-client.ts';
import { type KubeTarget, loadKubeConfig } from '../../../internal/kube/kubeconfig.ts';
import { CsiApi } from '../../../internal/snapshots/csi-api.ts';
import { deleteCsiSnapshots } from '../../../internal/snapshots/csi-delete.ts';
import type { VolumeSnapshotContent } from '../../../internal/snapshots/csi-objects.ts';
import { deleteNativeSnapshots } from '../../../internal/snapshots/native-delete.ts';
import type { Snapshot } from '../../../internal/snapshots/native-records.ts';
import { snapshotterLookup } from '../../../internal/snapshots/snapshot-locations.ts';

export function snapshotDeleter(target: KubeTarget, veleroNamespace: string): VolumeSnapshotDeleter {
  let client: Promise<KubeHttpClient> | undefined;
  return async (backup, files) => {
    client ??= loadKubeConfig(target).then((kc) => new KubeHttpClient(kc));
    let deleted = 0;
    if (files.nativeSnapshots.length) {
      // The snapshots' locations: the config file's, or the cluster's VolumeSnapshotLocations.
      const cluster = await client.then((c) => ({ client: c, namespace: veleroNamespace })).catch(() => undefined);
      const result = await deleteNativeSnapshots(files.nativeSnapshots as Snapshot[], snapshotterLookup(cluster));
      if (result.errors.length) throw new Error(result.errors.join('; '));
      deleted += result.deleted.length;
    }
    if (files.csiContents.length) deleted += await deleteCsiSnapshots(new CsiApi(await client), backup, files.csiContents as VolumeSnapshotContent[]);
    return deleted;
  };
}
