// A stock Velero server beside a harness cluster, for the interop e2e and `make bench-vs-velero`.
// Velero's own binary (built from the Go module proxy, hack/tools/velero) runs out of the cluster as
// a process with the cluster's admin kubeconfig, the AWS object-store plugin in its --plugin-dir and
// a BackupStorageLocation on the cluster's MinIO. What an out-of-cluster server lacks is made for
// it: Velero's CRDs before it starts (it reads API discovery only every 5 minutes), and a `velero`
// Deployment scaled to 0, which its pod-volume restore action reads for its image. Its node agent,
// for file-system (kopia) volume backups, does run in the cluster: startNodeAgent.
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
import { importVeleroImage } from '../images-lib/velero-image.ts';

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
  /**
   * The location's s3Url (default: MinIO on the host, c.minio.endpoint). Pods reach MinIO only at
   * the node's address (c.node.minioInCluster), which the host reaches too: a node agent needs that.
   */
  s3Url?: string;
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

function locationYaml(c: ClusterStatus, name: string, prefix: string | undefined, syncPeriod: string, s3Url: string): string {
  return `apiVersion: velero.io/v1
kind: BackupStorageLocation
metadata: { name: ${name}, namespace: ${VELERO_NAMESPACE} }
spec:
  provider: aws
  default: true
  accessMode: ReadWrite
  backupSyncPeriod: ${syncPeriod}
  objectStorage: { bucket: ${c.minio.bucket}${prefix ? `, prefix: ${prefix}` : ''} }
  config: { region: ${c.minio.region}, s3Url: "${s3Url}", s3ForcePathStyle: "true" }
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
  await kube(['apply', '-f', '-'], `${locationYaml(c, location, options.prefix, options.syncPeriod ?? '5s', options.s3Url ?? c.minio.endpoint)}---\n${DEPLOYMENT.replace('VERSION', veleroVersion())}`);

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
  // --kubeconfig; the credentials Velero writes from the Secret go to its own temp dir, and what it
  // keeps of a kopia repository it connects to (udmrepo/ config, kopia's cache) to its own HOME.
  const server = startProcess(dir, 'velero', velero, args, { TMPDIR: work, HOME: work, XDG_CACHE_HOME: join(work, '.cache') });
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

/** The node agent's ServiceAccount (its data-path pods take it too) and its binding. */
const NODE_AGENT_RBAC = `apiVersion: v1
kind: ServiceAccount
metadata: { name: velero, namespace: ${VELERO_NAMESPACE}, labels: { component: velero } }
---
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRoleBinding
metadata: { name: velero-node-agent, labels: { component: velero } }
roleRef: { apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: cluster-admin }
subjects: [{ kind: ServiceAccount, name: velero, namespace: ${VELERO_NAMESPACE} }]
`;

/**
 * Velero's node-agent DaemonSet as `velero install --use-node-agent` makes it (pkg/install/daemonset.go),
 * on the harness image: one container (its data-path pods copy its image, ServiceAccount, env,
 * volumes and mounts), the kubelet's pods dir as host-pods at /host_pods with HostToContainer
 * propagation (the kubelet makes its root dir an rshared mount), run as root.
 */
function nodeAgentYaml(image: string, kubeletPods: string): string {
  const daemonSet = {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name: 'node-agent', namespace: VELERO_NAMESPACE, labels: { component: 'velero' } },
    spec: {
      selector: { matchLabels: { name: 'node-agent' } },
      template: {
        metadata: { labels: { name: 'node-agent', role: 'node-agent' } },
        spec: {
          serviceAccountName: 'velero',
          securityContext: { runAsUser: 0 },
          terminationGracePeriodSeconds: 5,
          volumes: [
            { name: 'host-pods', hostPath: { path: kubeletPods } },
            { name: 'scratch', emptyDir: {} },
          ],
          containers: [{
            name: 'node-agent',
            image,
            imagePullPolicy: 'Never',
            command: ['/velero'],
            args: ['node-agent', 'server', '--data-mover-prepare-timeout=3m', '--log-format=text'],
            env: [
              { name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } },
              { name: 'VELERO_NAMESPACE', valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
              { name: 'VELERO_SCRATCH_DIR', value: '/scratch' },
              // kopia's config and cache (Velero's udmrepo/ under HOME).
              { name: 'HOME', value: '/tmp' },
            ],
            volumeMounts: [
              { name: 'host-pods', mountPath: '/host_pods', mountPropagation: 'HostToContainer' },
              { name: 'scratch', mountPath: '/scratch' },
            ],
          }],
        },
      },
    },
  };
  return `${NODE_AGENT_RBAC}---\n${JSON.stringify(daemonSet)}\n`;
}

/**
 * Velero's node agent in the cluster, for its file-system (kopia) volume backups: Velero's image
 * (hack/images-lib/velero-image.ts) imported into the node's containerd, the DaemonSet, then its
 * rollout. Local provider with a node only (the kubelet's root is in the cluster dir). Start the
 * server with `s3Url: c.node.minioInCluster`: the agent's data-path pods write the kopia repository
 * through the location, from the pod network. The DaemonSet goes with the cluster.
 */
export async function startNodeAgent(c: ClusterStatus): Promise<void> {
  if (!c.node) throw new Error(`cluster ${c.name} has no node: Velero's node agent needs one`);
  const { kubectl } = await ensureBinaries(['kubectl']);
  const kube = (args: string[], input?: string) => must(`kubectl ${args.slice(0, 2).join(' ')}`, exec(kubectl, ['--kubeconfig', c.kubeconfig, ...args], input));
  const image = await importVeleroImage(c.node.containerdSocket);
  await kube(['create', 'namespace', VELERO_NAMESPACE]).catch((e: Error) => {
    if (!/AlreadyExists/.test(e.message)) throw e;
  });
  // The kubelet's --root-dir (hack/node/config.ts, paths().kubeletRoot).
  const kubeletPods = join(clusterDir(c.name), 'node', 'kubelet', 'pods');
  await kube(['apply', '-f', '-'], nodeAgentYaml(image, kubeletPods));
  const rollout = await exec(kubectl, ['--kubeconfig', c.kubeconfig, 'rollout', 'status', '-n', VELERO_NAMESPACE, 'daemonset/node-agent', '--timeout=180s']);
  if (rollout.code !== 0) {
    const pods = await exec(kubectl, ['--kubeconfig', c.kubeconfig, 'describe', 'pods', '-n', VELERO_NAMESPACE, '-l', 'name=node-agent']);
    const logs = await exec(kubectl, ['--kubeconfig', c.kubeconfig, 'logs', '-n', VELERO_NAMESPACE, '-l', 'name=node-agent', '--tail=30']);
    throw new Error(`Velero's node agent did not roll out: ${(rollout.stderr || rollout.stdout).trim()}\n${pods.stdout.split('\n').slice(-25).join('\n')}\n${logs.stdout}${logs.stderr}`);
  }
}

/** The server log's last lines, for a test's failure message. */
export const veleroLogTail = (server: VeleroServer, lines = 30): string => tail(server.log, lines);
