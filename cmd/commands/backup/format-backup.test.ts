// `backup describe` text against what Velero v1.18.3's `velero backup describe` prints for the same
// Backup: the expectations are cut from real Velero output (colours removed), and for hooks, results
// and pod volume backups from Velero's own describer functions run on the same input.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { Backup } from '../../../internal/backup/backup-object.ts';
import type { PodVolumeBackupRecord } from '../../../internal/volumes/records.ts';
import { describeBackup } from './format-backup.ts';

const text = (...lines: string[]) => `${lines.join('\n')}\n`;

/** The Velero-made backup v-1 as a Velero v1.18.3 server stored it (hookStatus {} included). */
function veleroMade(): Backup {
  return {
    apiVersion: 'velero.io/v1',
    kind: 'Backup',
    metadata: {
      name: 'v-1',
      namespace: 'velero',
      labels: { 'velero.io/storage-location': 'default' },
      // Not in key order: Velero sorts them.
      annotations: {
        'velero.io/source-cluster-k8s-minor-version': '35',
        'velero.io/resource-timeout': '10m0s',
        'velero.io/source-cluster-k8s-gitversion': 'v1.35.4',
        'velero.io/source-cluster-k8s-major-version': '1',
      },
    },
    spec: {
      includedNamespaces: ['rich'],
      excludedClusterScopedResources: ['volumesnapshotcontents.snapshot.storage.k8s.io'],
      excludedNamespaceScopedResources: ['volumesnapshots.snapshot.storage.k8s.io'],
      storageLocation: 'default',
      ttl: '720h0m0s',
      csiSnapshotTimeout: '10m0s',
      itemOperationTimeout: '4h0m0s',
      defaultVolumesToFsBackup: false,
      snapshotMoveData: false,
      hooks: {},
    },
    status: {
      version: 1,
      formatVersion: '1.1.0',
      phase: 'Completed',
      startTimestamp: '2026-12-02T13:46:42Z',
      completionTimestamp: '2026-12-02T13:46:43Z',
      expiration: '2027-01-01T13:46:42Z',
      progress: { totalItems: 62, itemsBackedUp: 62 },
      hookStatus: {},
    },
  };
}

// Kinds not in order: Velero sorts them, and keeps each kind's items as listed.
const RESOURCE_LIST = {
  'v1/Pod': ['rich/store-0', 'rich/web-b4d87bb48-jnw4p'],
  'apps/v1/Deployment': ['rich/web'],
  'rbac.authorization.k8s.io/v1/ClusterRole': ['rich-gadget-reader'],
};

const VELERO_MADE_HEAD = [
  'Name:         v-1',
  'Namespace:    velero',
  'Labels:       velero.io/storage-location=default',
  'Annotations:  velero.io/resource-timeout=10m0s',
  '              velero.io/source-cluster-k8s-gitversion=v1.35.4',
  '              velero.io/source-cluster-k8s-major-version=1',
  '              velero.io/source-cluster-k8s-minor-version=35',
  '',
  'Phase:  Completed',
  '',
  '',
  'Namespaces:',
  '  Included:  rich',
  '  Excluded:  <none>',
  '',
  'Resources:',
  '  Included cluster-scoped:    <none>',
  '  Excluded cluster-scoped:    volumesnapshotcontents.snapshot.storage.k8s.io',
  '  Included namespace-scoped:  *',
  '  Excluded namespace-scoped:  volumesnapshots.snapshot.storage.k8s.io',
  '',
  'Label selector:  <none>',
  '',
  'Or label selector:  <none>',
  '',
  'Storage Location:  default',
  '',
  'Velero-Native Snapshot PVs:    auto',
  'File System Backup (Default):  false',
  'Snapshot Move Data:            false',
  'Data Mover:                    velero',
  '',
  'TTL:  720h0m0s',
  '',
  'CSISnapshotTimeout:    10m0s',
  'ItemOperationTimeout:  4h0m0s',
  '',
  'Hooks:  <none>',
  '',
  'Backup Format Version:  1.1.0',
  '',
  'Started:    2026-12-02 13:46:42 +0000 UTC',
  'Completed:  2026-12-02 13:46:43 +0000 UTC',
  '',
  'Expiration:  2027-01-01 13:46:42 +0000 UTC',
  '',
  'Total items to be backed up:  62',
  'Items backed up:              62',
  '',
];

const NO_VOLUMES = ['Backup Volumes:', '  Velero-Native Snapshots: <none included>', '', '  CSI Snapshots: <none included>', '', '  Pod Volume Backups: <none included>'];

test('a Velero-made backup with --details reads as `velero backup describe --details` prints it', () => {
  const out = describeBackup(veleroMade(), { resourceList: RESOURCE_LIST, podVolumeBackups: [], details: true });
  const expected = text(
    ...VELERO_MADE_HEAD,
    'Resource List:',
    '  apps/v1/Deployment:',
    '    - rich/web',
    '  rbac.authorization.k8s.io/v1/ClusterRole:',
    '    - rich-gadget-reader',
    '  v1/Pod:',
    '    - rich/store-0',
    '    - rich/web-b4d87bb48-jnw4p',
    '',
    ...NO_VOLUMES,
    '',
    'HooksAttempted:  0',
    'HooksFailed:     0',
  );
  assert.fixture(out, expected);
});

test('without --details: no resource list, the rest the same', () => {
  const out = describeBackup(veleroMade(), { podVolumeBackups: [], details: false });
  assert.fixture(out, text(...VELERO_MADE_HEAD, ...NO_VOLUMES, '', 'HooksAttempted:  0', 'HooksFailed:     0'));
});

test('--details with no resource list file says so, as Velero does', () => {
  const out = describeBackup(veleroMade(), { details: true });
  assert.ok(out.includes('\nItems backed up:              62\n\nResource List:  <backup resource list not found>\n\nBackup Volumes:\n'), out);
});

test('a backup of ours: no hookStatus, so no hook counts (as Velero prints it); our file-system volume backups in Velero\'s layout', () => {
  const b = veleroMade();
  delete b.status.hookStatus;
  const record = (pod: string, volume: string, phase: 'Completed' | 'Failed', totalBytes: number): PodVolumeBackupRecord => ({
    apiVersion: 'velero.io/v1',
    kind: 'PodVolumeBackup',
    metadata: { name: `v-1-${pod}-${volume}`, namespace: 'velero', labels: {} },
    spec: { node: 'n1', pod: { kind: 'Pod', namespace: 'dbs', name: pod, uid: 'u' }, volume, backupStorageLocation: 'default', repoIdentifier: 'r', uploaderType: 'kubectl-velero', tags: {} },
    status: { phase, startTimestamp: '', completionTimestamp: '', progress: { totalBytes, bytesDone: totalBytes }, ...(phase === 'Completed' ? { snapshotID: 'abc' } : { message: 'cannot read' }) },
  });
  const records = [record('postgres-0', 'data', 'Completed', 1234), record('mariadb-0', 'data', 'Completed', 99), record('mariadb-0', 'conf', 'Completed', 0), record('web-1', 'cache', 'Failed', 5)];
  const head = ['Backup Volumes:', '  Velero-Native Snapshots: <none included>', '', '  CSI Snapshots: <none included>', ''];
  const details = describeBackup(b, { resourceList: {}, podVolumeBackups: records, details: true });
  assert.ok(
    details.endsWith(
      text(
        'Resource List:',
        '',
        ...head,
        '  Pod Volume Backups - kubectl-velero:',
        '    Completed:',
        '      dbs/mariadb-0: conf, data (size: 99)',
        '      dbs/postgres-0: data (size: 1234)',
        '    Failed:',
        '      dbs/web-1: cache',
      ),
    ),
    details,
  );
  const counts = describeBackup(b, { podVolumeBackups: records, details: false });
  assert.ok(counts.endsWith(text('Items backed up:              62', '', ...head, '  Pod Volume Backups - kubectl-velero (specify --details for more information):', '    Completed:  3', '    Failed:     1')), counts);
});

test('warnings and errors: the results file\'s messages after Phase, with or without --details', () => {
  const b = veleroMade();
  b.status.phase = 'PartiallyFailed';
  b.status.warnings = 1;
  b.status.errors = 3;
  const results = { errors: { velero: ['v1', 'v2'], namespaces: { shop: ['m1', 'm2'], apps: ['a1'] } }, warnings: { cluster: ['c1'] } };
  const out = describeBackup(b, { results, details: false });
  const expected = text(
    'Phase:  PartiallyFailed (run `kubectl velero backup logs v-1` for more information)',
    '',
    '',
    'Warnings:',
    '  Velero:     <none>',
    '  Cluster:  c1',
    '  Namespaces: <none>',
    '',
    'Errors:',
    '  Velero:   v1',
    '            v2',
    '  Cluster:    <none>',
    '  Namespaces:',
    '    apps:  a1',
    '    shop:  m1',
    '           m2',
    '',
    'Namespaces:',
  );
  assert.ok(out.includes(expected), out);
});

test('counts without a results file: Velero prints just the numbers', () => {
  const b = veleroMade();
  b.status.phase = 'Failed';
  b.status.errors = 1;
  const out = describeBackup(b, { details: false });
  assert.ok(out.includes(text('Phase:  Failed (run `kubectl velero backup logs v-1` for more information)', '', 'Errors:    1', 'Warnings:  0', '', 'Namespaces:')), out);
});

test('beyond Velero, a failure reason under Phase; validation errors as Velero prints them, the first on the heading\'s line', () => {
  const b = veleroMade();
  b.status.phase = 'FailedValidation';
  b.status.failureReason = 'the process stopped';
  b.status.validationErrors = ['e1', 'e2'];
  const out = describeBackup(b, { details: false });
  assert.ok(out.includes(text('Phase:           FailedValidation', 'Failure reason:  the process stopped', '', 'Validation errors:  e1', '                    e2', '', '', 'Namespaces:')), out);
});

test('the spec as Velero prints it: old resource filters, selectors, unset timeouts as 0s, the hooks tree, ordered resources', () => {
  const b = veleroMade();
  b.spec = {
    includedResources: ['pods', 'configmaps'],
    includeClusterResources: false,
    labelSelector: { matchLabels: { app: 'web' } },
    orLabelSelectors: [{ matchLabels: { a: 'b' } }, { matchLabels: { c: 'd' } }],
    snapshotVolumes: true,
    defaultVolumesToFsBackup: true,
    ttl: '24h',
    hooks: {
      resources: [
        {
          name: 'db',
          includedNamespaces: ['dbs', 'other'],
          labelSelector: { matchLabels: { role: 'db' } },
          pre: [{ exec: { container: 'pg', command: ['sh', '-c', 'sync'], onError: 'Fail', timeout: '30s' } }],
          post: [{ exec: { container: 'pg', command: ['true'] } }],
        },
        { name: 'second' },
      ],
    },
    orderedResources: { pods: 'ns/a,ns/b' },
    storageLocation: 'default',
  };
  const out = describeBackup(b, { details: false });
  // From Velero's DescribeBackupSpec run on the same spec.
  const expected = text(
    'Namespaces:',
    '  Included:  *',
    '  Excluded:  <none>',
    '',
    'Resources:',
    '  Included:        pods, configmaps',
    '  Excluded:        <none>',
    '  Cluster-scoped:  excluded',
    '',
    'Label selector:  app=web',
    '',
    'Or label selector:  a=b or c=d',
    '',
    'Storage Location:  default',
    '',
    'Velero-Native Snapshot PVs:    true',
    'File System Backup (Default):  true',
    'Snapshot Move Data:            auto',
    'Data Mover:                    velero',
    '',
    'TTL:  24h0m0s',
    '',
    'CSISnapshotTimeout:    0s',
    'ItemOperationTimeout:  0s',
    '',
    'Hooks:',
    '  Resources:',
    '    db:',
    '      Namespaces:',
    '        Included:  dbs, other',
    '        Excluded:  <none>',
    '',
    '      Resources:',
    '        Included:  *',
    '        Excluded:  <none>',
    '',
    '      Label selector:  role=db',
    '',
    '      Pre Exec Hook:',
    '        Container:  pg',
    '        Command:    sh -c sync',
    '        On Error:   Fail',
    '        Timeout:    30s',
    '',
    '      Post Exec Hook:',
    '        Container:  pg',
    '        Command:    true',
    '        On Error:   ',
    '        Timeout:    0s',
    '    second:',
    '      Namespaces:',
    '        Included:  *',
    '        Excluded:  <none>',
    '',
    '      Resources:',
    '        Included:  *',
    '        Excluded:  <none>',
    '',
    '      Label selector:  <none>',
    '',
    'OrderedResources:',
    '  pods: ns/a,ns/b',
    '',
    'Backup Format Version:  1.1.0',
  );
  assert.ok(out.includes(expected), out);
});

test('a backup still running: estimated counts; no expiration yet shows Go\'s <nil>; no phase is New', () => {
  const b = veleroMade();
  b.status = { phase: 'InProgress', progress: { totalItems: 10, itemsBackedUp: 4 } };
  const out = describeBackup(b, { details: false });
  assert.ok(out.includes(text('Started:    <n/a>', 'Completed:  <n/a>', '', 'Expiration:  <nil>', '', 'Estimated total items to be backed up:  10', 'Items backed up so far:                 4', '', 'Backup Volumes:')), out);
  b.status = {};
  assert.ok(describeBackup(b, { details: false }).includes('\nPhase:  New\n'));
});

test('text from the backup cannot add lines or cells', () => {
  const b = veleroMade();
  b.metadata.labels = { app: 'a\tb\nPhase:  Completed' };
  const out = describeBackup(b, { details: false });
  assert.ok(out.includes('Labels:       app=a\\tb\\nPhase:  Completed\n'), out);
});

test.run();
