import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { shownDifferences, subsetDifferences } from './object-diff.ts';

test("a Secret's differing values are hidden (data, stringData, annotations), its labels and type shown; other kinds as they are", () => {
  const wanted = { type: 'Opaque', metadata: { labels: { a: '1' }, annotations: { 'kubectl.kubernetes.io/last-applied-configuration': '{"data":{"p":"czNjcmV0"}}' } }, data: { p: 'czNjcmV0' } };
  const live = { type: 'kubernetes.io/tls', metadata: { labels: { a: '2' }, annotations: {} }, data: { p: 'b3RoZXI=' } };
  const shown = shownDifferences('Secret', subsetDifferences(wanted, live));
  const text = JSON.stringify(shown);
  assert.not.ok(text.includes('czNjcmV0') || text.includes('b3RoZXI='), text);
  assert.equal(shown.map((d) => d.path).sort(), ['data.p', 'metadata.annotations.kubectl.kubernetes.io/last-applied-configuration', 'metadata.labels.a', 'type']);
  assert.equal(shown.find((d) => d.path === 'data.p'), { path: 'data.p', wanted: '<hidden: 10 bytes>', live: '<hidden: 10 bytes>' });
  assert.equal(shown.find((d) => d.path === 'metadata.labels.a'), { path: 'metadata.labels.a', wanted: '1', live: '2' });
  assert.equal(shownDifferences('ConfigMap', subsetDifferences({ data: { p: 'x' } }, { data: { p: 'y' } })), [{ path: 'data.p', wanted: 'x', live: 'y' }]);
});

test.run();
