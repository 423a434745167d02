import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { ApiResource } from './discovery.ts';
import { KubeApiError } from './errors.ts';
import type { KubeRequester } from './http-client.ts';
import { BodyBuffer } from './body-buffer.ts';
import { listObjects, rawJsonOf, type KubeObject } from './list.ts';

const configmaps = { group: '', groupVersion: 'v1', resource: 'configmaps', kind: 'ConfigMap', namespaced: true } as ApiResource;

/** An API server of `pages` pages of `size` items; records each request and what the consumer had seen when it came. */
function server(pages: number, size: number, failAt?: { token: string; error: Error; times: number }) {
  const requests: { token?: string; consumed: number }[] = [];
  let consumed = 0;
  const client: KubeRequester = {
    async getJson<T>(path: string, query: Record<string, string | undefined> = {}) {
      assert.is(path, '/api/v1/namespaces/shop/configmaps');
      requests.push({ token: query.continue, consumed });
      if (failAt && query.continue === failAt.token && failAt.times-- > 0) throw failAt.error;
      const n = query.continue ? Number(query.continue) : 0;
      const items = Array.from({ length: size }, (_, i) => ({ metadata: { name: `cm-${n * size + i}` } }));
      return { items, metadata: n + 1 < pages ? { continue: String(n + 1) } : {} } as T;
    },
  };
  return { client, requests, seen: () => consumed++ };
}

test('every page in order, apiVersion and kind set; the next page is asked for while this one is consumed', async () => {
  const s = server(3, 4);
  const names: string[] = [];
  for await (const item of listObjects(s.client, configmaps, { namespace: 'shop', limit: 4 })) {
    assert.equal([item.apiVersion, item.kind], ['v1', 'ConfigMap']);
    names.push(item.metadata.name);
    s.seen();
  }
  assert.equal(names, Array.from({ length: 12 }, (_, i) => `cm-${i}`));
  // Page 2 was requested before any item of page 1 was consumed, page 3 before any of page 2.
  assert.equal(s.requests, [{ token: undefined, consumed: 0 }, { token: '1', consumed: 0 }, { token: '2', consumed: 4 }]);
});

test('an expired continue token (410) starts the list over once; a second 410 is an error', async () => {
  const gone = () => new KubeApiError(410, 'Expired', '/api/v1/namespaces/shop/configmaps', 'the provided continue parameter is too old');
  const once = server(3, 2, { token: '2', error: gone(), times: 1 });
  const names: string[] = [];
  for await (const item of listObjects(once.client, configmaps, { namespace: 'shop' })) names.push(item.metadata.name);
  assert.equal(names.length, 4 + 6, 'two pages, then all three again');
  const twice = server(3, 2, { token: '2', error: gone(), times: 2 });
  await (async () => {
    for await (const _ of listObjects(twice.client, configmaps, { namespace: 'shop' }));
  })().then(
    () => assert.unreachable('a second 410 was swallowed'),
    (error: KubeApiError) => assert.is(error.status, 410),
  );
});

test('a consumer that stops early leaves no unhandled rejection from the page fetched ahead', async () => {
  const s = server(3, 2, { token: '1', error: new Error('connection reset'), times: 1 });
  let unhandled: unknown;
  const onUnhandled = (reason: unknown) => (unhandled = reason);
  process.on('unhandledRejection', onUnhandled);
  for await (const _ of listObjects(s.client, configmaps, { namespace: 'shop' })) break;
  await new Promise((r) => setTimeout(r, 20));
  process.off('unhandledRejection', onUnhandled);
  assert.is(unhandled, undefined);
  assert.is(s.requests.length, 2);
});

test("each item's JSON as the server sent it, apiVersion and kind first; none when the text is not at hand", async () => {
  const widgets = { group: 'shop.example.com', groupVersion: 'shop.example.com/v1', resource: 'widgets', kind: 'Widget', namespaced: true } as ApiResource;
  const items = [
    { metadata: { name: 'plain', annotations: { 'odd': '{"}] \\" ,' } }, data: { big: 12345678901234567890 } },
    { apiVersion: 'shop.example.com/v1', kind: 'Widget', metadata: { name: 'typed' }, spec: { size: 1 } },
    { apiVersion: 'shop.example.com/v0', kind: 'Widget', metadata: { name: 'other-version' } },
    { metadata: { name: 'ünï' } },
  ];
  const body = `{"kind":"WidgetList","apiVersion":"shop.example.com/v1","metadata":{},"items":[${items.map((i) => JSON.stringify(i)).join(',')}]}`;
  const text: KubeRequester = {
    async getJson<T>() {
      return JSON.parse(body) as T;
    },
    async getJsonBytes() {
      return Buffer.from(body.replace('12345678901234567000', '12345678901234567890'));
    },
  };
  const got: string[] = [];
  for await (const item of listObjects(text, widgets, { namespace: 'shop' })) {
    const raw = rawJsonOf(item);
    if (item.metadata.name === 'other-version') {
      assert.is(raw, undefined, 'apiVersion as sent differs from the one listed: serialised instead');
      continue;
    }
    assert.ok(raw, item.metadata.name);
    const json = raw[0] + Buffer.from(raw[1]).toString();
    assert.equal(JSON.parse(json), item, 'the text says what the parsed object says');
    got.push(json);
  }
  assert.is(got[0], '{"apiVersion":"shop.example.com/v1","kind":"Widget","metadata":{"name":"plain","annotations":{"odd":"{\\"}] \\\\\\" ,"}},"data":{"big":12345678901234567890}}', 'digits the parse would round are kept');
  assert.is(got[1], JSON.stringify(items[1]));
  assert.is(got.length, 3);
  for await (const item of listObjects({ getJson: text.getJson }, widgets, { namespace: 'shop' })) assert.is(rawJsonOf(item), undefined);
});

test("a page's buffer is read into again only after its items let go of their raw JSON", async () => {
  const page = (n: number) =>
    JSON.stringify({ metadata: n < 3 ? { continue: String(n + 1) } : {}, items: [0, 1].map((i) => ({ metadata: { name: `cm-${n}-${i}` }, data: { fill: String(n).repeat(100 + 50 * n) } })) });
  const intos = new Set<BodyBuffer>();
  const client: KubeRequester = {
    async getJson<T>(): Promise<T> {
      throw new Error('bytes were asked for');
    },
    async getJsonBytes(_path, query = {}, _signal, into = new BodyBuffer(16)) {
      intos.add(into);
      into.reset();
      // In two chunks, as a socket gives them; the buffer grows to fit.
      const body = Buffer.from(page(query.continue ? Number(query.continue) : 1));
      into.append(body.subarray(0, 10));
      into.append(body.subarray(10));
      return into.view();
    },
  };
  const kept: KubeObject[] = [];
  for await (const item of listObjects(client, configmaps, { namespace: 'shop' })) {
    const raw = rawJsonOf(item);
    assert.ok(raw, `${item.metadata.name} as sent, while its page is current`);
    assert.equal(JSON.parse(raw[0] + Buffer.from(raw[1]).toString()), item);
    kept.push(item);
  }
  assert.is(intos.size, 2, 'two buffers, alternating');
  assert.equal(kept.map((i) => [i.metadata.name, rawJsonOf(i) !== undefined]), [['cm-1-0', false], ['cm-1-1', false], ['cm-2-0', true], ['cm-2-1', true], ['cm-3-0', true], ['cm-3-1', true]]);
  assert.is((kept[0]!.data as { fill: string }).fill, '1'.repeat(150), 'an item kept past its page is whole');
});

test.run();
