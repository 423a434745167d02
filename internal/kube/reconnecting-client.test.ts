import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KubeApiError, KubeUnreachableError } from './errors.ts';
import type { WriteMethod } from './http-client.ts';
import { ApiServerGoneError, ReconnectingClient } from './reconnecting-client.ts';

/** An API server that is down while `down` is true; counts calls and readiness probes. */
function server() {
  const s = {
    down: false,
    calls: 0,
    probes: 0,
    clock: 0,
    events: [] as string[],
    describe: () => 'https://127.0.0.1:6443',
    async getJson<T>(path: string): Promise<T> {
      s.calls++;
      if (s.down) throw new KubeUnreachableError('cannot reach the API server at https://127.0.0.1:6443 (ECONNREFUSED): check --kubeconfig/--context and that the cluster is up');
      if (path === '/forbidden') throw new KubeApiError(403, 'Forbidden', path, 'forbidden');
      return { path } as T;
    },
    async sendJson<T>(method: WriteMethod, path: string): Promise<T> {
      return s.getJson<T>(`${method} ${path}`);
    },
  };
  return s;
}

/** The error a call ends with (none: a test failure). */
async function failure(call: () => Promise<unknown>): Promise<Error> {
  const outcome = await call().then(
    () => undefined,
    (e: Error) => e,
  );
  assert.ok(outcome, 'the call should have failed');
  return outcome!;
}

function client(s: ReturnType<typeof server>, timeoutMs: number, upAfterProbes = Infinity) {
  return new ReconnectingClient(s, {
    timeoutMs,
    pollMs: 1_000,
    now: () => s.clock,
    sleep: async (ms) => {
      s.clock += ms;
    },
    ready: async () => {
      s.probes++;
      if (s.probes >= upAfterProbes) s.down = false;
      if (s.down) throw new Error('not ready');
    },
    onWait: (e) => s.events.push(`${e.state} ${e.cause} ${e.waitedMs}`),
  });
}

test('an outage is waited out once for every call that met it, and the calls are sent again', async () => {
  const s = server();
  const c = client(s, 60_000, 3);
  s.down = true;
  const results = await Promise.all([c.getJson('/a'), c.getJson('/b'), c.sendJson('POST', '/c', {})]);
  assert.equal(results, [{ path: '/a' }, { path: '/b' }, { path: 'POST /c' }]);
  assert.is(s.probes, 3, 'one poller for the three calls');
  assert.equal(s.events, ['waiting ECONNREFUSED 0', 'back ECONNREFUSED 3000']);
});

test('a server that does not come back: the calls fail with one message, and later calls fail at once', async () => {
  const s = server();
  const c = client(s, 5_000);
  s.down = true;
  const error = await c.getJson('/a').catch((e: Error) => e);
  assert.instance(error, ApiServerGoneError);
  assert.is((error as Error).message, 'the API server at https://127.0.0.1:6443 stopped answering (ECONNREFUSED), and did not answer again within 5s (--api-reconnect-timeout)');
  assert.is(s.probes, 5);
  const calls = s.calls;
  s.down = false;
  assert.match((await failure(() => c.getJson('/b'))).message, /stopped answering/);
  assert.is(s.calls, calls, 'no request once the server is given up on');
  assert.equal(s.events.at(-1), 'gave-up ECONNREFUSED 5000');
});

test('an answer from the server (403) is the caller\'s, not an outage', async () => {
  const s = server();
  const c = client(s, 60_000);
  assert.is((await failure(() => c.getJson('/forbidden')) as KubeApiError).status, 403);
  assert.is(s.probes, 0);
});

test('a timeout of 0 gives up at the first outage without waiting', async () => {
  const s = server();
  const c = client(s, 0);
  s.down = true;
  assert.match((await failure(() => c.getJson('/a'))).message, /stopped answering \(ECONNREFUSED\)$/);
  assert.is(s.probes, 0);
  assert.equal(s.events, ['gave-up ECONNREFUSED 0']);
});

test('a server that keeps flapping fails a call after three outages instead of looping', async () => {
  const s = server();
  let probes = 0;
  const c = new ReconnectingClient(
    { ...s, describe: s.describe, getJson: async () => { throw new KubeUnreachableError('cannot reach the API server at x (ECONNRESET): check'); }, sendJson: s.sendJson },
    { timeoutMs: 10_000, sleep: async () => undefined, ready: async () => void probes++ },
  );
  const error = await failure(() => c.getJson('/a'));
  assert.ok(error instanceof KubeUnreachableError && !(error instanceof ApiServerGoneError), error.message);
  assert.is(probes, 3);
});

test.run();
