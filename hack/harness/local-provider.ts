// The `local` provider: a real control plane (etcd, kube-apiserver, kube-controller-manager,
// kube-scheduler) and a real MinIO as plain processes on loopback, from binaries built with go build.
// No Docker, no registry. One state dir per cluster name, so clusters run side by side.
// With `node` a node joins (hack/node), and with `csi` a CSI driver with snapshots (csi.ts).
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { apiOk, type ProbeAuth } from './api-probe.ts';
import { ensureBinaries } from './build.ts';
import { createPki } from './certs.ts';
import { writeKubeconfig } from './kubeconfig.ts';
import { startAzurite } from './azurite.ts';
import { ensureBucket, generateCredentials, minioClient, writeCredentialsFile } from './minio.ts';
import { startFakeGcs } from './fake-gcs.ts';
import { checkClusterName, clusterDir, clustersRoot } from './paths.ts';
import { freePorts } from './ports.ts';
import { type StartedProcess, isRunning, readAttached, startProcess, stopProcesses, waitFor } from './processes.ts';
import type { ClusterProvider, ClusterStatus, UpOptions } from './types.ts';
import { COMPONENTS, CONTROL_PLANE_COMPONENTS, CSI_COMPONENTS, NODE_COMPONENTS, pinnedVersion } from './versions.ts';
import { startCsi, wantsCsi } from './csi.ts';
import { checkNodePrerequisites, type NodeState, startNode, stopNode } from '../node/node.ts';
import { paths as nodePaths } from '../node/config.ts';

const SERVICE_CIDR = '10.96.0.0/16';
const SERVICE_IP = '10.96.0.1';
const BUCKET = 'velero';
const REGION = 'us-east-1';
const PORT_NAMES = ['etcdClient', 'etcdPeer', 'apiServer', 'minio', 'minioConsole', 'azurite', 'fakeGcs'] as const;

interface State {
  status: ClusterStatus;
  ports: Record<(typeof PORT_NAMES)[number], number>;
  processes: StartedProcess[];
  /** Only with a node (hack/node): what `down` needs to take it apart. */
  node?: NodeState;
}

/** `up` starts a node when asked, or when KUBECTL_VELERO_NODE=1 (how the e2e suite can turn it on). */
function wantsNode(options?: UpOptions): boolean {
  return options?.node ?? ['1', 'true', 'yes'].includes(process.env.KUBECTL_VELERO_NODE ?? '');
}

/** Admin access to a cluster's API server, from the files in its dir. */
function adminAuth(dir: string, server: string): ProbeAuth {
  return { server, caCert: join(dir, 'pki', 'ca.crt'), cert: join(dir, 'pki', 'admin.crt'), key: join(dir, 'pki', 'admin.key') };
}

const stateFile = (dir: string) => join(dir, 'state.json');

function readState(dir: string): State | undefined {
  if (!existsSync(stateFile(dir))) return undefined;
  return JSON.parse(readFileSync(stateFile(dir), 'utf8')) as State;
}

function writeState(dir: string, state: State): void {
  writeFileSync(stateFile(dir), `${JSON.stringify(state, null, 2)}\n`);
}

export class LocalProvider implements ClusterProvider {
  async up(name: string, options?: UpOptions): Promise<ClusterStatus> {
    checkClusterName(name);
    // CSI needs a node (its volumes are mounted by a kubelet): --csi implies --node.
    const withCsi = wantsCsi(options);
    if (withCsi && options?.node === false) throw new Error('--csi needs a node: it cannot be combined with node: false');
    if (withCsi) {
      try {
        checkNodePrerequisites();
      } catch (error) {
        throw new Error(`--csi needs a node, and ${(error as Error).message}`);
      }
    }
    const withNode = wantsNode(options) || withCsi;
    const dir = clusterDir(name);
    const existing = readState(dir);
    if (existing && existing.processes.every((p) => isRunning(p.pid)) && (!withNode || existing.status.node) && (!withCsi || existing.status.csi)) return existing.status;
    if (existing) await this.down(name); // a half-dead cluster (or one without the node or CSI asked for) is replaced, not patched

    const bin = await ensureBinaries([...CONTROL_PLANE_COMPONENTS, ...(withNode ? NODE_COMPONENTS : []), ...(withCsi ? CSI_COMPONENTS : [])]);
    mkdirSync(join(dir, 'pki'), { recursive: true, mode: 0o700 });
    const ports = await freePorts(PORT_NAMES);
    const pki = createPki(join(dir, 'pki'), SERVICE_IP);
    const server = `https://127.0.0.1:${ports.apiServer}`;
    const kubeconfig = join(dir, 'kubeconfig');
    writeKubeconfig(kubeconfig, { clusterName: `kv-${name}`, server, caCert: pki.caCert, ...pki.clients.admin, user: 'admin' });
    for (const component of ['kube-controller-manager', 'kube-scheduler'] as const) {
      writeKubeconfig(join(dir, `${component}.kubeconfig`), { clusterName: `kv-${name}`, server, caCert: pki.caCert, ...pki.clients[component], user: component });
    }
    const creds = generateCredentials();
    const credentialsFile = join(dir, 'minio-credentials');
    writeCredentialsFile(credentialsFile, creds);
    const minioEndpoint = `http://127.0.0.1:${ports.minio}`;

    const status: ClusterStatus = {
      name,
      provider: 'local',
      kubeconfig,
      apiServer: server,
      kubernetesVersion: pinnedVersion(COMPONENTS['kube-apiserver']),
      minio: { endpoint: minioEndpoint, bucket: BUCKET, region: REGION, credentialsFile },
      logsDir: join(dir, 'logs'),
    };
    const state: State = { status, ports, processes: [] };
    // Record every pid as soon as it exists, so `down` can stop a cluster whose `up` failed half-way.
    const start = (procName: string, binary: string, args: string[], env?: NodeJS.ProcessEnv) => {
      const p = startProcess(dir, procName, binary, args, env);
      state.processes.push(p);
      writeState(dir, state);
      return p;
    };
    const auth: ProbeAuth = { server, caCert: pki.caCert, ...pki.clients.admin };

    try {
      const etcdUrl = `http://127.0.0.1:${ports.etcdClient}`;
      const peerUrl = `http://127.0.0.1:${ports.etcdPeer}`;
      const etcd = start('etcd', bin.etcd, [
        '--name=default', `--data-dir=${join(dir, 'etcd')}`,
        `--listen-client-urls=${etcdUrl}`, `--advertise-client-urls=${etcdUrl}`,
        `--listen-peer-urls=${peerUrl}`, `--initial-advertise-peer-urls=${peerUrl}`, `--initial-cluster=default=${peerUrl}`,
        // A throw-away test cluster: skipping fsync makes every write much cheaper on a shared disk.
        '--unsafe-no-fsync=true', '--log-level=warn',
      ]);
      const minio = start('minio', bin.minio, ['server', join(dir, 'minio-data'), '--address', `127.0.0.1:${ports.minio}`, '--console-address', `127.0.0.1:${ports.minioConsole}`, '--quiet'], {
        MINIO_ROOT_USER: creds.accessKey,
        MINIO_ROOT_PASSWORD: creds.secretKey,
        MINIO_BROWSER: 'off',
        MINIO_UPDATE: 'off',
        MINIO_REGION: REGION,
      });
      await waitFor('etcd health', async () => (await fetch(`${etcdUrl}/health`)).ok, { timeoutMs: 60_000, process: etcd });

      const apiserver = start('kube-apiserver', bin['kube-apiserver'], [
        `--etcd-servers=${etcdUrl}`, '--bind-address=127.0.0.1', '--advertise-address=127.0.0.1', `--secure-port=${ports.apiServer}`,
        `--tls-cert-file=${pki.apiServerCert}`, `--tls-private-key-file=${pki.apiServerKey}`, `--client-ca-file=${pki.caCert}`,
        `--kubelet-client-certificate=${pki.clients['apiserver-kubelet-client'].cert}`, `--kubelet-client-key=${pki.clients['apiserver-kubelet-client'].key}`,
        '--service-account-issuer=https://kubernetes.default.svc.cluster.local', `--service-account-key-file=${pki.serviceAccountPub}`,
        `--service-account-signing-key-file=${pki.serviceAccountKey}`, `--service-cluster-ip-range=${SERVICE_CIDR}`,
        '--authorization-mode=Node,RBAC', '--allow-privileged=true', '--profiling=false', '--v=1',
        // Endpoints may not hold a loopback address, so the reconciler for the `kubernetes` Service
        // would fail every 10 s; nothing in the cluster needs to reach the API server through it yet.
        '--endpoint-reconciler-type=none',
        // With a node, the kubelet is reached at its InternalIP (its name resolves nowhere).
        ...(withNode ? ['--kubelet-preferred-address-types=InternalIP'] : []),
      ]);
      await waitFor('kube-apiserver /readyz', () => apiOk(auth, '/readyz'), { timeoutMs: 120_000, process: apiserver });

      start('kube-controller-manager', bin['kube-controller-manager'], [
        `--kubeconfig=${join(dir, 'kube-controller-manager.kubeconfig')}`, '--leader-elect=false', '--bind-address=127.0.0.1', '--secure-port=0',
        `--root-ca-file=${pki.caCert}`, `--service-account-private-key-file=${pki.serviceAccountKey}`, '--use-service-account-credentials=true',
        `--cluster-signing-cert-file=${pki.caCert}`, `--cluster-signing-key-file=${pki.caKey}`, `--service-cluster-ip-range=${SERVICE_CIDR}`,
        // The controllers a backup tool meets (namespace deletion, GC, workloads, PV binder, SA tokens)
        // are all in the default set; the hostPath provisioner gives PVCs PVs with no add-on.
        '--controllers=*', '--enable-hostpath-provisioner=true', '--v=1',
      ]);
      start('kube-scheduler', bin['kube-scheduler'], [
        `--kubeconfig=${join(dir, 'kube-scheduler.kubeconfig')}`, '--leader-elect=false', '--bind-address=127.0.0.1', '--secure-port=0', '--v=1',
      ]);
      await waitFor('the default namespace and service account', () => apiOk(auth, '/api/v1/namespaces/default/serviceaccounts/default'), { timeoutMs: 120_000 });

      await waitFor('MinIO', async () => (await fetch(`${minioEndpoint}/minio/health/ready`)).ok, { timeoutMs: 60_000, process: minio });
      await ensureBucket(minioClient(minioEndpoint, creds, REGION), BUCKET, REGION);
      status.azure = (await startAzurite(dir, ports.azurite, start)).status;
      writeState(dir, state);
      status.gcs = await startFakeGcs({ clusterDir: dir, port: ports.fakeGcs, bucket: BUCKET, binary: bin['fake-gcs-server'], start: (procName, binary, args) => start(procName, binary, args) });
      writeState(dir, state);
      if (withNode) {
        status.node = await startNode({
          clusterName: name,
          clusterDir: dir,
          caCert: pki.caCert,
          caKey: pki.caKey,
          auth,
          apiServerPort: ports.apiServer,
          minioPort: ports.minio,
          serviceCidr: SERVICE_CIDR,
          bin: { kubelet: bin.kubelet, 'kube-proxy': bin['kube-proxy'] },
          start: (procName, binary, args, env) => start(procName, binary, args, env),
          record: (node) => {
            state.node = node;
            writeState(dir, state);
          },
        });
        writeState(dir, state);
      }
      if (withCsi && state.node && status.node) {
        status.csi = await startCsi({
          clusterDir: dir,
          kubeconfig,
          auth,
          nodeName: status.node.name,
          kubeletRoot: nodePaths(state.node.layout).kubeletRoot,
          bin: { 'csi-hostpath': bin['csi-hostpath'], 'csi-provisioner': bin['csi-provisioner'], 'csi-snapshotter': bin['csi-snapshotter'], 'snapshot-controller': bin['snapshot-controller'] },
          start: (procName, binary, args) => start(procName, binary, args),
        });
        writeState(dir, state);
      }
      for (const p of state.processes) {
        if (!isRunning(p.pid)) throw new Error(`${p.name} exited during start-up; see ${p.log}`);
      }
      return status;
    } catch (error) {
      const logs = join(dir, 'logs');
      if (state.node) await stopNode(state.node, dir, auth);
      await stopProcesses(state.processes, dir);
      throw new Error(`cluster "${name}" failed to start (logs kept in ${logs}): ${(error as Error).message}`);
    }
  }

  async down(name: string): Promise<void> {
    checkClusterName(name);
    const dir = clusterDir(name);
    const state = readState(dir);
    // What tests attached (a Velero server) goes first: it would only log the API server's absence.
    await stopProcesses(readAttached(dir), dir);
    if (state?.node) await stopNode(state.node, dir, adminAuth(dir, state.status.apiServer));
    if (state) await stopProcesses(state.processes, dir);
    rmSync(dir, { recursive: true, force: true });
  }

  async status(name: string): Promise<ClusterStatus | undefined> {
    const state = readState(clusterDir(checkClusterName(name)));
    if (!state || !state.processes.every((p) => isRunning(p.pid))) return undefined;
    return state.status;
  }

  async list(): Promise<string[]> {
    if (!existsSync(clustersRoot())) return [];
    return readdirSync(clustersRoot()).filter((n) => existsSync(stateFile(clusterDir(n))));
  }
}
