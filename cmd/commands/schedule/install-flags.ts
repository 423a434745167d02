// The flags of putting a schedule into the cluster as a CronJob, shared by `schedule install` and
// `schedule create --install`, and the one function both call.
import { Option } from 'clipanion';
import type { LocationCommand } from '../../location-command.ts';
import type { ResolvedLocation } from '../../location.ts';
import type { Schedule } from '../../../internal/schedule/schedule-object.ts';
import { cronJobSchedule } from '../../../internal/schedule/in-cluster/cron-job-schedule.ts';
import type { InstallRequest } from '../../../internal/schedule/in-cluster/install-schedule.ts';
import { INSTALLED_ANNOTATION } from '../../../internal/schedule/in-cluster/manifests.ts';
import type { StoredSchedules } from '../../../internal/schedule/stored-schedules.ts';
import { versionInfo } from '../../../internal/version/version.ts';
import { BadFlagValueError } from '../backup/flags.ts';
import type { AbstractCommand } from '../backup/template-flags.ts';
import { readEncryptionKey } from '../volume-options.ts';
import { locationSecretFiles } from './location-secret.ts';

const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'] as const;

/** The release's image; a registry of your own is the usual place (README: pushing `make image`'s archive). */
export function defaultImage(): string {
  return `ghcr.io/kubectl-velero/kubectl-velero:${versionInfo().version}`;
}

export function withInstallFlags<TBase extends AbstractCommand<LocationCommand>>(Base: TBase) {
  abstract class WithInstallFlags extends Base {
    image = Option.String('--image', { description: "the plugin's container image the CronJob runs (default: the release's image of this version)" });
    imagePullPolicy = Option.String('--image-pull-policy', 'IfNotPresent', { description: 'Always, IfNotPresent or Never' });
    encryptionKeyFile = Option.String('--encryption-key-file', { description: "the volume data's encryption key, copied into the schedule's Secret" });

    /** What the flags ask for, checked before anything is read from the cluster. */
    installRequest(location: ResolvedLocation, schedule: Schedule): InstallRequest {
      const policy = this.imagePullPolicy as (typeof PULL_POLICIES)[number];
      if (!PULL_POLICIES.includes(policy)) throw new BadFlagValueError(`invalid --image-pull-policy "${this.imagePullPolicy}": use ${PULL_POLICIES.join(', ')}`);
      cronJobSchedule(schedule.spec.schedule);
      const files = locationSecretFiles(location, readEncryptionKey(this.encryptionKeyFile));
      return { schedule, image: this.image ?? defaultImage(), imagePullPolicy: policy, storageLocation: location.name, files };
    }

    /** Creates or updates the schedule's CronJob, ServiceAccount, RBAC and Secret; returns the lines saying what it made. */
    async installInCluster(stored: StoredSchedules, location: ResolvedLocation, schedule: Schedule): Promise<string> {
      const request = this.installRequest(location, schedule);
      const { loadKubeConfig } = await import('../../../internal/kube/kubeconfig.ts');
      const { installSchedule } = await import('../../../internal/schedule/in-cluster/install-schedule.ts');
      const result = await installSchedule(await loadKubeConfig(this.kubeTarget()), request);
      const name = schedule.metadata.name;
      await stored.update(name, (s) => ({ ...s, metadata: { ...s.metadata, annotations: { ...s.metadata.annotations, [INSTALLED_ANNOTATION]: s.metadata.namespace } } }));
      const ns = schedule.metadata.namespace;
      const { access } = result;
      const list = (scope: 'all' | string[]) => (scope === 'all' ? 'every namespace' : scope.length ? scope.join(', ') : 'none');
      const lines = [
        `Schedule "${name}" installed: CronJob ${ns}/${result.name} runs \`kubectl velero schedule run ${name}\` as ServiceAccount ${ns}/${result.name}.`,
        `  reads:              ${list(access.read)}`,
        `  cluster-scoped:     ${access.clusterRead.map((r) => (r.group ? `${r.resource}.${r.group}` : r.resource)).join(', ') || 'none'}`,
        `  exec into pods:     ${list(access.exec)}`,
        `  CSI snapshots:      ${access.csiSnapshots ? `${list(access.csiSnapshots.namespaces)}${access.csiSnapshots.moveData ? ' (and their data movers)' : ''}` : 'none'}`,
        `  snapshot locations: ${access.snapshotLocations ? `${ns}${access.snapshotLocations.secrets.length ? ` (Secrets ${access.snapshotLocations.secrets.join(', ')})` : ''}` : 'none'}`,
      ];
      if (result.pruned.length) lines.push(`  removed:            ${result.pruned.join(', ')}`);
      return lines.map((l) => `${l}\n`).join('');
    }

    /** After a failed install: removes what reached the cluster, if the cluster can be reached at all. */
    async uninstallQuietly(schedule: string): Promise<void> {
      try {
        const { loadKubeConfig } = await import('../../../internal/kube/kubeconfig.ts');
        const { InClusterSchedules } = await import('../../../internal/schedule/in-cluster/cluster-install.ts');
        await (await InClusterSchedules.open(await loadKubeConfig(this.kubeTarget()))).remove(schedule, 30_000);
      } catch {
        // The install's own error is the one to report.
      }
    }
  }
  return WithInstallFlags;
}
