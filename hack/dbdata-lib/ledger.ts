// The writer's data (hack/dbdata writer|verify): a ledger whose rows carry their own check. Each
// transaction i inserts ledger row (i, amount(i)) and adds amount(i) to the one-row running total,
// setting its last_id to i, in one transaction. A copy of the database is consistent exactly when
// the ids are 1..N without a gap, every amount is amount(id), and the total is their sum with
// last_id = N: a torn copy (a row without its total, a total without its row) fails one of these.
import type { Db } from './rows.ts';

export const LEDGER = 'kv_ledger';
export const TOTAL = 'kv_total';

/** A deterministic amount per transaction, so the reader can recompute what the total must be. */
export function amount(id: number): number {
  return ((id * 7919) % 997) + 1;
}

/** The sum of amount(1..n): what kv_total.total must be after n transactions. */
export function expectedTotal(n: number): number {
  let total = 0;
  for (let id = 1; id <= n; id++) total += amount(id);
  return total;
}

export function setupSql(db: Db): string {
  if (db === 'postgres') {
    return [
      `CREATE TABLE IF NOT EXISTS ${LEDGER} (id bigint PRIMARY KEY, amount integer NOT NULL);`,
      `CREATE TABLE IF NOT EXISTS ${TOTAL} (one integer PRIMARY KEY CHECK (one = 1), total bigint NOT NULL, last_id bigint NOT NULL);`,
      `INSERT INTO ${TOTAL} VALUES (1, 0, 0) ON CONFLICT (one) DO NOTHING;`,
    ].join('\n');
  }
  return [
    `CREATE TABLE IF NOT EXISTS ${LEDGER} (id BIGINT PRIMARY KEY, amount INT NOT NULL) ENGINE=InnoDB;`,
    `CREATE TABLE IF NOT EXISTS ${TOTAL} (one INT PRIMARY KEY, total BIGINT NOT NULL, last_id BIGINT NOT NULL) ENGINE=InnoDB;`,
    `INSERT IGNORE INTO ${TOTAL} VALUES (1, 0, 0);`,
  ].join('\n');
}

/**
 * Transaction `id`, then a line the client prints only once COMMIT has returned: `committed <id>`.
 * The writer counts a transaction committed when it reads that line, never before.
 */
export function transactionSql(db: Db, id: number): string {
  const a = amount(id);
  const begin = db === 'postgres' ? 'BEGIN;' : 'START TRANSACTION;';
  return `${begin}\nINSERT INTO ${LEDGER} (id, amount) VALUES (${id}, ${a});\nUPDATE ${TOTAL} SET total = total + ${a}, last_id = ${id} WHERE one = 1;\nCOMMIT;\nSELECT 'committed ${id}';\n`;
}

/** Where a (re)started writer goes on: after the last transaction the database has. */
export const LAST_ID_SQL = `SELECT last_id FROM ${TOTAL} WHERE one = 1`;

/** One line: rows, max id, sum of amounts, the total, its last_id, and how many amounts are wrong. */
export function verifySql(db: Db): string {
  const mismatch = db === 'postgres' ? `sum(CASE WHEN amount <> ((id * 7919) % 997) + 1 THEN 1 ELSE 0 END)` : `SUM(CASE WHEN amount <> MOD(id * 7919, 997) + 1 THEN 1 ELSE 0 END)`;
  return `SELECT (SELECT count(*) FROM ${LEDGER}), (SELECT coalesce(max(id), 0) FROM ${LEDGER}), (SELECT coalesce(sum(amount), 0) FROM ${LEDGER}), (SELECT total FROM ${TOTAL} WHERE one = 1), (SELECT last_id FROM ${TOTAL} WHERE one = 1), (SELECT coalesce(${mismatch}, 0) FROM ${LEDGER})`;
}

export interface LedgerState {
  rows: number;
  maxId: number;
  sum: number;
  total: number;
  lastId: number;
  wrongAmounts: number;
}

export function parseVerify(line: string): LedgerState {
  const cells = line.trim().split(/\t|\|/).map(Number);
  if (cells.length !== 6 || cells.some((n) => !Number.isFinite(n))) throw new Error(`unexpected verify output "${line.trim()}"`);
  const [rows, maxId, sum, total, lastId, wrongAmounts] = cells as [number, number, number, number, number, number];
  return { rows, maxId, sum, total, lastId, wrongAmounts };
}

/** What is wrong with the state, or [] when the ledger checks out. */
export function ledgerProblems(s: LedgerState): string[] {
  const problems: string[] = [];
  if (s.rows !== s.maxId) problems.push(`${s.rows} rows but ids up to ${s.maxId}: a gap`);
  if (s.wrongAmounts) problems.push(`${s.wrongAmounts} rows with a wrong amount`);
  if (s.sum !== s.total) problems.push(`the rows sum to ${s.sum} but the running total is ${s.total}`);
  if (s.lastId !== s.maxId) problems.push(`the total's last_id is ${s.lastId} but the last row is ${s.maxId}`);
  if (s.total !== expectedTotal(s.maxId)) problems.push(`the total ${s.total} is not the sum of amounts 1..${s.maxId} (${expectedTotal(s.maxId)})`);
  return problems;
}
