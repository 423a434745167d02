// Backup hooks that make a file-system copy of a running database consistent while it keeps taking
// writes: writes are held back (not refused) for the copy, and released by the post hook. The
// README shows the same annotations, rendered by `readmeAnnotations` (a unit test keeps them equal);
// there the freeze point is the clock, while e2e/databases-live.test.ts logs the ledger's last id to
// compare with what the restored copy holds.
//
// PostgreSQL: a session takes EXCLUSIVE locks (reads go on, writes wait) on every table of the
// database — with NOWAIT in a retry loop, so it never queues in front of the application's
// transactions nor deadlocks with them — then CHECKPOINT puts everything committed into the data
// files. The session stays open (up to 5 minutes) until the post hook ends it.
// MariaDB: FLUSH TABLES WITH READ LOCK held by a background session, and InnoDB's dirty pages
// flushed; the post hook KILLs that session and restores the flushing setting.

export interface DbHookOptions {
  /** SQL whose one-line answer the pre hook prints as `freeze point: …` once writes are held. */
  freezePoint: string;
  /** Seconds to wait for the locks before giving up (the hook then fails). */
  lockWaitSeconds?: number;
}

const PRE = 'pre.hook.backup.velero.io/command';
const POST = 'post.hook.backup.velero.io/command';

export function postgresHooks(database: string, o: DbHookOptions): Record<string, string> {
  const wait = o.lockWaitSeconds ?? 60;
  const pre = [
    'rm -f /tmp/kv-freeze /tmp/kv-lock-pid',
    `(psql -U postgres -d ${database} -Atq -v ON_ERROR_STOP=1 >/dev/null 2>&1 <<'SQL' &`,
    '\\o /tmp/kv-lock-pid',
    'SELECT pg_backend_pid();',
    '\\o',
    'BEGIN;',
    `DO $$DECLARE t text; deadline timestamptz := clock_timestamp() + interval '${wait} seconds'; BEGIN LOOP BEGIN FOR t IN SELECT format('%I.%I', schemaname, tablename) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') LOOP EXECUTE 'LOCK TABLE ' || t || ' IN EXCLUSIVE MODE NOWAIT'; END LOOP; RETURN; EXCEPTION WHEN lock_not_available THEN IF clock_timestamp() > deadline THEN RAISE; END IF; PERFORM pg_sleep(0.05); END; END LOOP; END$$;`,
    '\\o /tmp/kv-freeze',
    `${o.freezePoint};`,
    '\\o',
    'SELECT pg_sleep(300);',
    'SQL',
    ')',
    `i=0; until [ -s /tmp/kv-freeze ]; do i=$((i+1)); if [ $i -gt ${wait * 5 + 25} ]; then echo "writes not held within ${wait}s" >&2; exit 1; fi; sleep 0.2; done`,
    'psql -U postgres -Atq -c CHECKPOINT',
    'echo "freeze point: $(cat /tmp/kv-freeze)"',
  ].join('\n');
  const post = 'pid=$(cat /tmp/kv-lock-pid 2>/dev/null); if [ -n "$pid" ]; then psql -U postgres -Atq -c "SELECT pg_terminate_backend($pid)" >/dev/null; fi; rm -f /tmp/kv-lock-pid /tmp/kv-freeze; echo "writes released"';
  return { [PRE]: JSON.stringify(['sh', '-c', pre]), [POST]: JSON.stringify(['sh', '-c', post]) };
}

export function mariadbHooks(database: string, o: DbHookOptions): Record<string, string> {
  const wait = o.lockWaitSeconds ?? 60;
  const client = 'mariadb -uroot -p"$MARIADB_ROOT_PASSWORD" --batch --skip-column-names';
  const pre = [
    'rm -f /tmp/kv-lock-out',
    `(${client} --unbuffered ${database} >/tmp/kv-lock-out 2>&1 <<'SQL' &`,
    'SELECT CONNECTION_ID();',
    `SET SESSION lock_wait_timeout = ${wait};`,
    'FLUSH TABLES WITH READ LOCK;',
    "SELECT 'frozen';",
    'DO SLEEP(300);',
    'SQL',
    ')',
    `i=0; until grep -q '^frozen$' /tmp/kv-lock-out 2>/dev/null; do i=$((i+1)); if [ $i -gt ${wait * 5 + 25} ] || grep -q ERROR /tmp/kv-lock-out; then cat /tmp/kv-lock-out >&2; echo "writes not held within ${wait}s" >&2; exit 1; fi; sleep 0.2; done`,
    `${client} -e "SET GLOBAL innodb_max_dirty_pages_pct = 0"`,
    `i=0; while [ "$(${client} -e "SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'" | cut -f2)" != 0 ] && [ $i -lt 150 ]; do i=$((i+1)); sleep 0.2; done`,
    `echo "freeze point: $(${client} ${database} -e "${o.freezePoint}")"`,
  ].join('\n');
  const post = `id=$(head -1 /tmp/kv-lock-out 2>/dev/null); if [ -n "$id" ]; then ${client} -e "KILL $id" 2>/dev/null; fi; ${client} -e "SET GLOBAL innodb_max_dirty_pages_pct = 90"; rm -f /tmp/kv-lock-out; echo "writes released"`;
  return { [PRE]: JSON.stringify(['sh', '-c', pre]), [POST]: JSON.stringify(['sh', '-c', post]) };
}

/**
 * FerretDB on SQLite (or any SQLite application): `VACUUM INTO` writes a consistent copy of each
 * database file into `snapshot/` of the volume — writers are not even held, SQLite's WAL lets them
 * go on — and the restore swaps the copies into place before the database starts
 * (`sqliteRestoreHooks`); the post hook removes them from the running pod's volume.
 * `freezePoint` here is a shell command (SQLite has no server to ask), run with the snapshot made.
 */
export function sqliteHooks(dir: string, o: { freezePoint: string }): Record<string, string> {
  const pre = [
    'set -e',
    `rm -rf ${dir}/snapshot.tmp && mkdir -p ${dir}/snapshot.tmp`,
    `for f in ${dir}/*.sqlite; do [ -e "$f" ] || continue; sqlite3 "$f" "VACUUM INTO '${dir}/snapshot.tmp/$(basename "$f")'"; done`,
    `rm -rf ${dir}/snapshot && mv ${dir}/snapshot.tmp ${dir}/snapshot`,
    `echo "freeze point: $(${o.freezePoint})"`,
  ].join('\n');
  const post = `rm -rf ${dir}/snapshot ${dir}/snapshot.tmp; echo "snapshot removed"`;
  return { [PRE]: JSON.stringify(['sh', '-c', pre]), [POST]: JSON.stringify(['sh', '-c', post]) };
}

/** Velero's restore hooks spec (for `restore create --hooks-file`): an init container puts the snapshot in place. */
export function sqliteRestoreHooks(o: { selector: Record<string, string>; image: string; volume: string; dir: string }): Record<string, unknown> {
  const swap = [
    `if [ -d ${o.dir}/snapshot ]; then`,
    `  for f in ${o.dir}/snapshot/*.sqlite; do [ -e "$f" ] || continue; b=$(basename "$f"); rm -f "${o.dir}/$b-wal" "${o.dir}/$b-shm"; mv "$f" "${o.dir}/$b"; echo "restored $b from its snapshot"; done`,
    `  rm -rf ${o.dir}/snapshot`,
    'fi',
  ].join('\n');
  return {
    resources: [
      {
        name: 'sqlite-snapshot',
        labelSelector: { matchLabels: o.selector },
        postHooks: [{ init: { initContainers: [{ name: 'sqlite-snapshot', image: o.image, imagePullPolicy: 'IfNotPresent', command: ['sh', '-c', swap], volumeMounts: [{ name: o.volume, mountPath: o.dir }] }] } }],
      },
    ],
  };
}

/** The pod-template annotations the README gives, as YAML (single-quoted scalars: `'` doubled). */
export function readmeAnnotations(db: 'postgres' | 'mariadb' | 'ferretdb', database: string): string {
  const hooks =
    db === 'postgres'
      ? postgresHooks(database, { freezePoint: 'SELECT now()' })
      : db === 'mariadb'
        ? mariadbHooks(database, { freezePoint: 'SELECT NOW(6)' })
        : sqliteHooks('/state', { freezePoint: 'date -u +%FT%TZ' });
  const all: Record<string, string> = { 'backup.velero.io/backup-volumes': 'data', 'pre.hook.backup.velero.io/timeout': '90s', ...hooks };
  return Object.entries(all).map(([k, v]) => `${k}: '${v.replace(/'/g, "''")}'`).join('\n');
}

/** The restore hooks file the README gives for FerretDB / SQLite. */
export const README_SQLITE_RESTORE = { selector: { app: 'ferretdb' }, image: 'registry.example.com/ferretdb-with-sqlite3:1.24', volume: 'data', dir: '/state' };
