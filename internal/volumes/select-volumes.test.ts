// Velero's GetVolumesByPod table: opt-in annotation, default-to-fs with excludes, skipped kinds.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubeObject } from '../kube/list.ts';
import { mountOf, type PodVolume, selectVolumes, selectVolumesByPolicy } from './select-volumes.ts';

const pod = (annotations: Record<string, string>, volumes: object[], containers: object[] = []): KubeObject =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', annotations }, spec: { volumes, containers } }) as KubeObject;

const VOLUMES = [
  { name: 'data', persistentVolumeClaim: { claimName: 'data-p' } },
  { name: 'scratch', emptyDir: {} },
  { name: 'host', hostPath: { path: '/x' } },
  { name: 'creds', secret: { secretName: 's' } },
  { name: 'conf', configMap: { name: 'c' } },
  { name: 'kube-api-access-1', projected: { sources: [] } },
  { name: 'info', downwardAPI: {} },
  { name: 'default-token-abc', emptyDir: {} },
];

test('opt-in: only the annotated volumes the pod has, without duplicates', () => {
  const p = pod({ 'backup.velero.io/backup-volumes': 'data, scratch,data,missing' }, VOLUMES);
  assert.equal(selectVolumes(p, false), { volumes: ['data', 'scratch'], optedOut: [] });
  assert.equal(selectVolumes(pod({}, VOLUMES), false), { volumes: [], optedOut: [] });
});

test('default to fs backup: every volume with pod data, minus the excludes', () => {
  assert.equal(selectVolumes(pod({}, VOLUMES), true), { volumes: ['data', 'scratch'], optedOut: [] });
  const p = pod({ 'backup.velero.io/backup-volumes-excludes': 'scratch' }, VOLUMES);
  assert.equal(selectVolumes(p, true), { volumes: ['data'], optedOut: ['scratch'] });
});

test('volume policies (Velero\'s ShouldPerformFSBackup): a matched action decides over annotations and the default; no match is the old rule', async () => {
  const actions: Record<string, string> = { data: 'fs-backup', scratch: 'skip', host: 'fs-backup', creds: 'fs-backup' };
  const asked: string[] = [];
  const actionOf = async (_pod: KubeObject, v: PodVolume) => (asked.push(v.name), actions[v.name]);
  // fs-backup without any annotation; skip even though annotated; host paths and API content never.
  const annotated = pod({ 'backup.velero.io/backup-volumes': 'scratch' }, VOLUMES);
  assert.equal(await selectVolumesByPolicy(annotated, false, actionOf), {
    volumes: ['data'], optedOut: [], byPolicy: [{ volume: 'data', action: 'fs-backup' }, { volume: 'scratch', action: 'skip' }],
  });
  assert.equal(asked, ['data', 'scratch']);
  // snapshot beats --default-volumes-to-fs-backup; an unmatched volume follows it, excludes included.
  const snapshot = async (_pod: KubeObject, v: PodVolume) => (v.name === 'data' ? 'snapshot' : undefined);
  assert.equal((await selectVolumesByPolicy(pod({}, VOLUMES), true, snapshot)).volumes, ['scratch']);
  const excluding = await selectVolumesByPolicy(pod({ 'backup.velero.io/backup-volumes-excludes': 'scratch' }, VOLUMES), true, snapshot);
  assert.equal([excluding.volumes, excluding.optedOut], [[], ['scratch']]);
  const none = async () => undefined;
  assert.equal((await selectVolumesByPolicy(pod({ 'backup.velero.io/backup-volumes': 'data' }, VOLUMES), false, none)).volumes, ['data']);
  // With --snapshot-move-data claims are the data mover's: fs-backup does not take them.
  assert.equal((await selectVolumesByPolicy(pod({}, VOLUMES), false, actionOf, true)).volumes, []);
});

test('the container that mounts the whole volume; subPath mounts do not count', () => {
  const p = pod({}, VOLUMES, [
    { name: 'side', volumeMounts: [{ name: 'data', mountPath: '/part', subPath: 'x' }] },
    { name: 'db', volumeMounts: [{ name: 'data', mountPath: '/var/lib/db' }] },
  ]);
  assert.equal(mountOf(p, 'data'), { container: 'db', mountPath: '/var/lib/db' });
  assert.is(mountOf(p, 'scratch'), undefined);
});

test.run();
