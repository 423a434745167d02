import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { HIGH_PRIORITIES, restoreOrder } from './priorities.ts';

test("Velero's priorities: CRDs, namespaces, … pods late, then the rest alphabetically, then the low ones", () => {
  assert.equal(
    restoreOrder(['widgets.example.com', 'deployments.apps', 'pods', 'clusters.cluster.x-k8s.io', 'services', 'configmaps', 'namespaces', 'customresourcedefinitions.apiextensions.k8s.io', 'ingresses.networking.k8s.io', 'persistentvolumeclaims', 'persistentvolumes', 'storageclasses.storage.k8s.io', 'packageinstalls.packaging.carvel.dev']),
    [
      'customresourcedefinitions.apiextensions.k8s.io', 'namespaces', 'storageclasses.storage.k8s.io', 'persistentvolumes', 'persistentvolumeclaims', 'configmaps', 'pods', 'services',
      'deployments.apps', 'ingresses.networking.k8s.io', 'widgets.example.com',
      'clusters.cluster.x-k8s.io', 'packageinstalls.packaging.carvel.dev',
    ],
  );
});

test('the high priorities are the 23 of Velero, in its order, as resource.group names', () => {
  assert.is(HIGH_PRIORITIES.length, 23);
  assert.is(HIGH_PRIORITIES.indexOf('persistentvolumes') + 1, HIGH_PRIORITIES.indexOf('persistentvolumeclaims'));
  assert.ok(HIGH_PRIORITIES.indexOf('serviceaccounts') < HIGH_PRIORITIES.indexOf('rolebindings.rbac.authorization.k8s.io'));
  assert.ok(HIGH_PRIORITIES.includes('volumesnapshotclasses.snapshot.storage.k8s.io'), 'resolved plural, as discovery names it');
  for (const gr of HIGH_PRIORITIES) assert.ok(gr === gr.toLowerCase() && !gr.endsWith('.'));
});

test('an empty backup restores nothing', () => {
  assert.equal(restoreOrder([]), []);
});

test.run();
