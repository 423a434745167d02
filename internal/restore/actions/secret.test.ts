import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { item, kept, skipped } from './actions.test-helpers.ts';
import { secretAction } from './secret.ts';

const secret = (name: string, type: string, account = 'web') =>
  item('v1', 'Secret', name, 'shop', { type, metadata: { annotations: { 'kubernetes.io/service-account.name': account, 'kubernetes.io/service-account.uid': 'u1' } }, data: { token: 'dA==', 'ca.crt': 'Yw==', namespace: 'c2hvcA==' } });

test('secret: an auto-created token secret is skipped', () => {
  assert.match(skipped(secretAction, secret('web-token-x7k2', 'kubernetes.io/service-account-token')) ?? '', /auto-created/);
});

test('secret: a hand-made token secret is restored without uid, token and CA', () => {
  const out = kept(secretAction, secret('web-long-lived', 'kubernetes.io/service-account-token'));
  assert.equal(out.metadata.annotations, { 'kubernetes.io/service-account.name': 'web' });
  assert.equal(out.data, { namespace: 'c2hvcA==' });
});

test('secret: other types are untouched', () => {
  const input = secret('web-token-x7k2', 'Opaque');
  assert.equal(kept(secretAction, input), input);
});

test.run();
