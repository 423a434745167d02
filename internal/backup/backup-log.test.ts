// The backup/restore log: lines in logrus text format, kept gzipped a batch at a time.
import { gunzipSync } from 'node:zlib';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { BackupLog } from './backup-log.ts';

const clock = () => new Date('2026-12-03T10:00:00.000Z');

test('a long log is several gzip members that read back as the lines in order', () => {
  const log = new BackupLog('velero/b1', undefined, clock);
  for (let i = 0; i < 20_000; i++) log.info('Restored item', { resource: 'configmaps', name: `shop/cm-${i}` });
  const gz = log.gzipped();
  let members = 0;
  for (let at = gz.indexOf(Buffer.from([0x1f, 0x8b, 0x08])); at >= 0; at = gz.indexOf(Buffer.from([0x1f, 0x8b, 0x08]), at + 1)) members++;
  assert.ok(members > 2, `${members} members`);
  const lines = gunzipSync(gz).toString('utf8').split('\n');
  assert.is(lines.length, 20_001);
  assert.is(lines.at(-1), '');
  assert.is(lines[0], 'time="2026-12-03T10:00:00Z" level=info msg="Restored item" backup=velero/b1 resource=configmaps name=shop/cm-0');
  assert.ok(lines[19_999]!.endsWith('name=shop/cm-19999'));
  assert.is(log.text(), lines.join('\n'));
});

test('lines logged after the log was read are kept too; an empty log is an empty gzip', () => {
  assert.is(gunzipSync(new BackupLog('velero/b1', undefined, clock).gzipped()).length, 0);
  const log = new BackupLog('velero/b1', undefined, clock);
  log.warn('first');
  assert.is(log.text().split('\n').length, 2);
  log.error('second');
  assert.equal(log.text().trimEnd().split('\n').map((l) => /msg="(\w+)"/.exec(l)![1]), ['first', 'second']);
});

test.run();
