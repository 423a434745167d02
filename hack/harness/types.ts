// What every provider reports for a running cluster: the contract of `hack/cluster status -o json`
// that scripts, the e2e suite and the benchmarks rely on. Secrets stay in files, never in here.
export interface MinioStatus {
  /** http://127.0.0.1:PORT */
  endpoint: string;
  bucket: string;
  region: string;
  /** AWS shared-credentials file ([default] aws_access_key_id/aws_secret_access_key), mode 0600. */
  credentialsFile: string;
}

/** Azurite's blob service for a cluster (hack/harness/azurite.ts): Velero's `azure` provider. */
export interface AzureStatus {
  /** The blob service of the storage account: http://127.0.0.1:PORT/ACCOUNT (Velero's storageAccountURI). */
  endpoint: string;
  storageAccount: string;
  /** The blob container (a location's --bucket). */
  container: string;
  /** Velero's Azure credentials file (AZURE_STORAGE_ACCOUNT_ACCESS_KEY=…), mode 0600. */
  credentialsFile: string;
}

/** fake-gcs-server for a cluster (hack/harness/fake-gcs.ts): Velero's `gcp` provider. */
export interface GcsStatus {
  /** The JSON API endpoint (Velero's storeEndpoint). */
  endpoint: string;
  bucket: string;
  /** A service-account JSON key file, mode 0600. */
  credentialsFile: string;
}

/** The cluster's node, when it was started with one (`hack/cluster up --node`); see hack/node. */
export interface NodeStatus {
  name: string;
  /** The node's address (in its own network namespace), where the API server reaches the kubelet. */
  internalIP: string;
  podCIDR: string;
  /** `ip netns exec <netns> …` runs a command beside the kubelet. */
  netns: string;
  /** The node's containerd, for `ctr --address … -n k8s.io`. */
  containerdSocket: string;
  /** MinIO as pods see it (http://<node IP>:9000). */
  minioInCluster: string;
}

/** The cluster's CSI driver with snapshots, when started with `--csi` (hack/harness/csi.ts). */
export interface CsiStatus {
  /** The CSI driver name (hostpath.csi.k8s.io): a CSIDriver object, and the provisioner of the class. */
  driver: string;
  /** The StorageClass whose PVCs the driver provisions (csi-hostpath). */
  storageClass: string;
  /** The VolumeSnapshotClass of the driver, labelled velero.io/csi-volumesnapshot-class (csi-hostpath-snapclass). */
  snapshotClass: string;
  /** The driver's CSI socket on the host. */
  socket: string;
  /** Where the driver keeps volumes (volumes/<id>), snapshots (snapshots/<id>) and state.json. */
  stateDir: string;
}

export interface UpOptions {
  /** Also start a node (kubelet, containerd, kube-proxy) so pods run. Default: KUBECTL_VELERO_NODE=1. */
  node?: boolean;
  /**
   * Also a CSI driver with volume snapshots (implies `node`): StorageClass csi-hostpath,
   * VolumeSnapshotClass csi-hostpath-snapclass. Default: KUBECTL_VELERO_CSI=1. Local provider only.
   */
  csi?: boolean;
}

export interface ClusterStatus {
  name: string;
  provider: 'local' | 'kind';
  kubeconfig: string;
  apiServer: string;
  kubernetesVersion: string;
  minio: MinioStatus;
  /** The local provider's Azure Blob emulator (Azurite). */
  azure?: AzureStatus;
  /** The local provider's Google Cloud Storage emulator (fake-gcs-server). */
  gcs?: GcsStatus;
  /** Where the component logs are. */
  logsDir: string;
  /** Only when the cluster has a node. */
  node?: NodeStatus;
  /** Only when the cluster was started with `--csi`. */
  csi?: CsiStatus;
}

export interface ClusterProvider {
  up(name: string, options?: UpOptions): Promise<ClusterStatus>;
  down(name: string): Promise<void>;
  /** undefined when no cluster of that name is running. */
  status(name: string): Promise<ClusterStatus | undefined>;
  list(): Promise<string[]>;
}
