// The harness's programmatic face, used by e2e tests and benchmarks: the same operations as
// `hack/cluster`, on the provider chosen by KUBECTL_VELERO_PROVIDER (`local`, the default, or `kind`).
import { KindProvider } from './kind-provider.ts';
import { LocalProvider } from './local-provider.ts';
import type { ClusterProvider, ClusterStatus } from './types.ts';

export type { ClusterStatus, MinioStatus } from './types.ts';

export function provider(name = process.env.KUBECTL_VELERO_PROVIDER ?? 'local'): ClusterProvider {
  if (name === 'local') return new LocalProvider();
  if (name === 'kind') return new KindProvider();
  throw new Error(`unknown provider "${name}": use local or kind`);
}

export const upCluster = (name: string): Promise<ClusterStatus> => provider().up(name);
export const downCluster = (name: string): Promise<void> => provider().down(name);
export const clusterStatus = (name: string): Promise<ClusterStatus | undefined> => provider().status(name);
export const listClusters = (): Promise<string[]> => provider().list();
