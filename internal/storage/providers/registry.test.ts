import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { LocalStore } from '../local-store.ts';
import { S3Store } from '../s3-store.ts';
import { NamedStore } from '../named-store.ts';
import { StorageUnavailableError } from '../object-store.ts';
import { configCredentialSource, findProvider, openStore, PROVIDERS, readCredentials, validateSpec } from './registry.ts';

const dir = mkdtempSync(join(tmpdir(), 'kv-registry-'));
test.after(() => rmSync(dir, { recursive: true, force: true }));

test("each provider answers to its name and Velero's velero.io/ name", () => {
  for (const name of ['aws', 'azure', 'gcp']) {
    assert.is(findProvider(name)?.name, name);
    assert.is(findProvider(`velero.io/${name}`)?.name, name);
  }
  assert.is(findProvider('local')?.name, 'local');
  assert.is(findProvider('ibm'), undefined);
  assert.equal(new Set(PROVIDERS.flatMap((p) => p.aliases)).size, PROVIDERS.flatMap((p) => p.aliases).length, 'no alias answers for two providers');
});

test('validateSpec: unknown provider, missing bucket, unknown and unsupported keys, each one line naming the location', () => {
  const cases: [Parameters<typeof validateSpec>[1], RegExp][] = [
    [{ provider: 'ibm', bucket: 'b' }, /^backup storage location "loc": unknown provider "ibm": use aws, azure, gcp or local$/],
    [{ provider: 'aws' }, /^backup storage location "loc" \(provider aws\) needs --bucket$/],
    [{ provider: 'aws', bucket: 'b', config: { regoin: 'x' } }, /unknown config key "regoin": provider aws takes region, s3Url/],
    [{ provider: 'aws', bucket: 'b', config: { customerKeyEncryptionFile: '/k' } }, /config key customerKeyEncryptionFile: SSE-C/],
    [{ provider: 'aws', bucket: 'b', config: { s3ForcePathStyle: 'maybe' } }, /s3ForcePathStyle must be true or false/],
    [{ provider: 'local', config: { bucket: 'x' } }, /unknown config key "bucket": provider local takes path/],
  ];
  for (const [spec, message] of cases) {
    try {
      validateSpec('loc', spec);
      assert.unreachable(`${JSON.stringify(spec)} must be refused`);
    } catch (error) {
      assert.match((error as Error).message, message);
      assert.not.ok((error as Error).message.includes('\n'));
    }
  }
});

test("validateSpec returns the provider's own name for a Velero alias", () => {
  assert.is(validateSpec('loc', { provider: 'velero.io/aws', bucket: 'b', config: { region: 'eu-west-1' } }).provider, 'aws');
});

test('credentials: a missing file and a broken one name the location and the file, never the content', () => {
  const spec = { provider: 'aws', bucket: 'b', credentialsFile: join(dir, 'none') };
  assert.throws(() => readCredentials('loc', spec, { kind: 'file', path: spec.credentialsFile }), /^backup storage location "loc": cannot read credentials file .*none: ENOENT$/);
  const broken = join(dir, 'broken');
  writeFileSync(broken, '[default]\naws_access_key_id=AKSECRETID\n');
  try {
    readCredentials('loc', spec, { kind: 'file', path: broken });
    assert.unreachable();
  } catch (error) {
    assert.match((error as Error).message, /^backup storage location "loc": credentials file .*broken: profile "default"/);
    assert.not.match((error as Error).message, /AKSECRETID/);
  }
  assert.is(readCredentials('loc', spec, { kind: 'default' }), undefined);
  assert.equal(readCredentials('loc', spec, { kind: 'secret', text: '[default]\naws_access_key_id=A\naws_secret_access_key=B\n', describe: 'Secret velero/x' }), { accessKeyId: 'A', secretAccessKey: 'B' });
});

test('openStore goes through the provider', async () => {
  // Stores are loaded by a dynamic import (another module instance under the test runner's CJS hook): compare by name.
  const local = (await openStore('d', { provider: 'local', config: { path: dir } })) as NamedStore;
  assert.instance(local, NamedStore);
  assert.is(local.inner.constructor.name, LocalStore.name);
  const s3 = await openStore('m', { provider: 'velero.io/aws', bucket: 'velero', prefix: 'p', config: { s3Url: 'http://127.0.0.1:9', s3ForcePathStyle: 'true' } }, { kind: 'default' });
  assert.is((s3 as NamedStore).inner.constructor.name, S3Store.name);
  assert.is(s3.describe(), 's3://velero/p/ at http://127.0.0.1:9');
});

test("a store's unavailability names the location; a missing key stays a missing key", async () => {
  const store = await openStore('offline', { provider: 'aws', bucket: 'velero', config: { s3Url: 'http://127.0.0.1:1', s3ForcePathStyle: 'true' } }, { kind: 'secret', text: '[default]\naws_access_key_id=A\naws_secret_access_key=B\n', describe: 'x' });
  const error = await store.exists('backups/x/velero-backup.json').then(() => undefined, (e: unknown) => e);
  assert.is((error as Error).constructor.name, StorageUnavailableError.name);
  assert.match((error as Error).message, /^backup storage location "offline": cannot reach the object store s3:\/\/velero\/ at http:\/\/127\.0\.0\.1:1 /);
  const local = await openStore('d', { provider: 'local', config: { path: dir } });
  await local.get('backups/none').then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /^object "backups\/none" not found in file:\/\//));
});

test("credentials: --credential-file, else Velero's credentialsFile config key (every provider), else the SDK's chain", () => {
  assert.equal(configCredentialSource({ provider: 'aws', bucket: 'b', credentialsFile: '/a', config: { credentialsFile: '/b' } }), { kind: 'file', path: '/a' });
  assert.equal(configCredentialSource({ provider: 'azure', bucket: 'b', config: { credentialsFile: '/b' } }), { kind: 'file', path: '/b', from: 'config key credentialsFile' });
  assert.equal(configCredentialSource({ provider: 'gcp', bucket: 'b', config: {} }), { kind: 'default' });
  assert.throws(() => readCredentials('loc', { provider: 'aws', bucket: 'b' }, configCredentialSource({ provider: 'aws', bucket: 'b', config: { credentialsFile: join(dir, 'none') } })), /^backup storage location "loc": cannot read credentials file .*none \(config key credentialsFile\): ENOENT$/);
});

test.run();
