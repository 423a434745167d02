// The fidelity comparer on fixtures: a live object as the API server returns it after a restore.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { KubeObject } from '../kube/list.ts';
import { compareRestored, outcomesByObject } from './fidelity-compare.ts';
import { withDiskOf } from './fidelity.ts';
import { formatDifferences } from './object-diff.ts';

const labels = { app: 'web', 'velero.io/backup-name': 'b1', 'velero.io/restore-name': 'r1' };
const wanted: KubeObject = {
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'shop', labels },
  spec: { replicas: 2, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.27', env: [] }] } } },
};
// What the server hands back: defaults, uid, managedFields, status, annotations from controllers.
const live = (patch: (o: any) => void = () => {}): KubeObject => {
  const o: any = structuredClone(wanted);
  Object.assign(o.metadata, { uid: 'u-2', resourceVersion: '77', generation: 1, creationTimestamp: '2026-11-24T10:00:00Z', managedFields: [{ manager: 'kubectl-velero' }], annotations: { 'deployment.kubernetes.io/revision': '1' } });
  Object.assign(o.spec, { revisionHistoryLimit: 10, progressDeadlineSeconds: 600, strategy: { type: 'RollingUpdate' } });
  Object.assign(o.spec.template.spec.containers[0], { imagePullPolicy: 'IfNotPresent', terminationMessagePath: '/dev/termination-log' });
  delete o.spec.template.spec.containers[0].env;
  o.status = { replicas: 0 };
  patch(o);
  return o;
};

test('server-populated fields and defaults are not differences', () => {
  assert.equal(compareRestored(wanted, live(), 'created'), { state: 'same' });
});

test('a changed value, a lost label, a shortened list are differences with their paths', () => {
  const v = compareRestored(wanted, live((o) => {
    o.spec.replicas = 5;
    delete o.metadata.labels.app;
    o.spec.template.spec.containers[0].image = 'nginx:latest';
  }), 'created');
  assert.is(v.state, 'different');
  if (v.state !== 'different') return;
  assert.equal(v.differences.map((d) => d.path), ['metadata.labels.app', 'spec.replicas', 'spec.template.spec.containers[0].image']);
  assert.equal(formatDifferences(v.differences), ['metadata.labels.app: "web" (backup) vs <absent> (cluster)', 'spec.replicas: 2 (backup) vs 5 (cluster)', 'spec.template.spec.containers[0].image: "nginx:1.27" (backup) vs "nginx:latest" (cluster)']);
});

test('an object this restore kept ("skipped") lacks the restore labels, and that is no difference', () => {
  const o = live((x) => {
    x.metadata.labels = { app: 'web' };
  });
  assert.equal(compareRestored(wanted, o, 'skipped'), { state: 'same' });
  assert.is(compareRestored(wanted, o, 'created').state, 'different', 'a created one must carry them');
});

test('a PV restored from a native snapshot: its new disk is no difference, anything else still is', () => {
  const pv = (volumeID: string, capacity = '10Gi') => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv-ebs' }, spec: { capacity: { storage: capacity }, persistentVolumeReclaimPolicy: 'Retain', awsElasticBlockStore: { volumeID, fsType: 'ext4' } } }) as KubeObject;
  const live = pv('vol-new');
  assert.is(compareRestored(pv('vol-old'), live, 'created').state, 'different');
  assert.is(compareRestored(withDiskOf(pv('vol-old'), live), live, 'created').state, 'same');
  const wanted = withDiskOf(pv('vol-old', '20Gi'), live);
  assert.equal((wanted.spec as { awsElasticBlockStore: unknown }).awsElasticBlockStore, { volumeID: 'vol-new', fsType: 'ext4' });
  assert.is(compareRestored(wanted, live, 'created').state, 'different', 'the capacity still counts');
  const csi = (volumeHandle: string) => ({ apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv-csi' }, spec: { csi: { driver: 'ebs.csi.aws.com', volumeHandle } } }) as KubeObject;
  assert.is(compareRestored(withDiskOf(csi('vol-old'), csi('vol-new')), csi('vol-new'), 'created').state, 'same');
});

test('missing, failed and unrestored objects', () => {
  assert.equal(compareRestored(wanted, undefined, 'created'), { state: 'missing' });
  assert.equal(compareRestored(wanted, live(), 'failed'), { state: 'not-checked' });
  assert.equal(compareRestored(wanted, live(), undefined), { state: 'not-checked' });
});

test('resource list entries become outcomes by object', () => {
  const m = outcomesByObject({ 'apps/v1/Deployment': ['shop/web(created)', 'shop/api(skipped)'], 'v1/Namespace': ['shop(created)'], 'v1/ConfigMap': ['junk'] });
  assert.equal([...m.entries()], [['apps/v1/Deployment shop/web', 'created'], ['apps/v1/Deployment shop/api', 'skipped'], ['v1/Namespace shop', 'created']]);
});

test('the restore-wait init container of a volume restore is no difference; other extra init containers are', () => {
  const wanted = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'db-0', namespace: 'shop' }, spec: { initContainers: [{ name: 'app-init' }] } } as KubeObject;
  const live = structuredClone(wanted) as KubeObject;
  (live.spec as any).initContainers = [{ name: 'kubectl-velero-restore-wait' }, { name: 'app-init' }];
  assert.equal(compareRestored(wanted, live, 'created'), { state: 'same' });
  (live.spec as any).initContainers.push({ name: 'other' });
  assert.is(compareRestored(wanted, live, 'created').state, 'different');
});

test("the service-account token volume the API server injects anew is no difference; another extra volume is", () => {
  const wanted = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'db-0', namespace: 'shop' }, spec: { volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-db-0' } }], containers: [{ name: 'db', volumeMounts: [{ name: 'data', mountPath: '/data' }] }] } } as KubeObject;
  const live = structuredClone(wanted) as any;
  live.spec.volumes.push({ name: 'kube-api-access-x7q2z', projected: { sources: [{ serviceAccountToken: { path: 'token' } }] } });
  live.spec.containers[0].volumeMounts.push({ name: 'kube-api-access-x7q2z', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount', readOnly: true });
  assert.equal(compareRestored(wanted, live, 'created'), { state: 'same' });
  live.spec.volumes.push({ name: 'extra', emptyDir: {} });
  const v = compareRestored(wanted, live, 'created');
  assert.is(v.state, 'different');
  if (v.state === 'different') assert.equal(v.differences.map((d) => d.path), ['spec.volumes']);
});

test("a Job pod's job-tracking finalizer, which the Job controller removes by itself, is no difference; another lost finalizer is", () => {
  const pod: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'migrate-x', namespace: 'shop', finalizers: ['batch.kubernetes.io/job-tracking', 'example.com/keep'] }, spec: { containers: [{ name: 'm', image: 'busybox' }] } };
  const counted = structuredClone(pod);
  counted.metadata.finalizers = ['example.com/keep'];
  assert.equal(compareRestored(pod, counted, 'created'), { state: 'same' });
  const lost = structuredClone(pod);
  delete lost.metadata.finalizers;
  const v = compareRestored(pod, lost, 'created');
  assert.is(v.state, 'different');
  if (v.state === 'different') assert.equal(v.differences.map((d) => d.path), ['metadata.finalizers']);
});

test('a namespace a stock Velero restored has no restore labels, and that is no difference; its own labels still count', () => {
  const ns: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { team: 'web', 'velero.io/backup-name': 'b1', 'velero.io/restore-name': 'r1' } } };
  const byVelero: KubeObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { team: 'web', 'kubernetes.io/metadata.name': 'shop' } } };
  assert.equal(compareRestored(ns, byVelero, 'created'), { state: 'same' });
  const lost = structuredClone(byVelero);
  delete lost.metadata.labels!.team;
  assert.is(compareRestored(ns, lost, 'created').state, 'different');
});

test.run();
