// The cluster a snapshot-location command reads VolumeSnapshotLocations from (the kubeconfig's,
// the Velero namespace of -n): none when there is no kubeconfig, so the config file alone is used.
import type { KubeCommand } from '../../kube-options.ts';
import type { ClusterAccess } from '../../../internal/snapshots/snapshot-locations.ts';

export async function withClusterAccess<T>(command: KubeCommand, use: (cluster: ClusterAccess | undefined) => Promise<T>): Promise<T> {
  let client: { close(): void } & ClusterAccess['client'];
  try {
    const { loadKubeConfig } = await import('../../../internal/kube/kubeconfig.ts');
    const { KubeHttpClient } = await import('../../../internal/kube/http-client.ts');
    client = new KubeHttpClient(await loadKubeConfig(command.kubeTarget()), { retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 } });
  } catch {
    return use(undefined);
  }
  try {
    return await use({ client, namespace: command.veleroNamespace() });
  } finally {
    client.close();
  }
}
