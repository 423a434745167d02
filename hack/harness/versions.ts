// The pinned versions live in one place each: the go.mod files under hack/tools/, which are also
// what `go build` uses. Reading them here keeps the cache keys and the builds from drifting apart.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths.ts';

export interface GoComponent {
  /** Name of the binary and of its cache folder. */
  name: string;
  /** Folder under hack/tools/ holding the go.mod that pins it. */
  toolsDir: string;
  /** The module whose version is the component's version. */
  module: string;
  /** The main package to build: a module's, or `./dir` for a program of ours inside the tools dir. */
  pkg: string;
}

export const COMPONENTS = {
  'kube-apiserver': { name: 'kube-apiserver', toolsDir: 'kubernetes', module: 'k8s.io/kubernetes', pkg: 'k8s.io/kubernetes/cmd/kube-apiserver' },
  'kube-controller-manager': { name: 'kube-controller-manager', toolsDir: 'kubernetes', module: 'k8s.io/kubernetes', pkg: 'k8s.io/kubernetes/cmd/kube-controller-manager' },
  'kube-scheduler': { name: 'kube-scheduler', toolsDir: 'kubernetes', module: 'k8s.io/kubernetes', pkg: 'k8s.io/kubernetes/cmd/kube-scheduler' },
  // The node (`hack/cluster up --node`): built only when a node is asked for.
  kubelet: { name: 'kubelet', toolsDir: 'kubernetes', module: 'k8s.io/kubernetes', pkg: 'k8s.io/kubernetes/cmd/kubelet' },
  'kube-proxy': { name: 'kube-proxy', toolsDir: 'kubernetes', module: 'k8s.io/kubernetes', pkg: 'k8s.io/kubernetes/cmd/kube-proxy' },
  // kubectl at the cluster's version, for hack/dbdata (kubectl exec) when none is on PATH.
  kubectl: { name: 'kubectl', toolsDir: 'kubernetes', module: 'k8s.io/kubernetes', pkg: 'k8s.io/kubernetes/cmd/kubectl' },
  etcd: { name: 'etcd', toolsDir: 'etcd', module: 'go.etcd.io/etcd/server/v3', pkg: 'go.etcd.io/etcd/server/v3' },
  minio: { name: 'minio', toolsDir: 'minio', module: 'github.com/minio/minio', pkg: 'github.com/minio/minio' },
  // Google Cloud Storage emulator for Velero's `gcp` provider (hack/harness/fake-gcs.ts).
  'fake-gcs-server': { name: 'fake-gcs-server', toolsDir: 'fake-gcs-server', module: 'github.com/fsouza/fake-gcs-server', pkg: 'github.com/fsouza/fake-gcs-server' },
  // MinIO's admin API for tests that revoke credentials (hack/harness/minio-admin.ts): our program,
  // on the madmin-go MinIO pins. Built on first use, not by `hack/cluster build`.
  'minio-admin': { name: 'minio-admin', toolsDir: 'minio', module: 'github.com/minio/madmin-go/v3', pkg: './admin' },
  // A stock Velero (server and CLI in one binary) and its AWS object-store plugin, for the interop
  // e2e and `make bench-vs-velero` (hack/harness/velero.ts). Built on first use (~12 min cold on
  // 2 cores), by `make velero-tools`, never by `hack/cluster build`.
  velero: { name: 'velero', toolsDir: 'velero', module: 'github.com/vmware-tanzu/velero', pkg: 'github.com/vmware-tanzu/velero/cmd/velero' },
  'velero-plugin-for-aws': { name: 'velero-plugin-for-aws', toolsDir: 'velero-plugin-for-aws', module: 'github.com/vmware-tanzu/velero-plugin-for-aws', pkg: 'github.com/vmware-tanzu/velero-plugin-for-aws/velero-plugin-for-aws' },
  // FerretDB v1 (MongoDB wire protocol, SQLite backend) for the live-writes e2e: built into the
  // `ferretdb` image (hack/images-lib) on first use, never by `hack/cluster build`.
  ferretdb: { name: 'ferretdb', toolsDir: 'ferretdb', module: 'github.com/FerretDB/FerretDB', pkg: './server' },
  // `hack/cluster up --csi` (hack/harness/csi.ts): our host-path CSI driver (versioned by the CSI
  // spec it implements) and the upstream sidecars. Built only when --csi is asked (`make csi-tools`),
  // never by a plain `hack/cluster build`. csi-provisioner has a go.mod of its own (csi/provisioner):
  // it is built on Kubernetes 1.33 libraries, which do not build beside the snapshotter's 1.35.
  'csi-hostpath': { name: 'csi-hostpath', toolsDir: 'csi', module: 'github.com/container-storage-interface/spec', pkg: './hostpath' },
  'csi-provisioner': { name: 'csi-provisioner', toolsDir: 'csi/provisioner', module: 'github.com/kubernetes-csi/external-provisioner/v5', pkg: 'github.com/kubernetes-csi/external-provisioner/v5/cmd/csi-provisioner' },
  'csi-snapshotter': { name: 'csi-snapshotter', toolsDir: 'csi', module: 'github.com/kubernetes-csi/external-snapshotter/v8', pkg: 'github.com/kubernetes-csi/external-snapshotter/v8/cmd/csi-snapshotter' },
  'snapshot-controller': { name: 'snapshot-controller', toolsDir: 'csi', module: 'github.com/kubernetes-csi/external-snapshotter/v8', pkg: 'github.com/kubernetes-csi/external-snapshotter/v8/cmd/snapshot-controller' },
} as const satisfies Record<string, GoComponent>;

export type ComponentName = keyof typeof COMPONENTS;

/** What a cluster without a node runs (and `hack/cluster build` builds). */
export const CONTROL_PLANE_COMPONENTS = ['kube-apiserver', 'kube-controller-manager', 'kube-scheduler', 'etcd', 'minio', 'fake-gcs-server'] as const satisfies readonly ComponentName[];
/** Added by `--node`. */
export const NODE_COMPONENTS = ['kubelet', 'kube-proxy', 'kubectl'] as const satisfies readonly ComponentName[];
/** Added by `--csi` (hack/harness/csi.ts), and built by `hack/cluster build --csi` only. */
export const CSI_COMPONENTS = ['csi-hostpath', 'csi-provisioner', 'csi-snapshotter', 'snapshot-controller'] as const satisfies readonly ComponentName[];

export function toolsDir(component: GoComponent): string {
  return join(repoRoot, 'hack', 'tools', component.toolsDir);
}

/** The version `require`d for `module` in the component's go.mod. */
export function pinnedVersion(component: GoComponent): string {
  const goMod = readFileSync(join(toolsDir(component), 'go.mod'), 'utf8');
  const escaped = component.module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  const match = new RegExp(`^\\s*(?:require\\s+)?${escaped}\\s+(v\\S+)`, 'm').exec(goMod);
  if (!match?.[1]) throw new Error(`hack/tools/${component.toolsDir}/go.mod does not require ${component.module}`);
  return match[1];
}

/**
 * The version a component's cache folder is named after: its pin, and for a program of ours the
 * hash of its sources too, so an edit to it is built instead of the stale binary being run.
 */
export function cacheVersion(component: GoComponent): string {
  const version = pinnedVersion(component);
  if (!component.pkg.startsWith('./')) return version;
  const dir = join(toolsDir(component), component.pkg);
  const hash = createHash('sha256');
  for (const file of readdirSync(dir).sort()) hash.update(file).update(readFileSync(join(dir, file)));
  return `${version}-src.${hash.digest('hex').slice(0, 12)}`;
}
