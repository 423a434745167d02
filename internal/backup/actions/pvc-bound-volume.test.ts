import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { context, obj } from './actions.test-helpers.ts';
import { pvcBoundVolume } from './pvc-bound-volume.ts';

const bound = (spec: Record<string, unknown>, labels?: Record<string, string>) =>
  obj('v1', 'PersistentVolumeClaim', 'data', 'shop', { metadata: { labels }, spec: { volumeName: 'pv-1', ...spec }, status: { phase: 'Bound' } });

test('a bound claim brings its volume and loses its data source', async () => {
  const pvc = bound({ storageClassName: 'fast', dataSource: { kind: 'VolumeSnapshot', name: 's' }, dataSourceRef: { kind: 'VolumeSnapshot', name: 's' }, selector: { matchLabels: { a: 'b' } } });
  const { item, additionalItems } = await pvcBoundVolume.execute(pvc, context());
  assert.equal(additionalItems, [{ groupResource: 'persistentvolumes', name: 'pv-1' }]);
  const spec = item.spec as Record<string, unknown>;
  assert.is(spec.dataSource, undefined);
  assert.is(spec.dataSourceRef, undefined);
  assert.is(spec.selector, undefined, 'a storage class provisions, so the selector goes');
  assert.ok((pvc.spec as Record<string, unknown>).dataSource, 'the listed object is not mutated');
});

test('with storageClassName "" the selector stays, minus velero.io labels', async () => {
  const { item } = await pvcBoundVolume.execute(bound({ storageClassName: '', selector: { matchLabels: { app: 'db', 'velero.io/backup-name': 'x' } } }), context());
  assert.equal((item.spec as { selector: unknown }).selector, { matchLabels: { app: 'db' } });
});

test('stale Velero labels from earlier restores are removed; this backup\'s name stays', async () => {
  const labels = { app: 'db', 'velero.io/restore-name': 'r1', 'velero.io/backup-name': 'old', 'velero.io/volume-snapshot-name': 'vs' };
  const { item } = await pvcBoundVolume.execute(bound({}, labels), context());
  assert.equal(item.metadata.labels, { app: 'db' });
  const { item: same } = await pvcBoundVolume.execute(bound({}, { 'velero.io/backup-name': 'b1' }), context());
  assert.equal(same.metadata.labels, { 'velero.io/backup-name': 'b1' });
});

test('a pending claim brings nothing and is left as it is', async () => {
  const pvc = obj('v1', 'PersistentVolumeClaim', 'data', 'shop', { spec: { dataSource: { kind: 'X' } }, status: { phase: 'Pending' } });
  const { item, additionalItems } = await pvcBoundVolume.execute(pvc, context());
  assert.equal(additionalItems, []);
  assert.is(item, pvc);
});

test.run();
