import { test } from 'uvu';
import * as assert from 'uvu/assert';
import type { BackupSpec } from '../backup/backup-object.ts';
import { selectorToString } from '../backup/label-selector.ts';
import { buildBackupSpec } from '../backup/spec.ts';
import { newSchedule } from './schedule-object.ts';
import { optionsFromTemplate, scheduledBackup } from './scheduled-backup.ts';

const at = new Date('2026-05-17T02:00:07Z');

/** Selectors as text: the same requirements in any order are the same selector. */
const normal = (spec: BackupSpec) => ({ ...spec, labelSelector: selectorToString(spec.labelSelector), orLabelSelectors: spec.orLabelSelectors?.map((s) => selectorToString(s)) });

test('the template turns back into the spec it was built from', () => {
  const specs = [
    buildBackupSpec({ storageLocation: 'default' }),
    buildBackupSpec({
      storageLocation: 'minio',
      includeNamespaces: ['shop', 'web'],
      excludeNamespaces: ['kube-system'],
      includeResources: ['deployments.apps', 'configmaps'],
      excludeResources: ['secrets'],
      includeClusterResources: false,
      selector: 'app=web,tier in (db,cache),!legacy,release notin (old)',
      orderedResources: 'pods=ns1/pod1,ns1/pod2;persistentvolumes=pv4',
      ttl: '168h',
      snapshotVolumes: false,
      defaultVolumesToFsBackup: true,
      resourcePolicies: 'volume-policies',
      labels: { team: 'shop' },
      hooks: { resources: [{ name: 'freeze', includedNamespaces: ['shop'] }] },
    }),
    buildBackupSpec({ storageLocation: 'default', includeClusterScopedResources: ['storageclasses'], excludeNamespaceScopedResources: ['events'], orSelector: 'a=b or c=d' }),
  ];
  for (const spec of specs) assert.equal(normal(buildBackupSpec(optionsFromTemplate(spec, spec.storageLocation!))), normal(spec));
});

test('a scheduled backup: timestamped name, the schedule label, the template\'s labels over the schedule\'s', () => {
  const template = buildBackupSpec({ storageLocation: 'default', labels: { from: 'template' } });
  const s = newSchedule({ name: 'daily', namespace: 'velero', cron: '@daily', template, labels: { from: 'schedule' }, annotations: { note: 'x' }, now: at });
  const b = scheduledBackup(s, at, 'default');
  assert.is(b.name, 'daily-20260517020007');
  assert.equal(b.labels, { from: 'template', 'velero.io/schedule-name': 'daily' });
  assert.equal(b.annotations, { note: 'x' });
  assert.is(b.options.storageLocation, 'default');
});

test('without template labels, the schedule\'s own labels go on the backup', () => {
  const s = newSchedule({ name: 'daily', namespace: 'velero', cron: '@daily', template: buildBackupSpec({ storageLocation: 'default' }), labels: { team: 'shop' }, now: at });
  assert.equal(scheduledBackup(s, at, 'default').labels, { team: 'shop', 'velero.io/schedule-name': 'daily' });
});

test.run();
