import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { amount, expectedTotal, ledgerProblems, parseVerify, transactionSql } from './ledger.ts';

const good = (n: number) => ({ rows: n, maxId: n, sum: expectedTotal(n), total: expectedTotal(n), lastId: n, wrongAmounts: 0 });

test('a ledger of n whole transactions checks out, for any n', () => {
  for (const n of [0, 1, 2, 997, 5000]) assert.equal(ledgerProblems(good(n)), [], `n=${n}`);
});

test('every torn copy is caught: a row without its total, a total without its row, a gap, a changed amount', () => {
  const n = 100;
  const rowWithoutTotal = { ...good(n), rows: n + 1, maxId: n + 1, sum: expectedTotal(n + 1) };
  assert.ok(ledgerProblems(rowWithoutTotal).length > 0);
  const totalWithoutRow = { ...good(n), total: expectedTotal(n + 1), lastId: n + 1 };
  assert.ok(ledgerProblems(totalWithoutRow).length > 0);
  const gap = { ...good(n), rows: n - 1, sum: expectedTotal(n) - amount(50), total: expectedTotal(n) - amount(50) };
  assert.ok(ledgerProblems(gap).some((p) => p.includes('gap')));
  assert.ok(ledgerProblems({ ...good(n), wrongAmounts: 1 }).length > 0);
});

test('verify output parses from psql (|) and mariadb (tab) alike; a transaction confirms itself after COMMIT', () => {
  assert.equal(parseVerify('3|3|6|6|3|0\n'), { rows: 3, maxId: 3, sum: 6, total: 6, lastId: 3, wrongAmounts: 0 });
  assert.equal(parseVerify('3\t3\t6\t6\t3\t0'), { rows: 3, maxId: 3, sum: 6, total: 6, lastId: 3, wrongAmounts: 0 });
  assert.throws(() => parseVerify('ERROR: relation "kv_total" does not exist'));
  const sql = transactionSql('postgres', 7);
  assert.ok(sql.indexOf('COMMIT;') < sql.indexOf("SELECT 'committed 7';"));
  assert.match(transactionSql('mariadb', 7), /^START TRANSACTION;/);
});

test.run();
