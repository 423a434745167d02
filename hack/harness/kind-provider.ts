// The `kind` provider, for users who have a Docker engine: a Kind cluster (the `kind` CLI) plus a
// MinIO container through testcontainers, behind the same interface as the local provider.
// This machine has no Docker engine, so CI never runs it; it is kept small on purpose.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBucket, generateCredentials, minioClient, writeCredentialsFile } from './minio.ts';
import { checkClusterName, clusterDir, clustersRoot } from './paths.ts';
import { wantsCsi } from './csi.ts';
import type { ClusterProvider, ClusterStatus, UpOptions } from './types.ts';

const MINIO_IMAGE = 'quay.io/minio/minio:RELEASE.2025-09-07T16-13-09Z';
const KIND_NODE_IMAGE = 'kindest/node:v1.35.0';

export class KindProvider implements ClusterProvider {
  async up(name: string, options?: UpOptions): Promise<ClusterStatus> {
    checkClusterName(name);
    // `--csi` is the local provider's (our driver runs beside a local node): refused here rather
    // than giving a cluster without the classes a test asked for.
    if (wantsCsi(options)) throw new Error('--csi is only supported by the local provider (Kind has its own CSI add-ons to install)');
    const existing = await this.status(name);
    if (existing) return existing;
    const dir = clusterDir(name);
    mkdirSync(dir, { recursive: true });
    const kubeconfig = join(dir, 'kubeconfig');
    execFileSync('kind', ['create', 'cluster', '--name', `kv-${name}`, '--image', KIND_NODE_IMAGE, '--kubeconfig', kubeconfig, '--wait', '120s'], { stdio: 'inherit' });

    const { GenericContainer, Wait } = await import('testcontainers');
    const creds = generateCredentials();
    const minio = await new GenericContainer(MINIO_IMAGE)
      .withCommand(['server', '/data'])
      .withEnvironment({ MINIO_ROOT_USER: creds.accessKey, MINIO_ROOT_PASSWORD: creds.secretKey })
      .withExposedPorts(9000)
      .withLabels({ 'kubectl-velero.harness': name })
      .withWaitStrategy(Wait.forHttp('/minio/health/ready', 9000))
      .start();
    const endpoint = `http://127.0.0.1:${minio.getMappedPort(9000)}`;
    const credentialsFile = join(dir, 'minio-credentials');
    writeCredentialsFile(credentialsFile, creds);
    await ensureBucket(minioClient(endpoint, creds, 'us-east-1'), 'velero', 'us-east-1');
    const server = /server:\s*(\S+)/.exec(readFileSync(kubeconfig, 'utf8'))?.[1] ?? '';
    const status: ClusterStatus = {
      name, provider: 'kind', kubeconfig, apiServer: server, kubernetesVersion: KIND_NODE_IMAGE.split(':')[1] ?? '',
      minio: { endpoint, bucket: 'velero', region: 'us-east-1', credentialsFile }, logsDir: dir,
    };
    writeFileSync(join(dir, 'state.json'), JSON.stringify({ status, minioContainer: minio.getId() }, null, 2));
    return status;
  }

  async down(name: string): Promise<void> {
    const dir = clusterDir(checkClusterName(name));
    const stateFile = join(dir, 'state.json');
    if (existsSync(stateFile)) {
      const { minioContainer } = JSON.parse(readFileSync(stateFile, 'utf8')) as { minioContainer: string };
      execFileSync('docker', ['rm', '-f', minioContainer], { stdio: 'ignore' });
    }
    try {
      execFileSync('kind', ['delete', 'cluster', '--name', `kv-${name}`], { stdio: 'inherit' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  async status(name: string): Promise<ClusterStatus | undefined> {
    const stateFile = join(clusterDir(checkClusterName(name)), 'state.json');
    if (!existsSync(stateFile)) return undefined;
    return (JSON.parse(readFileSync(stateFile, 'utf8')) as { status: ClusterStatus }).status;
  }

  async list(): Promise<string[]> {
    if (!existsSync(clustersRoot())) return [];
    return readdirSync(clustersRoot()).filter((n) => existsSync(join(clusterDir(n), 'state.json')));
  }
}
