// Volume snapshot locations: the config file's section (beside, and kept by, the backup storage
// locations), the cluster's VolumeSnapshotLocations and their Secrets, Velero's choice of one
// location per provider, and where credentials come from.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { KubeApiError } from '../kube/errors.ts';
import type { KubeRequester } from '../kube/http-client.ts';
import { readLocations, writeLocations } from '../storage/location-config.ts';
import { checkSnapshotLocationCredentials, openVolumeSnapshotter, validateSnapshotLocation } from './registry.ts';
import {
  addSnapshotLocation,
  chooseSnapshotLocations,
  configSnapshotLocations,
  findSnapshotLocation,
  listSnapshotLocations,
  removeSnapshotLocation,
  replaceSnapshotLocation,
  resolveSnapshotLocation,
  selectSnapshotLocations,
  type SnapshotLocationEntry,
  snapshotterLookup,
} from './snapshot-locations.ts';

const entry = (name: string, provider: string, isDefault = false, source: 'config' | 'cluster' = 'config'): SnapshotLocationEntry => ({ name, provider, config: { region: 'r' }, isDefault, source });

const select = suite("Velero's choice of locations");

select('the only location of a provider, or the one named', () => {
  assert.equal(selectSnapshotLocations([entry('ebs', 'aws')]).map((l) => l.name), ['ebs']);
  assert.equal(selectSnapshotLocations([entry('a', 'aws'), entry('b', 'aws')], ['b']).map((l) => l.name), ['b']);
  assert.equal(selectSnapshotLocations([]), []);
});

select('several of a provider: the default, else an error that says what to do', () => {
  assert.equal(selectSnapshotLocations([entry('a', 'aws'), entry('b', 'aws', true)]).map((l) => l.name), ['b']);
  assert.throws(() => selectSnapshotLocations([entry('a', 'aws'), entry('b', 'aws')]), /provider aws has more than one volume snapshot location \(a, b\) and none was named with --volume-snapshot-locations or made the default/);
});

select('a name that does not exist, two names for one provider: one line with every problem', () => {
  assert.throws(() => selectSnapshotLocations([entry('a', 'aws')], ['nope']), /volume snapshot location "nope" does not exist/);
  assert.throws(() => selectSnapshotLocations([entry('a', 'aws'), entry('b', 'aws')], ['a', 'b']), /more than one volume snapshot location named for provider aws: a and b/);
  try {
    selectSnapshotLocations([entry('a', 'aws')], ['x', 'y']);
    assert.unreachable();
  } catch (error) {
    assert.match((error as Error).message, /"x" does not exist.*; volume snapshot location "y" does not exist/);
    assert.not.match((error as Error).message, /\n/);
  }
});

select.run();

const file = suite('the config file section');
let dir = '';
let saved: string | undefined;
file.before.each(() => {
  dir = mkdtempSync(join(tmpdir(), 'kv-vsl-'));
  saved = process.env.KUBECTL_VELERO_CONFIG;
  process.env.KUBECTL_VELERO_CONFIG = join(dir, 'config.yaml');
});
file.after.each(() => {
  if (saved === undefined) delete process.env.KUBECTL_VELERO_CONFIG;
  else process.env.KUBECTL_VELERO_CONFIG = saved;
  rmSync(dir, { recursive: true, force: true });
});

file('added beside the backup locations, kept when those are written, removed again', () => {
  writeLocations({ defaultLocation: 'minio', locations: { minio: { provider: 'aws', bucket: 'velero' } } });
  addSnapshotLocation('ebs', { provider: 'velero.io/aws', config: { region: 'us-east-1' }, credentialsFile: '/c' });
  // What backup-location create does: read, change, write.
  const read = readLocations();
  read.locations.other = { provider: 'local', config: { path: '/x' } };
  writeLocations(read);
  const after = readLocations();
  assert.equal(after.volumeSnapshotLocations, { ebs: { provider: 'aws', config: { region: 'us-east-1' }, credentialsFile: '/c' } });
  assert.equal(Object.keys(after.locations).sort(), ['minio', 'other']);
  assert.match(readFileSync(join(dir, 'config.yaml'), 'utf8'), /volumeSnapshotLocations:\n {2}ebs:\n {4}provider: aws/);
  removeSnapshotLocation('ebs');
  assert.is(readLocations().volumeSnapshotLocations, undefined);
  assert.not.match(readFileSync(join(dir, 'config.yaml'), 'utf8'), /volumeSnapshotLocations/);
  assert.is(readLocations().defaultLocation, 'minio');
});

file('a file without the section reads as before; a new default clears the old one of its provider', () => {
  writeFileSync(join(dir, 'config.yaml'), 'locations: {}\n');
  assert.equal(readLocations(), { locations: {} });
  addSnapshotLocation('a', { provider: 'aws', config: { region: 'r1' }, default: true });
  addSnapshotLocation('b', { provider: 'aws', config: { region: 'r2' }, default: true });
  assert.equal(configSnapshotLocations().map((l) => [l.name, l.isDefault]), [['a', false], ['b', true]]);
  replaceSnapshotLocation('a', { ...readLocations().volumeSnapshotLocations!.a!, default: true });
  assert.equal(configSnapshotLocations().map((l) => [l.name, l.isDefault]), [['a', true], ['b', false]]);
  assert.throws(() => addSnapshotLocation('a', { provider: 'aws', config: { region: 'r' } }), /"a" already exists/);
  assert.throws(() => replaceSnapshotLocation('zz', { provider: 'aws', config: { region: 'r' } }), /"zz" not found/);
  assert.throws(() => addSnapshotLocation('g', { provider: 'gcp', config: {} }), /provider "gcp" has no volume snapshotter here .*GCE and Azure disks are not supported/);
  assert.throws(() => addSnapshotLocation('k', { provider: 'aws', config: { region: 'r', bogus: '1' } }), /volume snapshot location "k" \(provider aws\): unknown config key "bogus": provider aws takes region, profile, credentialsFile, enableSharedConfig, ebsKmsKeyId, ec2Endpoint/);
  assert.throws(() => addSnapshotLocation('n', { provider: 'aws', config: {} }), /volume snapshot location "n" \(provider aws\): config key region is required/);
});

file('credentials: --credential-file, else the Secret of --credential, else config key credentialsFile, else the SDK chain', async () => {
  const creds = join(dir, 'creds');
  writeFileSync(creds, '[default]\naws_access_key_id=AK\naws_secret_access_key=TOPSECRET\n[backups]\naws_access_key_id=AK2\naws_secret_access_key=S2\n');
  const cluster = fakeCluster({ secrets: { 'cloud-credentials': { cloud: Buffer.from('[backups]\naws_access_key_id=AK3\naws_secret_access_key=S3\n').toString('base64') } } });
  const base = { name: 'x', provider: 'aws', isDefault: false, source: 'config' as const };
  assert.equal((await resolveSnapshotLocation({ ...base, config: { region: 'r' }, credentialsFile: creds })).credentials, { kind: 'file', path: creds });
  const secret = await resolveSnapshotLocation({ ...base, config: { region: 'r', profile: 'backups' }, credential: { name: 'cloud-credentials', key: 'cloud' } }, cluster);
  assert.equal(secret.credentials.kind === 'secret' && secret.credentials.describe, 'credential Secret velero/cloud-credentials (key cloud)');
  checkSnapshotLocationCredentials(secret);
  assert.equal((await resolveSnapshotLocation({ ...base, config: { region: 'r', credentialsFile: creds } })).credentials, { kind: 'file', path: creds, from: 'config key credentialsFile' });
  assert.equal((await resolveSnapshotLocation({ ...base, config: { region: 'r' } })).credentials, { kind: 'default' });
  await resolveSnapshotLocation({ ...base, config: { region: 'r' }, credential: { name: 'cloud-credentials', key: 'cloud' } }).then(
    () => assert.unreachable(),
    (e: Error) => assert.match(e.message, /takes its credentials from the Secret cloud-credentials of the Velero namespace, and no cluster is reachable/),
  );
  await resolveSnapshotLocation({ ...base, config: { region: 'r' }, credential: { name: 'cloud-credentials', key: 'nokey' } }, cluster).then(
    () => assert.unreachable(),
    (e: Error) => assert.match(e.message, /Secret velero\/cloud-credentials of volume snapshot location "x" has no key "nokey"/),
  );
  // Unreadable or unparsable credentials: one line, no secret.
  const missing = await resolveSnapshotLocation({ ...base, config: { region: 'r' }, credentialsFile: join(dir, 'nope') });
  assert.throws(() => checkSnapshotLocationCredentials(missing), /volume snapshot location "x": cannot read credentials file .*nope: ENOENT/);
  const wrongProfile = await resolveSnapshotLocation({ ...base, config: { region: 'r', profile: 'absent' }, credentialsFile: creds });
  try {
    checkSnapshotLocationCredentials(wrongProfile);
    assert.unreachable();
  } catch (error) {
    assert.match((error as Error).message, /profile "absent" of the credentials file has no aws_access_key_id/);
    assert.not.match((error as Error).message, /TOPSECRET/);
  }
});

file("the cluster's VolumeSnapshotLocations join the config file's (which win a name), and are chosen by Velero's rules", async () => {
  addSnapshotLocation('ebs', { provider: 'aws', config: { region: 'us-east-1' } });
  const cluster = fakeCluster({
    vsls: [
      { metadata: { name: 'ebs' }, spec: { provider: 'aws', config: { region: 'eu-west-1' } } },
      { metadata: { name: 'velero-default', labels: { component: 'velero' } }, spec: { provider: 'velero.io/aws', config: { region: 'us-west-2' }, credential: { name: 'cloud-credentials', key: 'cloud' } }, status: { phase: 'Available' } },
    ],
    secrets: { 'cloud-credentials': { cloud: Buffer.from('[default]\naws_access_key_id=A\naws_secret_access_key=B\n').toString('base64') } },
  });
  const { locations } = await listSnapshotLocations(cluster);
  assert.equal(locations.map((l) => [l.name, l.source, l.config.region]), [['ebs', 'config', 'us-east-1'], ['velero-default', 'cluster', 'us-west-2']]);
  await chooseSnapshotLocations(undefined, cluster).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /provider aws has more than one volume snapshot location \(ebs, velero-default\)/));
  const chosen = await chooseSnapshotLocations(['velero-default'], cluster);
  assert.equal(chosen.map((l) => [l.name, l.provider, l.source, l.credentials.kind]), [['velero-default', 'aws', 'cluster', 'secret']]);
  const found = await findSnapshotLocation('velero-default', cluster);
  assert.is(found.config.region, 'us-west-2');
  await findSnapshotLocation('gone', cluster).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /volume snapshot location "gone" not found in the plugin config or as a VolumeSnapshotLocation in namespace velero/));
  // Velero not installed (404) or not allowed (403): the config file's alone, the latter with a warning.
  assert.equal((await listSnapshotLocations(fakeCluster({ status: 404 }))).locations.map((l) => l.name), ['ebs']);
  assert.match((await listSnapshotLocations(fakeCluster({ status: 403 }))).warning ?? '', /cannot list VolumeSnapshotLocations in namespace velero: forbidden/);
});

file('snapshotterLookup opens each location once, by name', async () => {
  addSnapshotLocation('ebs', { provider: 'aws', config: { region: 'us-east-1' } });
  let opened = 0;
  const lookup = snapshotterLookup(undefined, async (location) => {
    opened++;
    return openVolumeSnapshotter(location);
  });
  const [a, b] = await Promise.all([lookup('ebs'), lookup('ebs')]);
  assert.is(a, b);
  assert.is(opened, 1);
  assert.is(a.describe(), 'EBS in us-east-1');
  await lookup('nope').then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /"nope" not found in the plugin config/));
  assert.equal(validateSnapshotLocation('v', 'velero.io/aws', { region: 'r' }), { provider: 'aws', config: { region: 'r' } });
});

file.run();

function fakeCluster(options: { vsls?: unknown[]; secrets?: Record<string, Record<string, string>>; status?: number }) {
  const client: KubeRequester = {
    async getJson<T>(path: string): Promise<T> {
      if (options.status) throw new KubeApiError(options.status, 'x', path, `status ${options.status}`);
      if (path === '/apis/velero.io/v1/namespaces/velero/volumesnapshotlocations') return { items: options.vsls ?? [] } as T;
      const secret = /^\/api\/v1\/namespaces\/velero\/secrets\/(.+)$/.exec(path)?.[1];
      if (secret && options.secrets?.[secret]) return { data: options.secrets[secret] } as T;
      throw new KubeApiError(404, 'NotFound', path, 'not found');
    },
  };
  return { client, namespace: 'velero' };
}
