// A stock Velero server beside a harness cluster, for the interop e2e and `make bench-vs-velero`.
// Velero's own binary (built from the Go module proxy, hack/tools/velero) runs out of the cluster as
// a process with the cluster's admin kubeconfig, the AWS object-store plugin in its --plugin-dir and
// a BackupStorageLocation on the cluster's MinIO. What an out-of-cluster server lacks is made for
// it: Velero's CRDs before it starts (it reads API discovery only every 5 minutes), and a `velero`
// Deployment scaled to 0, which its pod-volume restore action reads for its image.
//
// The server is recorded as the cluster's attached process, so `hack/cluster down` stops it even
// when a test died before its own `stop()`.
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { ensureBinaries } from './build.ts';
import { clusterDir } from './paths.ts';
import { freePorts } from './ports.ts';
import { forgetAttached, recordAttached, startProcess, stopProcesses, tail, waitFor, type StartedProcess } from './processes.ts';
import type { ClusterStatus } from './types.ts';
import { COMPONENTS, pinnedVersion } from './versions.ts';

export const VELERO_NAMESPACE = 'velero';
const CREDENTIAL_SECRET = 'cloud-credentials';

export interface VeleroOptions {
  /** The BackupStorageLocation's name (default `default`, the server's default location). */
  location?: string;
  /** Its prefix in the cluster's MinIO bucket (none by default). */
  prefix?: string;
  /** How often the server syncs backups from the location into the cluster (default 5s). */
  syncPeriod?: string;
  /** Extra `velero server` flags. */
  serverArgs?: string[];
}

export interface CliResult {
  stdout: string;
  stderr: string;
  code: number;
}

export interface VeleroServer {
  cluster: ClusterStatus;
  location: string;
  process: StartedProcess;
  /** The server's log. */
  log: string;
  /** Runs the `velero` CLI against the cluster (`--kubeconfig` and `--namespace` added). */
  cli(args: string[]): Promise<CliResult>;
  /** Waits until a Backup/Restore reaches one of `phases` (or fails with the server log's tail). */
  waitForPhase(kind: 'backup' | 'restore', name: string, phases: string[], timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

/** The `velero` binary and the plugin dir, built on first use (~12 min cold on 2 cores) and cached. */
export async function ensureVelero(): Promise<{ velero: string; pluginDir: string }> {
  const built = await ensureBinaries(['velero', 'velero-plugin-for-aws']);
  // The plugin's cache folder holds only its binary: it is the server's --plugin-dir as is.
  return { velero: built.velero, pluginDir: dirname(built['velero-plugin-for-aws']) };
}

export const veleroVersion = (): string => pinnedVersion(COMPONENTS.velero);

async function exec(bin: string, args: string[], input?: string): Promise<CliResult> {
  const child = promisify(execFile)(bin, args, { maxBuffer: 256 << 20, timeout: 15 * 60_000 });
  if (input !== undefined) {
    child.child.stdin?.end(input);
  }
  return child.then(
    (r) => ({ stdout: r.stdout, stderr: r.stderr, code: 0 }),
    (e: { stdout?: string; stderr?: string; code?: number | string }) => ({ stdout: e.stdout ?? '', stderr: e.stderr ?? String(e), code: typeof e.code === 'number' ? e.code : 1 }),
  );
}

async function must(what: string, result: Promise<CliResult>): Promise<CliResult> {
  const r = await result;
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}): ${(r.stderr || r.stdout).trim().split('\n').slice(-5).join('\n')}`);
  return r;
}

function locationYaml(c: ClusterStatus, name: string, prefix: string | undefined, syncPeriod: string): string {
  return `apiVersion: velero.io/v1
kind: BackupStorageLocation
metadata: { name: ${name}, namespace: ${VELERO_NAMESPACE} }
spec:
  provider: aws
  default: true
  accessMode: ReadWrite
  backupSyncPeriod: ${syncPeriod}
  objectStorage: { bucket: ${c.minio.bucket}${prefix ? `, prefix: ${prefix}` : ''} }
  config: { region: ${c.minio.region}, s3Url: "${c.minio.endpoint}", s3ForcePathStyle: "true" }
  credential: { name: ${CREDENTIAL_SECRET}, key: cloud }
`;
}

// Scaled to 0: only read, for its image (the restore helper Velero would inject into restored pods).
const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata: { name: velero, namespace: ${VELERO_NAMESPACE}, labels: { component: velero } }
spec:
  replicas: 0
  selector: { matchLabels: { deploy: velero } }
  template:
    metadata: { labels: { deploy: velero } }
    spec: { containers: [{ name: velero, image: "velero/velero:VERSION" }] }
`;

/**
 * Installs what a Velero server needs in the cluster (CRDs, namespace, credential Secret, location,
 * the scaled-to-0 Deployment) and starts the server; resolves once the location is Available.
 */
export async function startVelero(c: ClusterStatus, options: VeleroOptions = {}): Promise<VeleroServer> {
  const { velero, pluginDir } = await ensureVelero();
  const { kubectl } = await ensureBinaries(['kubectl']);
  const location = options.location ?? 'default';
  const dir = clusterDir(c.name);
  const work = join(dir, 'velero');
  mkdirSync(work, { recursive: true });
  const kube = (args: string[], input?: string) => must(`kubectl ${args.slice(0, 2).join(' ')}`, exec(kubectl, ['--kubeconfig', c.kubeconfig, ...args], input));

  const crds = await must('velero install --crds-only', exec(velero, ['install', '--crds-only', '--dry-run', '-o', 'yaml']));
  await kube(['apply', '--server-side', '-f', '-'], crds.stdout);
  await kube(['wait', '--for=condition=Established', '--timeout=60s', 'crd', '-l', 'component=velero']);
  await kube(['create', 'namespace', VELERO_NAMESPACE]).catch((e: Error) => {
    if (!/AlreadyExists/.test(e.message)) throw e;
  });
  // The Secret from the credentials file through stdin: its content never appears on a command line.
  const secret = {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: CREDENTIAL_SECRET, namespace: VELERO_NAMESPACE },
    data: { cloud: readFileSync(c.minio.credentialsFile).toString('base64') },
  };
  await kube(['apply', '-f', '-'], JSON.stringify(secret));
  await kube(['apply', '-f', '-'], `${locationYaml(c, location, options.prefix, options.syncPeriod ?? '5s')}---\n${DEPLOYMENT.replace('VERSION', veleroVersion())}`);

  const ports = await freePorts(['metrics', 'profiler'] as const);
  const args = [
    'server',
    '--kubeconfig', c.kubeconfig,
    '--namespace', VELERO_NAMESPACE,
    '--plugin-dir', pluginDir,
    '--metrics-address', `127.0.0.1:${ports.metrics}`,
    '--profiler-address', `127.0.0.1:${ports.profiler}`,
    '--store-validation-frequency', '5s',
    // The sync controller looks at locations this often; each location's own period (above) is checked then.
    '--backup-sync-period', options.syncPeriod ?? '5s',
    '--log-format', 'text',
    ...(options.serverArgs ?? []),
  ];
  // cwd is the cluster dir (startProcess), which `down` also finds on the command line through
  // --kubeconfig; the credentials Velero writes from the Secret go to its own temp dir.
  const server = startProcess(dir, 'velero', velero, args, { TMPDIR: work });
  recordAttached(dir, server);
  const cli = (cliArgs: string[]) => exec(velero, [...cliArgs, '--kubeconfig', c.kubeconfig, '--namespace', VELERO_NAMESPACE]);

  /** A Velero object's status.phase ('' while it cannot be read). */
  const phaseOf = async (kind: string, name: string) => {
    const r = await exec(kubectl, ['--kubeconfig', c.kubeconfig, 'get', `${kind}s.velero.io`, name, '-n', VELERO_NAMESPACE, '-o', 'jsonpath={.status.phase}']);
    return r.code === 0 ? r.stdout.trim() : '';
  };
  const handle: VeleroServer = {
    cluster: c,
    location,
    process: server,
    log: server.log,
    cli,
    async waitForPhase(kind, name, phases, timeoutMs = 10 * 60_000) {
      let phase = '';
      await waitFor(`${kind} ${name} to be ${phases.join(' or ')} (Velero)`, async () => phases.includes((phase = await phaseOf(kind, name))), { timeoutMs, process: server });
      return phase;
    },
    async stop() {
      await stopProcesses([server], dir);
      forgetAttached(dir, server);
    },
  };
  try {
    await waitFor(`backup storage location ${location} to be Available (Velero)`, async () => (await phaseOf('backupstoragelocation', location)) === 'Available', { timeoutMs: 120_000, process: server });
  } catch (error) {
    await handle.stop();
    throw error;
  }
  return handle;
}

/** The server log's last lines, for a test's failure message. */
export const veleroLogTail = (server: VeleroServer, lines = 30): string => tail(server.log, lines);
