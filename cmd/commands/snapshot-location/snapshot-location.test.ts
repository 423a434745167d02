// `snapshot-location create|get|set|delete` run in-process as a user types them, against a config
// file of their own and no cluster.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { parse } from 'yaml';
import { withLocalLocation } from '../../cli.test-helpers.ts';
import { readLocations } from '../../../internal/storage/location-config.ts';

const vsl = suite('snapshot-location commands');
const { dir, velero } = withLocalLocation(vsl, 'kv-vsl-cli-');

const credentials = () => {
  const path = join(dir(), 'aws-credentials');
  writeFileSync(path, '[default]\naws_access_key_id=AKIDEXAMPLE\naws_secret_access_key=VERYSECRET\n', { mode: 0o600 });
  return path;
};

vsl('create, get (table, json, yaml), delete: the config file round-trips and keeps the backup location', async () => {
  const creds = credentials();
  const created = await velero(['snapshot-location', 'create', 'ebs', '--provider', 'aws', '--config', 'region=us-east-1,profile=default,ec2Endpoint=http://127.0.0.1:5000', '--credential-file', creds]);
  assert.is(created.code, 0, created.stderr);
  assert.match(created.stdout, /^Volume snapshot location "ebs" added to .*config\.yaml\.\n$/);
  const second = await velero(['snapshot-location', 'create', 'ebs-west', '--provider', 'velero.io/aws', '--config', 'region=us-west-2', '--credential', 'cloud-credentials=cloud', '--default']);
  assert.is(second.code, 0, second.stderr);
  assert.match(second.stdout, /\(default for provider aws\)/);

  const stored = parse(readFileSync(join(dir(), 'config.yaml'), 'utf8'));
  assert.equal(stored.volumeSnapshotLocations, {
    ebs: { provider: 'aws', config: { region: 'us-east-1', profile: 'default', ec2Endpoint: 'http://127.0.0.1:5000' }, credentialsFile: creds },
    'ebs-west': { provider: 'aws', config: { region: 'us-west-2' }, credential: { name: 'cloud-credentials', key: 'cloud' }, default: true },
  });
  assert.is(stored.defaultLocation, 'here', 'the backup storage location is untouched');
  assert.not.match(readFileSync(join(dir(), 'config.yaml'), 'utf8'), /VERYSECRET/);

  const table = await velero(['snapshot-location', 'get']);
  assert.is(table.code, 0, table.stderr);
  assert.equal(table.stdout.trimEnd().split('\n').map((l) => l.split(/\s{2,}/)), [
    ['NAME', 'PROVIDER', 'REGION', 'DEFAULT', 'SOURCE'],
    ['ebs', 'aws', 'us-east-1', 'config'],
    ['ebs-west', 'aws', 'us-west-2', 'true', 'config'],
  ]);
  const json = JSON.parse((await velero(['snapshot-location', 'get', '-o', 'json'])).stdout);
  assert.is(json.kind, 'VolumeSnapshotLocationList');
  assert.equal(json.items[1], { apiVersion: 'velero.io/v1', kind: 'VolumeSnapshotLocation', metadata: { name: 'ebs-west', namespace: 'velero' }, spec: { provider: 'aws', config: { region: 'us-west-2' }, credential: { name: 'cloud-credentials', key: 'cloud' } } });
  const one = parse((await velero(['snapshot-location', 'get', 'ebs', '-o', 'yaml'])).stdout);
  assert.equal(one.spec, { provider: 'aws', config: { region: 'us-east-1', profile: 'default', ec2Endpoint: 'http://127.0.0.1:5000' } });

  // Writing the backup locations keeps the snapshot locations.
  const bsl = await velero(['backup-location', 'create', 'disk', '--provider', 'local', '--config', `path=${join(dir(), 'disk')}`]);
  assert.is(bsl.code, 0, bsl.stderr);
  assert.equal(Object.keys(readLocations().volumeSnapshotLocations ?? {}), ['ebs', 'ebs-west']);

  const set = await velero(['snapshot-location', 'set', 'ebs', '--default']);
  assert.is(set.code, 0, set.stderr);
  assert.equal(Object.entries(readLocations().volumeSnapshotLocations!).map(([n, s]) => [n, s.default === true]), [['ebs', true], ['ebs-west', false]]);
  const toSecret = await velero(['snapshot-location', 'set', 'ebs', '--credential', 'other=key']);
  assert.is(toSecret.code, 0, toSecret.stderr);
  assert.equal(readLocations().volumeSnapshotLocations!.ebs!.credential, { name: 'other', key: 'key' });
  assert.is(readLocations().volumeSnapshotLocations!.ebs!.credentialsFile, undefined, '--credential replaces --credential-file');

  assert.match((await velero(['snapshot-location', 'delete', 'ebs'])).stderr, /^error: add --confirm to delete volume snapshot location "ebs"\n$/);
  const deleted = await velero(['snapshot-location', 'delete', 'ebs', '--confirm']);
  assert.is(deleted.code, 0, deleted.stderr);
  assert.match(deleted.stdout, /Volume snapshot location "ebs" deleted \(its snapshots are untouched\)/);
  assert.equal(Object.keys(readLocations().volumeSnapshotLocations ?? {}), ['ebs-west']);
  assert.equal(Object.keys(readLocations().locations).sort(), ['disk', 'here']);
});

vsl('create -o yaml prints the VolumeSnapshotLocation and stores nothing', async () => {
  const r = await velero(['snapshot-location', 'create', 'ebs', '--provider', 'aws', '--config', 'region=eu-west-1', '--credential', 'cloud-credentials=cloud', '-o', 'yaml', '-n', 'backups']);
  assert.is(r.code, 0, r.stderr);
  assert.equal(parse(r.stdout), { apiVersion: 'velero.io/v1', kind: 'VolumeSnapshotLocation', metadata: { name: 'ebs', namespace: 'backups' }, spec: { provider: 'aws', config: { region: 'eu-west-1' }, credential: { name: 'cloud-credentials', key: 'cloud' } } });
  assert.is(readLocations().volumeSnapshotLocations, undefined);
});

vsl('bad input: one error line each, nothing stored', async () => {
  const cases: [string[], RegExp][] = [
    [['--provider', 'gcp', '--config', 'project=p'], /^error: volume snapshot location "x": provider "gcp" has no volume snapshotter here \(known: aws\); GCE and Azure disks are not supported, use CSI snapshots for them\n$/],
    [['--provider', 'aws'], /^error: volume snapshot location "x" \(provider aws\): config key region is required/],
    [['--provider', 'aws', '--config', 'region=r,s3Url=http://x'], /unknown config key "s3Url"/],
    [['--provider', 'aws', '--config', 'region=r', '--credential-file', '/no/such/file'], /^error: volume snapshot location "x": cannot read credentials file \/no\/such\/file: ENOENT\n$/],
    [['--provider', 'aws', '--config', 'region=r', '--credential', 'a=b,c=d'], /--credential can only contain 1 key\/value pair/],
    [['--provider', 'aws', '--config', 'region=r', '--credential', 'a=b', '--credential-file', '/f'], /give --credential or --credential-file, not both/],
    [['--provider', 'aws', '--config', 'region=r', '-o', 'xml'], /unknown output format "xml"/],
  ];
  for (const [args, expected] of cases) {
    const r = await velero(['snapshot-location', 'create', 'x', ...args]);
    assert.is(r.code, 1, args.join(' '));
    assert.match(r.stderr, expected);
    assert.is(r.stderr.trimEnd().split('\n').length, 1, r.stderr);
  }
  const bad = join(dir(), 'bad-credentials');
  writeFileSync(bad, '[default]\naws_access_key_id=AKID\naws_secret_access_key=SUPERSECRET\n');
  const profile = await velero(['snapshot-location', 'create', 'x', '--provider', 'aws', '--config', 'region=r,profile=absent', '--credential-file', bad]);
  assert.match(profile.stderr, /profile "absent" of the credentials file has no aws_access_key_id/);
  assert.not.match(profile.stderr, /SUPERSECRET/);
  assert.is(readLocations().volumeSnapshotLocations, undefined);
  assert.match((await velero(['snapshot-location', 'create', 'Bad_Name', '--provider', 'aws', '--config', 'region=r'])).stderr, /invalid location name "Bad_Name"/);
  assert.match((await velero(['snapshot-location', 'get', 'nope'])).stderr, /^error: volume snapshot location "nope" not found\n$/);
  assert.match((await velero(['snapshot-location', 'delete', 'nope', '--confirm'])).stderr, /"nope" not found in the plugin config/);
  assert.match((await velero(['snapshot-location', 'set', 'nope', '--default'])).stderr, /"nope" not found in the plugin config/);
  assert.match((await velero(['snapshot-location', 'set', 'nope'])).stderr, /nothing to set/);
  assert.ok(readFileSync(join(dir(), 'config.yaml'), 'utf8').length > 0);
});

vsl.run();
