// GcsStore against a stand-in for the JSON API on loopback: what the emulator cannot show — the
// KMS key name reaches both upload kinds, and requests to a custom endpoint carry a service-account
// key's self-signed JWT, with no token server ever asked.
import { generateKeyPairSync } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { CRC32C } from '@google-cloud/storage';
import { GcsStore, storageOptions } from './gcs-store.ts';

interface Seen {
  method: string;
  url: URL;
  authorization?: string;
}

const seen: Seen[] = [];
let server: Server;
let endpoint: string;

function body(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The object resource the API returns, with the CRC32C of what was sent (the client checks it). */
function objectResource(name: string, content: Buffer) {
  return JSON.stringify({ kind: 'storage#object', bucket: 'b', name, size: String(content.length), crc32c: (() => { const c = new CRC32C(); c.update(content); return c.toString(); })() });
}

const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

test.before(async () => {
  server = createServer(async (req, res) => {
    const url = new URL(req.url!, 'http://x');
    seen.push({ method: req.method!, url, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
    const data = await body(req);
    if (url.pathname === '/token') {
      res.writeHead(500).end();
    } else if (req.method === 'POST' && url.searchParams.get('uploadType') === 'multipart') {
      // multipart/related: metadata part, then the content part; the content here is "small".
      const content = Buffer.from('small');
      assert.ok(data.includes(content));
      res.writeHead(200, { 'content-type': 'application/json' }).end(objectResource(url.searchParams.get('name') ?? 'x', content));
    } else if (req.method === 'POST' && url.searchParams.get('uploadType') === 'resumable') {
      res.writeHead(200, { location: `${endpoint}/session/1` }).end();
    } else if (req.method === 'PUT' && url.pathname === '/session/1') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(objectResource('p/streamed', data));
    } else {
      res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: { code: 404, message: 'Not Found' } }));
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

test.after(() => {
  server.close();
});

const credentials = () => ({
  type: 'service_account',
  project_id: 'p1',
  private_key_id: 'k1',
  private_key: key,
  client_email: 'sa@p1.iam.gserviceaccount.com',
  client_id: '1',
  token_uri: `${endpoint}/token`,
});

test('client options: the endpoint, the universe, and auth also against a custom endpoint', () => {
  const options = storageOptions({ bucket: 'b', endpoint: 'http://127.0.0.1:1', universeDomain: 'example.com', credentials: credentials() });
  assert.is(options.apiEndpoint, 'http://127.0.0.1:1');
  assert.is(options.universeDomain, 'example.com');
  assert.is(options.useAuthWithCustomEndpoint, true);
  assert.is(options.projectId, 'p1');
  assert.not.ok('apiEndpoint' in storageOptions({ bucket: 'b' }));
});

test('kmsKeyName goes with single-request and resumable uploads; requests carry a self-signed JWT', async () => {
  const kms = 'projects/p1/locations/eu/keyRings/r/cryptoKeys/k';
  const store = new GcsStore({ bucket: 'b', prefix: 'p', endpoint, kmsKeyName: kms, credentials: credentials(), chunkSize: 256 * 1024 });
  seen.length = 0;
  await store.put('small', 'small');
  await store.put('streamed', Readable.from([Buffer.alloc(1000, 1)]));
  const uploads = seen.filter((s) => s.method === 'POST' && s.url.pathname.startsWith('/upload/'));
  assert.equal(uploads.map((s) => s.url.searchParams.get('uploadType')), ['multipart', 'resumable']);
  for (const upload of uploads) assert.is(upload.url.searchParams.get('kmsKeyName'), kms);
  assert.is(uploads[0]!.url.searchParams.get('name'), 'p/small');

  assert.not.ok(seen.some((s) => s.url.pathname === '/token'), 'no token endpoint is asked');
  const auth = uploads[0]!.authorization ?? '';
  assert.match(auth, /^Bearer [\w-]+\.[\w-]+\.[\w-]+$/);
  const claims = JSON.parse(Buffer.from(auth.split('.')[1]!, 'base64url').toString()) as { iss?: string; scope?: string };
  assert.is(claims.iss, 'sa@p1.iam.gserviceaccount.com');
  assert.match(claims.scope ?? '', /devstorage/);
});

test('describe names the bucket, the prefix and the endpoint', () => {
  assert.is(new GcsStore({ bucket: 'b', prefix: '/x/y/', endpoint: 'http://h:1' }).describe(), 'gs://b/x/y/ at http://h:1');
  assert.is(new GcsStore({ bucket: 'b' }).describe(), 'gs://b/');
});

test.run();
