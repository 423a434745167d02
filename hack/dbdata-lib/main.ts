// `hack/dbdata` — known rows in the e2e fixtures' databases, through `kubectl exec` and the
// images' own clients (psql, mariadb), and a checksum of the table contents.
//   hack/dbdata write    --db postgres|mariadb -n NS [--rows N] [--kubeconfig K] [--pod P]
//   hack/dbdata checksum --db postgres|mariadb -n NS [--kubeconfig K] [--pod P]
// Both print the row count, then (last line) the sha256 of "id<TAB>name<TAB>payload\n" per row in
// id order: the same for both databases, and what expectedChecksum(N) says after `write --rows N`.
// kubectl: $KUBECTL, else the one `hack/cluster` built at the cluster's version, else PATH.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { binaryPath } from '../harness/build.ts';
import { COMPONENTS } from '../harness/versions.ts';
import { DATABASE, type Db, SELECT_SQL, TABLE, checksum, writeSql } from './rows.ts';

const USAGE = 'usage: hack/dbdata write|checksum --db postgres|mariadb -n NAMESPACE [--rows N] [--kubeconfig FILE] [--pod POD]';

function kubectlBinary(): string {
  if (process.env.KUBECTL) return process.env.KUBECTL;
  const built = binaryPath(COMPONENTS.kubectl);
  return existsSync(built) ? built : 'kubectl';
}

function kubectl(args: string[], input?: string): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(kubectlBinary(), args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** The client command in the database container (the password comes from the container's env). */
function client(db: Db, mode: 'write' | 'dump'): string[] {
  if (db === 'postgres') {
    return mode === 'write'
      ? ['psql', '-U', 'postgres', '-d', DATABASE, '-v', 'ON_ERROR_STOP=1', '-q']
      : ['psql', '-U', 'postgres', '-d', DATABASE, '-v', 'ON_ERROR_STOP=1', '-A', '-t', '-F', '\t', '-c', SELECT_SQL];
  }
  const base = 'exec mariadb -uroot -p"$MARIADB_ROOT_PASSWORD" --batch --skip-column-names';
  return ['sh', '-c', mode === 'write' ? `${base} ${DATABASE}` : `${base} -e '${SELECT_SQL}' ${DATABASE}`];
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      db: { type: 'string' },
      namespace: { type: 'string', short: 'n' },
      rows: { type: 'string', default: '100' },
      kubeconfig: { type: 'string' },
      pod: { type: 'string' },
      timeout: { type: 'string', default: '180' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [verb] = positionals;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if ((verb !== 'write' && verb !== 'checksum') || !values.namespace || (values.db !== 'postgres' && values.db !== 'mariadb')) {
    console.error(USAGE);
    return 2;
  }
  const rows = Number(values.rows);
  if (!Number.isInteger(rows) || rows < 0) throw new Error(`--rows must be a whole number, not "${values.rows}"`);
  const db: Db = values.db;
  const pod = values.pod ?? `${db}-0`;
  const common = [...(values.kubeconfig ? ['--kubeconfig', values.kubeconfig] : []), '-n', values.namespace];

  // A pod just re-created (or restored) may not be up yet: wait for Ready, bounded.
  const ready = await kubectl([...common, 'wait', '--for=condition=Ready', `pod/${pod}`, `--timeout=${values.timeout}s`]);
  if (ready.code !== 0) throw new Error(`pod ${values.namespace}/${pod} is not Ready: ${ready.stderr.trim()}`);

  if (verb === 'write') {
    const res = await kubectl([...common, 'exec', '-i', pod, '-c', db, '--', ...client(db, 'write')], writeSql(db, rows));
    if (res.code !== 0) throw new Error(`writing rows through kubectl exec failed: ${res.stderr.trim() || res.stdout.trim()}`);
    console.log(`wrote rows 1..${rows} to ${db} ${DATABASE}.${TABLE} in ${values.namespace}/${pod}`);
  }
  const dump = await kubectl([...common, 'exec', pod, '-c', db, '--', ...client(db, 'dump')]);
  if (dump.code !== 0) throw new Error(`reading ${DATABASE}.${TABLE} through kubectl exec failed: ${dump.stderr.trim() || dump.stdout.trim()}`);
  const sum = checksum(dump.stdout);
  console.log(`${sum.rows} rows in ${db} ${DATABASE}.${TABLE} (${values.namespace}/${pod})`);
  console.log(sum.sha256);
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
