// The known rows hack/dbdata writes, the SQL that writes them, and the checksum of a table dump.
// Pure functions: the same rows and the same checksum for PostgreSQL and MariaDB.
import { createHash } from 'node:crypto';

export const DATABASE = 'kvdata';
export const TABLE = 'kv_rows';
export type Db = 'postgres' | 'mariadb';

export interface Row {
  id: number;
  name: string;
  payload: string;
}

export function row(id: number): Row {
  return { id, name: `row-${id}`, payload: createHash('sha256').update(`kubectl-velero:${id}`).digest('hex') };
}

/** SQL that creates the table if needed and upserts rows 1..n (idempotent), in one transaction. */
export function writeSql(db: Db, n: number, batch = 500): string {
  const out: string[] = [];
  if (db === 'postgres') {
    out.push(`CREATE TABLE IF NOT EXISTS ${TABLE} (id integer PRIMARY KEY, name text NOT NULL, payload text NOT NULL);`, 'BEGIN;');
  } else {
    out.push(`CREATE TABLE IF NOT EXISTS ${TABLE} (id INT PRIMARY KEY, name VARCHAR(64) NOT NULL, payload VARCHAR(64) NOT NULL) ENGINE=InnoDB;`, 'START TRANSACTION;');
  }
  for (let start = 1; start <= n; start += batch) {
    const values: string[] = [];
    for (let id = start; id < Math.min(start + batch, n + 1); id++) {
      const r = row(id);
      values.push(`(${r.id},'${r.name}','${r.payload}')`);
    }
    out.push(
      db === 'postgres'
        ? `INSERT INTO ${TABLE} (id, name, payload) VALUES ${values.join(',')} ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, payload = EXCLUDED.payload;`
        : `REPLACE INTO ${TABLE} (id, name, payload) VALUES ${values.join(',')};`,
    );
  }
  out.push('COMMIT;');
  return `${out.join('\n')}\n`;
}

export const SELECT_SQL = `SELECT id, name, payload FROM ${TABLE} ORDER BY id`;

/** sha256 of the dump, one "id<TAB>name<TAB>payload" line per row in id order. */
export function checksum(dump: string): { rows: number; sha256: string } {
  const lines = dump.split('\n').map((l) => l.replace(/\r$/, '')).filter((l) => l.length > 0);
  const h = createHash('sha256');
  for (const l of lines) h.update(`${l.split('\t').join('\t')}\n`);
  return { rows: lines.length, sha256: h.digest('hex') };
}

/** What checksum() gives for a table holding exactly rows 1..n (what `write --rows n` leaves). */
export function expectedChecksum(n: number): { rows: number; sha256: string } {
  const lines: string[] = [];
  for (let id = 1; id <= n; id++) {
    const r = row(id);
    lines.push(`${r.id}\t${r.name}\t${r.payload}`);
  }
  return checksum(lines.join('\n'));
}
