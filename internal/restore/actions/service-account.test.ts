import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { item, kept } from './actions.test-helpers.ts';
import { serviceAccountAction, serviceAccountMergePatch } from './service-account.ts';

const sa = (secrets?: { name: string }[]) => item('v1', 'ServiceAccount', 'web', 'shop', secrets ? { secrets } : {});

const cases: { name: string; secrets?: { name: string }[]; want?: { name: string }[] }[] = [
  { name: 'the auto-created token secret goes, others stay', secrets: [{ name: 'web-token-abc' }, { name: 'registry' }], want: [{ name: 'registry' }] },
  { name: "another account's token stays", secrets: [{ name: 'db-token-abc' }], want: [{ name: 'db-token-abc' }] },
  { name: 'no secrets: unchanged', secrets: undefined, want: undefined },
];
for (const c of cases) {
  test(`service account: ${c.name}`, () => {
    assert.equal(kept(serviceAccountAction, sa(c.secrets)).secrets, c.want);
  });
}

test('service account merge: adds what the live account lacks, never overwrites', () => {
  const live = { metadata: { labels: { a: 'live' } }, secrets: [{ name: 's1' }], imagePullSecrets: [{ name: 'p1' }] };
  const backup = { metadata: { labels: { a: 'backup', b: '2' }, annotations: { note: 'x' } }, secrets: [{ name: 's1' }, { name: 's2' }], imagePullSecrets: [{ name: 'p1' }] };
  assert.equal(serviceAccountMergePatch(live, backup), { secrets: [{ name: 's1' }, { name: 's2' }], metadata: { labels: { b: '2' }, annotations: { note: 'x' } } });
  assert.is(serviceAccountMergePatch(backup, live), undefined);
});

test.run();
