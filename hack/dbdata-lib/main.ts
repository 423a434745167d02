// `hack/dbdata` — known rows in the e2e fixtures' databases, through `kubectl exec` and the
// images' own clients (psql, mariadb), and a checksum of the table contents.
//   hack/dbdata write    --db postgres|mariadb -n NS [--rows N] [--kubeconfig K] [--pod P]
//   hack/dbdata checksum --db postgres|mariadb -n NS [--kubeconfig K] [--pod P]
// Both print the row count, then (last line) the sha256 of "id<TAB>name<TAB>payload\n" per row in
// id order: the same for both databases, and what expectedChecksum(N) says after `write --rows N`.
//   hack/dbdata writer   --db postgres|mariadb -n NS [--rate N] [--kubeconfig K] [--pod P]
// A steady stream of ledger transactions (ledger.ts) until SIGTERM/SIGINT; prints `committed N` as
// commits are confirmed (at most once a second) and, last, `last committed id N`.
//   hack/dbdata verify   --db postgres|mariadb -n NS [--kubeconfig K] [--pod P]
// Recomputes the ledger's total from its rows: `consistent: N transactions, total T` and (last line)
// N, or what is wrong and exit 1.
// kubectl: $KUBECTL, else the one `hack/cluster` built at the cluster's version, else PATH.
import { parseArgs } from 'node:util';
import { client, kubectl } from './kubectl.ts';
import { DATABASE, type Db, TABLE, checksum, writeSql } from './rows.ts';
import { runWriter, verifyLedger } from './writer.ts';

const USAGE = 'usage: hack/dbdata write|checksum|writer|verify --db postgres|mariadb|ferretdb -n NAMESPACE [--rows N] [--rate N] [--kubeconfig FILE] [--pod POD]   (ferretdb: writer and verify)';

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
      rate: { type: 'string', default: '50' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [verb] = positionals;
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const ledgerOnly = values.db === 'ferretdb' && (verb === 'writer' || verb === 'verify');
  if (!['write', 'checksum', 'writer', 'verify'].includes(verb ?? '') || !values.namespace || (values.db !== 'postgres' && values.db !== 'mariadb' && !ledgerOnly)) {
    console.error(USAGE);
    return 2;
  }
  const rows = Number(values.rows);
  if (!Number.isInteger(rows) || rows < 0) throw new Error(`--rows must be a whole number, not "${values.rows}"`);
  const pod = values.pod ?? `${values.db}-0`;
  const common = [...(values.kubeconfig ? ['--kubeconfig', values.kubeconfig] : []), '-n', values.namespace];
  const rate = Number(values.rate);
  if (!(rate > 0)) throw new Error(`--rate must be a positive number of transactions per second, not "${values.rate}"`);

  // A pod just re-created (or restored) may not be up yet: wait for Ready, bounded.
  const ready = await kubectl([...common, 'wait', '--for=condition=Ready', `pod/${pod}`, `--timeout=${values.timeout}s`]);
  if (ready.code !== 0) throw new Error(`pod ${values.namespace}/${pod} is not Ready: ${ready.stderr.trim()}`);
  if (ledgerOnly) {
    const { runMongoWriter, verifyMongoLedger } = await import('./mongo-writer.ts');
    return verb === 'writer' ? runMongoWriter({ common, pod, rate }) : verifyMongoLedger({ common, pod });
  }
  const db = values.db as Db;

  if (verb === 'writer') return runWriter({ db, common, pod, rate });
  if (verb === 'verify') return verifyLedger({ db, common, pod });
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
