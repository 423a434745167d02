// How the schedule commands reach a schedule's objects in the cluster: only for a schedule that
// `schedule install` marked, so a workstation-only schedule never needs a cluster.
import type { KubeCommand } from '../../kube-options.ts';
import type { InClusterSchedules } from '../../../internal/schedule/in-cluster/cluster-install.ts';
import { INSTALLED_ANNOTATION } from '../../../internal/schedule/in-cluster/manifests.ts';
import type { Schedule } from '../../../internal/schedule/schedule-object.ts';

/** The namespace of the schedule's CronJob, when it was installed. */
export function installedIn(schedule: Schedule): string | undefined {
  return schedule.metadata.annotations?.[INSTALLED_ANNOTATION];
}

export async function openInCluster(command: KubeCommand): Promise<InClusterSchedules> {
  const { loadKubeConfig } = await import('../../../internal/kube/kubeconfig.ts');
  const { InClusterSchedules } = await import('../../../internal/schedule/in-cluster/cluster-install.ts');
  return InClusterSchedules.open(await loadKubeConfig(command.kubeTarget()));
}
