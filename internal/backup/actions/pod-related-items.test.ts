import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { context, obj } from './actions.test-helpers.ts';
import { podRelatedItems } from './pod-related-items.ts';

test('a pod brings each claimed PVC in its namespace and its priority class', async () => {
  const pod = obj('v1', 'Pod', 'web-0', 'shop', {
    spec: {
      priorityClassName: 'high',
      volumes: [{ name: 'data', persistentVolumeClaim: { claimName: 'data-web-0' } }, { name: 'cfg', configMap: { name: 'cfg' } }, { name: 'logs', persistentVolumeClaim: { claimName: 'logs' } }],
    },
  });
  const { item, additionalItems } = await podRelatedItems.execute(pod, context());
  assert.is(item, pod, 'the pod itself is unchanged');
  assert.equal(additionalItems, [
    { groupResource: 'priorityclasses.scheduling.k8s.io', name: 'high' },
    { groupResource: 'persistentvolumeclaims', namespace: 'shop', name: 'data-web-0' },
    { groupResource: 'persistentvolumeclaims', namespace: 'shop', name: 'logs' },
  ]);
});

test('a pod without volumes or priority class brings nothing', async () => {
  const { additionalItems } = await podRelatedItems.execute(obj('v1', 'Pod', 'p', 'shop', { spec: { containers: [] } }), context());
  assert.equal(additionalItems, []);
});

test('applies to pods only', () => {
  assert.equal([...podRelatedItems.appliesTo], ['pods']);
});

test.run();
