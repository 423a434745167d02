import { Command, Option } from 'clipanion';
import { LocationCommand } from '../../location-command.ts';
import { renderStructured, parseOutputFormat } from '../../../internal/output/format.ts';
import { StoredSchedules } from '../../../internal/schedule/stored-schedules.ts';
import { BadFlagValueError } from '../backup/flags.ts';
import { withInstallFlags } from './install-flags.ts';

export class ScheduleInstallCommand extends withInstallFlags(LocationCommand) {
  static override paths = [['schedule', 'install']];

  static override usage = Command.Usage({
    category: 'Schedule',
    description: 'run a schedule in the cluster, as a CronJob',
    details: `
      Creates (or updates), in the schedule's Velero namespace, a CronJob on the schedule's cron expression and time zone (\`concurrencyPolicy: Forbid\`, suspended while the schedule is paused) that runs the plugin's image: \`kubectl velero schedule run NAME\`. It runs as its own ServiceAccount, bound to ClusterRoles that let it read what the schedule backs up — the objects of its namespaces (of every namespace for a backup of all), the cluster-scoped resources it takes — and exec into pods only in the namespaces whose pods have hooks or volume data to back up (all of them with \`--default-volumes-to-fs-backup\`, \`--snapshot-move-data\` or hooks in the template). Where the cluster serves the CSI snapshot API and the template snapshots volumes, it may also make and delete VolumeSnapshots in its namespaces (with \`--snapshot-move-data\`, temporary claims and pods too) and take, label and delete VolumeSnapshotContents; it reads the Velero namespace's VolumeSnapshotLocations and their credential Secrets when there are any. The location's config and credentials go into a Secret beside it.

      Access is decided from the cluster as it is now: run \`schedule install\` again after adding hook or volume annotations in another namespace. \`schedule delete\` removes everything it made; \`schedule describe\` shows the CronJob's last run and the end of its log.

      With \`-o json|yaml\` the objects are printed (the Secret's values redacted) and nothing is created.
    `,
    examples: [
      ['Run the schedule "daily" in the cluster', 'kubectl velero schedule install daily --image registry.example.com/kubectl-velero:0.1.0'],
      ['See what it would create', 'kubectl velero schedule install daily -o yaml'],
    ],
  });

  name = Option.String({ name: 'NAME' });
  output = Option.String('-o,--output', { description: 'print the objects as json or yaml instead of creating them' });

  async run(): Promise<number> {
    const format = this.output === undefined ? undefined : parseOutputFormat(this.output);
    if (format === 'table') throw new BadFlagValueError('invalid --output "table" for schedule install: use json or yaml');
    const location = await this.openWritableLocation('install schedules that write to it');
    const stored = new StoredSchedules(location.store);
    const schedule = await stored.get(this.name);
    if (format) {
      const { loadKubeConfig } = await import('../../../internal/kube/kubeconfig.ts');
      const { planInstall } = await import('../../../internal/schedule/in-cluster/install-schedule.ts');
      const { manifests } = await planInstall(await loadKubeConfig(this.kubeTarget()), this.installRequest(location, schedule));
      // Credentials never reach the terminal: the Secret's keys are shown, their values are not.
      const shown = manifests.map((m) => (m.kind === 'Secret' ? { ...m, data: Object.fromEntries(Object.keys((m.data as object) ?? {}).map((k) => [k, '<redacted>'])) } : m));
      this.context.stdout.write(renderStructured({ apiVersion: 'v1', kind: 'List', items: shown }, format));
      return 0;
    }
    this.context.stdout.write(await this.installInCluster(stored, location, schedule));
    return 0;
  }
}
