// `hack/cluster` — command line of the test harness.
//   hack/cluster up [--name N] [--node] [--csi]  start (or reuse) cluster N and its MinIO, print its status;
//                                        --node adds a node (kubelet + containerd, hack/node) so pods run;
//                                        --csi (implies --node) adds a CSI driver with volume snapshots
//                                        (StorageClass csi-hostpath, VolumeSnapshotClass csi-hostpath-snapclass)
//   hack/cluster down [--name N | --all]  stop every process of N and remove its data dir
//   hack/cluster status [--name N] [-o json]
//   hack/cluster kubeconfig [--name N]    print the path of N's admin kubeconfig
//   hack/cluster check [--node|--csi]   whether this machine can run a cluster (with a node): `ok`, or why not
//   hack/cluster build [--node] [--velero] [--csi] build (once) the binaries the local provider runs (--node: and the node's + images;
//                                        --velero: a stock Velero and its AWS plugin, for the interop tests and bench-vs-velero;
//                                        --csi: the CSI driver and sidecars of `up --csi`)
// --provider local|kind (or KUBECTL_VELERO_PROVIDER) picks the provider; local is the default.
import { parseArgs } from 'node:util';
import { ensureBinaries } from './build.ts';
import { ensureImages } from '../images-lib/build.ts';
import { provider } from './cluster.ts';
import type { ClusterStatus } from './types.ts';
import { CONTROL_PLANE_COMPONENTS, CSI_COMPONENTS, NODE_COMPONENTS } from './versions.ts';

const USAGE = 'usage: hack/cluster up|down|status|kubeconfig|build|check [--name N] [--node] [--csi] [--velero] [--all] [-o json] [--provider local|kind]';

function describe(s: ClusterStatus): string {
  return [
    `cluster ${s.name} (${s.provider}, Kubernetes ${s.kubernetesVersion}) is running`,
    `  API server:  ${s.apiServer}`,
    `  kubeconfig:  ${s.kubeconfig}`,
    `  MinIO:       ${s.minio.endpoint} bucket ${s.minio.bucket} (credentials in ${s.minio.credentialsFile})`,
    ...(s.azure ? [`  Azure:       ${s.azure.endpoint} container ${s.azure.container} (Azurite, account ${s.azure.storageAccount}; key in ${s.azure.credentialsFile})`] : []),
    ...(s.gcs ? [`  GCS:         ${s.gcs.endpoint} bucket ${s.gcs.bucket} (fake-gcs-server; service-account key in ${s.gcs.credentialsFile})`] : []),
    `  logs:        ${s.logsDir}`,
    ...(s.node ? [`  node:        ${s.node.name} ${s.node.internalIP} (pods ${s.node.podCIDR}, netns ${s.node.netns}, containerd ${s.node.containerdSocket})`] : []),
    ...(s.csi ? [`  CSI:         driver ${s.csi.driver}, StorageClass ${s.csi.storageClass}, VolumeSnapshotClass ${s.csi.snapshotClass} (state in ${s.csi.stateDir})`] : []),
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: 'string', default: 'default' },
      all: { type: 'boolean', default: false },
      output: { type: 'string', short: 'o' },
      provider: { type: 'string' },
      node: { type: 'boolean' },
      csi: { type: 'boolean' },
      velero: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const [verb] = positionals;
  if (values.help || !verb) {
    console.log(USAGE);
    return verb || values.help ? 0 : 2;
  }
  if (values.output !== undefined && values.output !== 'json') throw new Error(`unknown output format "${values.output}": only json`);
  const p = provider(values.provider);
  const name = values.name;
  switch (verb) {
    case 'check': {
      // Whether this machine can run what `up` would start: a node needs root, containerd, runc, cgroup v1.
      if (values.node || values.csi) {
        const { checkNodePrerequisites } = await import('../node/node.ts');
        checkNodePrerequisites();
      }
      console.log(values.node || values.csi ? 'ok: this machine can run a cluster with a node' : 'ok');
      return 0;
    }
    case 'build': {
      const withNode = values.node || values.csi;
      await ensureBinaries(withNode ? [...CONTROL_PLANE_COMPONENTS, ...NODE_COMPONENTS] : [...CONTROL_PLANE_COMPONENTS]);
      if (withNode) await ensureImages();
      if (values.csi) await ensureBinaries([...CSI_COMPONENTS]);
      if (values.velero) await ensureBinaries(['velero', 'velero-plugin-for-aws']);
      return 0;
    }
    case 'up': {
      const status = await p.up(name, { ...(values.node === undefined ? {} : { node: values.node }), ...(values.csi === undefined ? {} : { csi: values.csi }) });
      console.log(values.output === 'json' ? JSON.stringify(status, null, 2) : describe(status));
      return 0;
    }
    case 'down': {
      const names = values.all ? await p.list() : [name];
      for (const n of names) {
        await p.down(n);
        console.error(`cluster ${n} stopped and removed`);
      }
      return 0;
    }
    case 'status': {
      const status = await p.status(name);
      if (!status) {
        console.error(`cluster ${name} is not running`);
        return 1;
      }
      console.log(values.output === 'json' ? JSON.stringify(status, null, 2) : describe(status));
      return 0;
    }
    case 'kubeconfig': {
      const status = await p.status(name);
      if (!status) {
        console.error(`cluster ${name} is not running: start it with hack/cluster up --name ${name}`);
        return 1;
      }
      console.log(status.kubeconfig);
      return 0;
    }
    default:
      console.error(`unknown command "${verb}"\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(`error: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  },
);
