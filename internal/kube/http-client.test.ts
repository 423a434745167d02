// KubeHttpClient against a plain HTTP server on loopback: the kubeconfig's request options are
// built once for many calls, and a 401 after they were kept is tried once more with fresh ones.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { KubeConfig } from '@kubernetes/client-node';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { KubeApiError } from './errors.ts';
import { KubeHttpClient } from './http-client.ts';

let server: Server;
let answers: number[] = [];
let seen = 0;

function kubeConfig(): KubeConfig {
  const kc = new KubeConfig();
  const { port } = server.address() as AddressInfo;
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: `http://127.0.0.1:${port}`, skipTLSVerify: true }],
    users: [{ name: 'u', token: 't0ken' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

test.before(async () => {
  server = createServer((req, res) => {
    seen++;
    const status = answers.shift() ?? 200;
    res.writeHead(status, { 'Content-Type': 'application/json' });
    res.end(status === 200 ? JSON.stringify({ auth: req.headers.authorization }) : JSON.stringify({ kind: 'Status', code: status, reason: 'Unauthorized', message: 'Unauthorized' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
});

test.after(() => new Promise<void>((resolve) => server.close(() => resolve())));

test.before.each(() => {
  answers = [];
  seen = 0;
});

test('the options are built once for many calls; every call carries the credentials', async () => {
  const kc = kubeConfig();
  let built = 0;
  const apply = kc.applyToHTTPSOptions.bind(kc);
  kc.applyToHTTPSOptions = async (opts) => {
    built++;
    return apply(opts);
  };
  const client = new KubeHttpClient(kc);
  for (let i = 0; i < 20; i++) assert.equal(await client.getJson('/api'), { auth: 'Bearer t0ken' });
  assert.is(built, 1);
  client.close();
});

test('a 401 with kept options is tried once more with options built anew; a second 401 is the answer', async () => {
  const client = new KubeHttpClient(kubeConfig());
  await client.getJson('/api');
  answers = [401];
  assert.equal(await client.getJson('/api'), { auth: 'Bearer t0ken' });
  assert.is(seen, 3);
  answers = [401, 401];
  try {
    await client.getJson('/api');
    assert.unreachable('a lasting 401 is an error');
  } catch (error) {
    assert.instance(error, KubeApiError);
    assert.is((error as KubeApiError).status, 401);
  }
  assert.is(seen, 5, 'tried twice, not more');
  client.close();
});

test.run();
