// Velero's GetVolumesByPod table: opt-in annotation, default-to-fs with excludes, skipped kinds.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubeObject } from '../kube/list.ts';
import { mountOf, selectVolumes } from './select-volumes.ts';

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

test('the container that mounts the whole volume; subPath mounts do not count', () => {
  const p = pod({}, VOLUMES, [
    { name: 'side', volumeMounts: [{ name: 'data', mountPath: '/part', subPath: 'x' }] },
    { name: 'db', volumeMounts: [{ name: 'data', mountPath: '/var/lib/db' }] },
  ]);
  assert.equal(mountOf(p, 'data'), { container: 'db', mountPath: '/var/lib/db' });
  assert.is(mountOf(p, 'scratch'), undefined);
});

test.run();
