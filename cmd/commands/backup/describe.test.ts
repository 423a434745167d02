// `backup describe` in-process over a local-directory location (no cluster): what it reads for the
// text (the results file with or without --details) and how several backups are separated.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { withLocalLocation } from '../../cli.test-helpers.ts';

const { dir: tempDir, velero } = withLocalLocation(test, 'kv-backup-describe-');

/** A published backup as Velero lays it out: velero-backup.json and its results file. */
function storeBackup(name: string, errors: number, results: unknown): void {
  const folder = join(tempDir(), 'store', 'backups', name);
  mkdirSync(folder, { recursive: true });
  const backup = {
    apiVersion: 'velero.io/v1',
    kind: 'Backup',
    metadata: { name, namespace: 'velero' },
    spec: { storageLocation: 'here', ttl: '720h0m0s' },
    status: { phase: errors ? 'PartiallyFailed' : 'Completed', formatVersion: '1.1.0', ...(errors ? { errors } : {}) },
  };
  writeFileSync(join(folder, 'velero-backup.json'), JSON.stringify(backup));
  writeFileSync(join(folder, `${name}-results.gz`), gzipSync(JSON.stringify(results)));
}

test('errors come from the results file without --details; backups are two blank lines apart, as Velero prints them', async () => {
  storeBackup('bad', 1, { errors: { velero: ['it broke'] }, warnings: {} });
  storeBackup('good', 0, { errors: {}, warnings: {} });
  const r = await velero(['backup', 'describe', 'bad', 'good']);
  assert.is(r.code, 0, r.stderr);
  assert.ok(r.stdout.startsWith('Name:         bad\n'), r.stdout);
  assert.ok(r.stdout.includes('\n\n\nErrors:\n  Velero:   it broke\n  Cluster:    <none>\n  Namespaces: <none>\n\nNamespaces:\n'), r.stdout);
  assert.ok(r.stdout.includes('  Pod Volume Backups: <none included>\n\n\nName:         good\n'), r.stdout);
  assert.ok(r.stdout.endsWith('  Pod Volume Backups: <none included>\n'), r.stdout);
});

test("a Velero-made backup's file-system volumes (its node agent's kopia records) are listed as Velero lists them", async () => {
  storeBackup('v1', 0, { errors: {}, warnings: {} });
  const pvb = (volume: string, phase: string, totalBytes?: number) => ({
    apiVersion: 'velero.io/v1', kind: 'PodVolumeBackup', metadata: { name: `v1-${volume}`, namespace: 'velero' },
    spec: { pod: { kind: 'Pod', namespace: 'shop', name: 'db-0' }, volume, uploaderType: 'kopia' },
    status: { phase, ...(totalBytes ? { progress: { totalBytes, bytesDone: totalBytes } } : {}) },
  });
  writeFileSync(join(tempDir(), 'store', 'backups', 'v1', 'v1-podvolumebackups.json.gz'), gzipSync(JSON.stringify([pvb('data', 'Completed', 2048), pvb('logs', 'Completed'), pvb('tmp', 'Failed')])));
  const r = await velero(['backup', 'describe', 'v1', '--details']);
  assert.is(r.code, 0, r.stderr);
  assert.ok(r.stdout.includes('  Pod Volume Backups - kopia:\n    Completed:\n      shop/db-0: data (size: 2048), logs\n    Failed:\n      shop/db-0: tmp\n'), r.stdout);
});

test.run();
