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
  // Our (empty) list of file-system volume backups. Every file describe reads is there: under
  // `uvu -r tsx` the store opened through a dynamic import() has its own copy of
  // ObjectNotFoundError, so a missing file would read as a failure here (not in the build).
  const plugin = join(tempDir(), 'store', 'plugins', 'kubectl-velero', 'backups', name);
  mkdirSync(plugin, { recursive: true });
  writeFileSync(join(plugin, 'podvolumebackups.json.gz'), gzipSync('[]'));
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

test.run();
