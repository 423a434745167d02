import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { resourcePath } from './list.ts';
import { assertNoDotSegments, InvalidNameError, checkNamespaceName, checkObjectName } from './names.ts';

const sa = { groupVersion: 'v1', resource: 'serviceaccounts', namespaced: true };

test('".." and "." never reach a request path: the Namespace kube-system is not one of its ServiceAccounts', () => {
  for (const name of ['..', '.', 'a/b', '50%', '', 'x\ry']) assert.throws(() => resourcePath(sa, 'kube-system', name), (e: Error) => e instanceof InvalidNameError, name);
  assert.throws(() => resourcePath(sa, '..', 'x'), /invalid namespace "\.\."/);
  assert.throws(() => resourcePath(sa, 'Kube_System', 'x'), /invalid namespace/);
  assert.is(resourcePath(sa, 'kube-system', 'web'), '/api/v1/namespaces/kube-system/serviceaccounts/web');
  // RBAC names may hold ":" and other characters; they are encoded, not refused.
  assert.is(resourcePath({ groupVersion: 'rbac.authorization.k8s.io/v1', resource: 'clusterroles', namespaced: false }, undefined, 'system:node'), '/apis/rbac.authorization.k8s.io/v1/clusterroles/system%3Anode');
});

test('the HTTP client refuses dot segments, percent-encoded ones too', () => {
  for (const path of ['/api/v1/namespaces/kube-system/serviceaccounts/..', '/api/v1/namespaces/x/%2e%2E', '/api/./v1']) assert.throws(() => assertNoDotSegments(path), (e: Error) => e instanceof InvalidNameError, path);
  assertNoDotSegments('/api/v1/namespaces/a/configmaps/a..b?limit=500');
});

test('errors quote the name escaped and cut', () => {
  assert.throws(() => checkObjectName(`\u202e${'a'.repeat(10_000)}`), (e: Error) => e.message.length < 400 && e.message.includes('\\u202e'));
  assert.is(checkNamespaceName('shop-1'), 'shop-1');
  assert.throws(() => checkNamespaceName('a'.repeat(64)), /over 63/);
});

test.run();
