import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { parseKeyValues, readLocations, writeLocations } from './location-config.ts';
import { parseCredentialsFile } from './providers/aws-credentials.ts';
import { LocalStore } from './local-store.ts';
import { openLocation } from './locations.ts';
import { S3Store } from './s3-store.ts';
import type { NamedStore } from './named-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'kv-locations-'));
const path = join(dir, 'config.yaml');
const saved = { ...process.env };
test.before(() => {
  process.env.KUBECTL_VELERO_CONFIG = path;
  process.env.XDG_DATA_HOME = join(dir, 'data');
});
test.after(() => {
  process.env = saved;
  rmSync(dir, { recursive: true, force: true });
});

test('nothing configured: the default location is a local directory in the data dir', async () => {
  const opened = await openLocation(undefined);
  assert.is(opened.name, 'default');
  // The store module is loaded by a dynamic import (a separate module instance under the test runner's CJS hook): compare by name.
  assert.is((opened.store as NamedStore).inner.constructor.name, LocalStore.name);
  assert.is(opened.store.describe(), `file://${join(dir, 'data', 'kubectl-velero', 'backups')}`);
});

test('the config file round-trips, is private, and names the default', async () => {
  writeLocations({ defaultLocation: 'minio', locations: { minio: { provider: 'aws', bucket: 'velero', prefix: 'team', config: { region: 'us-east-1', s3Url: 'http://127.0.0.1:9000', s3ForcePathStyle: 'true' } } } }, path);
  assert.is(statSync(path).mode & 0o777, 0o600);
  const file = readLocations(path);
  assert.is(file.defaultLocation, 'minio');
  assert.is(file.locations.minio?.bucket, 'velero');
  const opened = await openLocation(undefined);
  assert.is(opened.name, 'minio');
  assert.is((opened.store as NamedStore).inner.constructor.name, S3Store.name);
  assert.is(opened.store.describe(), 's3://velero/team/ at http://127.0.0.1:9000');
});

test('an unknown location name is a one-line error', async () => {
  await openLocation('nope').then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /location "nope" not found/));
});

test('a broken config file is a clear error', async () => {
  const bad = join(dir, 'bad.yaml');
  writeLocations({ locations: {} }, bad);
  writeFileSync(bad, 'locations: [unclosed');
  assert.throws(() => readLocations(bad), /cannot parse/);
  assert.ok(readFileSync(bad, 'utf8'));
});

test('--config key=value pairs', () => {
  assert.equal(parseKeyValues('region=us-east-1,s3Url=http://h:9000/x?a=b,s3ForcePathStyle=true'), { region: 'us-east-1', s3Url: 'http://h:9000/x?a=b', s3ForcePathStyle: 'true' });
  assert.throws(() => parseKeyValues('novalue'), /invalid key=value/);
});

test('credentials file: profiles, and no secret in errors', () => {
  const text = '[default]\naws_access_key_id = AK1\naws_secret_access_key = S3CRET\n\n[profile other]\naws_access_key_id=AK2\naws_secret_access_key=S2\n';
  assert.equal(parseCredentialsFile(text), { accessKeyId: 'AK1', secretAccessKey: 'S3CRET' });
  assert.equal(parseCredentialsFile(text, 'other'), { accessKeyId: 'AK2', secretAccessKey: 'S2' });
  try {
    parseCredentialsFile('[default]\naws_access_key_id=AK1\n');
    assert.unreachable();
  } catch (error) {
    assert.not.match((error as Error).message, /AK1/);
  }
});

test.run();
