import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { item, kept, skipped } from './actions.test-helpers.ts';
import { skipGeneratedAction } from './skip-generated.ts';

test('skip-generated: the root CA ConfigMap and controller-managed EndpointSlices are skipped', () => {
  assert.ok(skipped(skipGeneratedAction, item('v1', 'ConfigMap', 'kube-root-ca.crt', 'shop')));
  assert.ok(skipped(skipGeneratedAction, item('discovery.k8s.io/v1', 'EndpointSlice', 'web-x', 'shop', { metadata: { labels: { 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' } } })));
  assert.ok(skipped(skipGeneratedAction, item('v1', 'Endpoints', 'web', 'shop', { metadata: { labels: { app: 'web', 'endpoints.kubernetes.io/managed-by': 'endpoint-controller' } } })));
});

test('skip-generated: ordinary ConfigMaps and hand-made EndpointSlices are restored', () => {
  kept(skipGeneratedAction, item('v1', 'ConfigMap', 'prices', 'shop'));
  kept(skipGeneratedAction, item('discovery.k8s.io/v1', 'EndpointSlice', 'manual', 'shop', { metadata: { labels: { app: 'x' } } }));
  // A Service without a selector has Endpoints its owner writes: they are data, and restored.
  kept(skipGeneratedAction, item('v1', 'Endpoints', 'external-db', 'shop', { subsets: [{ addresses: [{ ip: '192.0.2.10' }] }] }));
});

test.run();
