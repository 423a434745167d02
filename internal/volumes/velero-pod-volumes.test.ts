// A Velero-made backup's podvolumebackups file (Velero's PodVolumeBackup objects, as its node agent
// leaves them): which volumes' data stays behind, and the error that names each.
import { gzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { MemoryStore } from '../backup/memory-store.test-helpers.ts';
import { readVeleroPodVolumes, unreadableVolumeMessage, volumesOfPod } from './velero-pod-volumes.ts';

// Trimmed from what Velero v1.18 writes: its fields, its phases.
const pvb = (ns: string, pod: string, volume: string, phase: string, uploaderType = 'kopia') => ({
  apiVersion: 'velero.io/v1',
  kind: 'PodVolumeBackup',
  metadata: { name: `b1-${volume}`, namespace: 'velero', labels: { 'velero.io/backup-name': 'b1' } },
  spec: { node: 'node-1', pod: { kind: 'Pod', namespace: ns, name: pod, uid: 'u1' }, volume, backupStorageLocation: 'default', repoIdentifier: '', uploaderType, tags: {} },
  status: { phase, snapshotID: 'a1b2', path: `/host_pods/u1/volumes/kubernetes.io~csi/${volume}/mount`, progress: { totalBytes: 10, bytesDone: 10 } },
});

function storeWith(content: unknown): MemoryStore {
  const store = new MemoryStore();
  store.objects.set('backups/b1/b1-podvolumebackups.json.gz', gzipSync(typeof content === 'string' ? content : JSON.stringify(content)));
  return store;
}

test('completed volumes are read with their pod and uploader; failed ones and an empty list are not', async () => {
  const store = storeWith([pvb('shop', 'db-0', 'data', 'Completed'), pvb('shop', 'db-0', 'logs', 'Failed'), pvb('shop', 'web-0', 'cache', 'Completed', 'restic')]);
  assert.equal(await readVeleroPodVolumes(store, 'b1'), [
    { namespace: 'shop', pod: 'db-0', volume: 'data', uploaderType: 'kopia' },
    { namespace: 'shop', pod: 'web-0', volume: 'cache', uploaderType: 'restic' },
  ]);
  assert.equal(await readVeleroPodVolumes(storeWith([]), 'b1'), []);
  assert.equal(await readVeleroPodVolumes(storeWith('null'), 'b1'), []);
  assert.equal(await readVeleroPodVolumes(new MemoryStore(), 'b1'), [], 'no file (our backups, or an old Velero): nothing');
});

test('a damaged file is a clear error, not an empty list', async () => {
  for (const [content, problem] of [['{"not":"a list"}', 'is not a list'], ['[{', 'is not JSON'], ['[{"spec":{}}]', 'has an entry without its pod, volume or phase']] as const) {
    try {
      await readVeleroPodVolumes(storeWith(content), 'b1');
      assert.unreachable('read a damaged file');
    } catch (error) {
      assert.match((error as Error).message, `backups/b1/b1-podvolumebackups.json.gz ${problem}: the backup is damaged`);
    }
  }
});

test("each of a pod's volumes gets an error naming the pod where it was restored and the volume", async () => {
  const volumes = await readVeleroPodVolumes(storeWith([pvb('shop', 'db-0', 'data', 'Completed'), pvb('other', 'db-0', 'data', 'Completed')]), 'b1');
  const ofPod = volumesOfPod(volumes, { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: 'shop', name: 'db-0' } });
  assert.is(ofPod.length, 1);
  assert.is(
    unreadableVolumeMessage(ofPod[0]!, 'shop-copy'),
    "pod shop-copy/db-0 volume data: its data was backed up by Velero's node agent into Velero's kopia repository, which kubectl-velero cannot read; the volume was restored empty (restore this backup with a Velero server to get its data)",
  );
});

test.run();
