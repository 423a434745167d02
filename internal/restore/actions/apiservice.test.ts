import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { item, kept, skipped } from './actions.test-helpers.ts';
import { apiServiceAction } from './apiservice.ts';

test('apiservice: automanaged (local) ones are skipped, whatever the label value', () => {
  for (const value of ['onstart', 'true', '']) {
    assert.ok(skipped(apiServiceAction, item('apiregistration.k8s.io/v1', 'APIService', 'v1.apps', undefined, { metadata: { labels: { 'kube-aggregator.kubernetes.io/automanaged': value } } })));
  }
});

test('apiservice: an aggregated API backed by a service is restored', () => {
  kept(apiServiceAction, item('apiregistration.k8s.io/v1', 'APIService', 'v1beta1.metrics.k8s.io', undefined, { spec: { service: { namespace: 'kube-system', name: 'metrics-server' } } }));
});

test.run();
