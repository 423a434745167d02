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

export interface ClusterStatus {
  name: string;
  provider: 'local' | 'kind';
  kubeconfig: string;
  apiServer: string;
  kubernetesVersion: string;
  minio: MinioStatus;
  /** Where the component logs are. */
  logsDir: string;
}

export interface ClusterProvider {
  up(name: string): Promise<ClusterStatus>;
  down(name: string): Promise<void>;
  /** undefined when no cluster of that name is running. */
  status(name: string): Promise<ClusterStatus | undefined>;
  list(): Promise<string[]>;
}
