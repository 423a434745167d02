import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { checksum, expectedChecksum, row, writeSql } from './rows.ts';

test('rows are deterministic', () => {
  assert.equal(row(7), row(7));
  assert.is(row(7).name, 'row-7');
  assert.match(row(7).payload, /^[0-9a-f]{64}$/);
});

test('the SQL upserts every row once, in batches, in one transaction', () => {
  const pg = writeSql('postgres', 1200, 500);
  assert.is(pg.match(/INSERT INTO/g)?.length, 3);
  assert.match(pg, /ON CONFLICT \(id\) DO UPDATE/);
  assert.match(pg, /\(1200,'row-1200','/);
  assert.not.match(pg, /\(1201,/);
  const maria = writeSql('mariadb', 10);
  assert.match(maria, /^CREATE TABLE IF NOT EXISTS kv_rows .*ENGINE=InnoDB;\nSTART TRANSACTION;\nREPLACE INTO/);
  assert.match(maria, /COMMIT;\n$/);
});

test('the checksum of a dump of rows 1..n is the expected one, whatever the line endings', () => {
  const dump = [1, 2, 3].map((i) => `${i}\trow-${i}\t${row(i).payload}`).join('\r\n') + '\n';
  assert.equal(checksum(dump), expectedChecksum(3));
  assert.is.not(checksum(dump).sha256, expectedChecksum(2).sha256);
  assert.is(checksum('').rows, 0);
});

test.run();
