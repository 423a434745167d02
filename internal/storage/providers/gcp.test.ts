// The gcp provider's credentials and config checks: one-line messages that never quote the file.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { gcpProvider, parseGcpCredentials } from './gcp.ts';
import { LocationSpecError, findProvider, openStore, validateSpec } from './registry.ts';
import type { LocationSpec } from './provider.ts';

const SECRET = 'very-secret-refresh-token-4711';
const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const serviceAccount = {
  type: 'service_account',
  project_id: 'p1',
  private_key_id: 'abc',
  private_key: privateKey,
  client_email: 'velero@p1.iam.gserviceaccount.com',
  client_id: '123',
  token_uri: 'https://oauth2.example/token',
};

function errorOf(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

function assertClean(error: Error, ...secrets: string[]): void {
  assert.not.ok(error.message.includes('\n'), `one line: ${error.message}`);
  for (const secret of secrets) assert.not.ok(error.message.includes(secret), `quotes a secret: ${error.message}`);
}

test('names and keys as Velero has them', () => {
  assert.is(findProvider('velero.io/gcp'), gcpProvider);
  assert.is(findProvider('gcp'), gcpProvider);
  assert.is(gcpProvider.needsBucket, true);
  assert.equal([...gcpProvider.configKeys].sort(), ['credentialsFile', 'kmsKeyName', 'serviceAccount', 'storeEndpoint', 'universeDomain']);
});

test('a service-account key parses; the JSON is kept for the library', () => {
  const creds = parseGcpCredentials(JSON.stringify(serviceAccount));
  assert.is(creds.type, 'service_account');
  assert.is(creds.json.client_email, serviceAccount.client_email);
});

test('external_account and authorized_user files parse', () => {
  const external = { type: 'external_account', audience: '//iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/providers/q', subject_token_type: 'urn:ietf:params:oauth:token-type:jwt', token_url: 'https://sts.example/v1/token', credential_source: { file: '/var/run/token' } };
  assert.is(parseGcpCredentials(JSON.stringify(external)).type, 'external_account');
  const user = { type: 'authorized_user', client_id: 'c', client_secret: 's', refresh_token: SECRET };
  assert.is(parseGcpCredentials(JSON.stringify(user)).type, 'authorized_user');
});

test('not JSON: one line, the content never quoted', () => {
  const text = `[default]\naws_access_key_id=AKIA\naws_secret_access_key=${SECRET}\n`;
  const error = errorOf(() => parseGcpCredentials(text));
  assert.match(error.message, /not JSON/);
  assertClean(error, SECRET, 'AKIA');
  assert.match(errorOf(() => parseGcpCredentials('[1,2]')).message, /expected a JSON object/);
  assert.match(errorOf(() => parseGcpCredentials('')).message, /not JSON/);
});

test('a key file missing fields names the fields, not their values', () => {
  const { private_key: _, ...noKey } = serviceAccount;
  const error = errorOf(() => parseGcpCredentials(JSON.stringify({ ...noKey, client_secret: SECRET })));
  assert.match(error.message, /service_account credentials file lacks private_key/);
  assertClean(error, SECRET);
  const { client_email: __, ...noEmail } = serviceAccount;
  const both = errorOf(() => parseGcpCredentials(JSON.stringify({ ...noEmail, private_key: '' })));
  assert.match(both.message, /lacks client_email, private_key/);
  const user = errorOf(() => parseGcpCredentials(JSON.stringify({ type: 'authorized_user', client_id: 'c', client_secret: SECRET })));
  assert.match(user.message, /authorized_user credentials file lacks refresh_token/);
  assertClean(user, SECRET);
});

test('a private key that is not a key: refused without quoting it', () => {
  const error = errorOf(() => parseGcpCredentials(JSON.stringify({ ...serviceAccount, private_key: `-----BEGIN PRIVATE KEY-----\n${SECRET}\n-----END PRIVATE KEY-----\n` })));
  assert.match(error.message, /private_key is not a usable PEM private key/);
  assertClean(error, SECRET);
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  assert.match(errorOf(() => parseGcpCredentials(JSON.stringify({ ...serviceAccount, private_key: ec }))).message, /private_key is not an RSA key/);
});

test('an unknown or missing type is refused; an odd type is not echoed', () => {
  assert.match(errorOf(() => parseGcpCredentials(JSON.stringify({ type: 'impersonation_thing' }))).message, /unsupported Google Cloud credentials file \("impersonation_thing"\)/);
  assert.match(errorOf(() => parseGcpCredentials(JSON.stringify({ client_email: 'x' }))).message, /no "type"/);
  const odd = errorOf(() => parseGcpCredentials(JSON.stringify({ type: `x ${SECRET}` })));
  assertClean(odd, SECRET);
});

const spec = (config: Record<string, string>): LocationSpec => ({ provider: 'velero.io/gcp', bucket: 'b', config });

test('config: Velero keys pass, an unknown key is refused naming the location and the known keys', () => {
  const ok = validateSpec('g', spec({ storeEndpoint: 'http://127.0.0.1:4443', universeDomain: 'googleapis.com', kmsKeyName: 'projects/p/locations/eu/keyRings/r/cryptoKeys/k', serviceAccount: 'velero@p.iam.gserviceaccount.com', credentialsFile: '/k.json' }));
  assert.is(ok.provider, 'gcp');
  const error = errorOf(() => validateSpec('g', spec({ region: 'eu' })));
  assert.instance(error, LocationSpecError);
  assert.match(error.message, /backup storage location "g".*unknown config key "region".*kmsKeyName, serviceAccount, credentialsFile, storeEndpoint, universeDomain/);
  assert.match(errorOf(() => validateSpec('g', { provider: 'gcp', config: {} })).message, /needs --bucket/);
});

test('config values are checked', () => {
  assert.match(errorOf(() => validateSpec('g', spec({ storeEndpoint: '127.0.0.1:4443' }))).message, /storeEndpoint must be an http/);
  assert.match(errorOf(() => validateSpec('g', spec({ kmsKeyName: 'my-key' }))).message, /kmsKeyName must be projects\//);
  assert.match(errorOf(() => validateSpec('g', spec({ serviceAccount: 'nobody' }))).message, /serviceAccount must be/);
  assert.match(errorOf(() => validateSpec('g', spec({ universeDomain: 'https://x' }))).message, /universeDomain must be a domain/);
});

test('config credentialsFile (read by the registry): used when the location has no credentials; its errors name the file, not the content', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gcp-test-'));
  try {
    const broken = join(dir, 'broken.json');
    writeFileSync(broken, `{"type":"service_account","private_key":"${SECRET}"`);
    const error = await openStore('g', spec({ credentialsFile: broken })).then(() => undefined, (e: Error) => e);
    assert.ok(error);
    assert.match(error!.message, new RegExp(`credentials file ${broken} \\(config key credentialsFile\\): not a Google Cloud credentials file`));
    assertClean(error!, SECRET);
    const missing = await openStore('g', spec({ credentialsFile: join(dir, 'nope.json') })).then(() => undefined, (e: Error) => e);
    assert.match(missing?.message ?? '', /cannot read credentials file .*nope\.json \(config key credentialsFile\): ENOENT/);
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify(serviceAccount));
    const store = await openStore('g', spec({ credentialsFile: good, storeEndpoint: 'http://127.0.0.1:1' }));
    assert.is(store.describe(), 'gs://b/ at http://127.0.0.1:1');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
