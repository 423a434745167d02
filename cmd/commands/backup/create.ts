import { Command, Option } from 'clipanion';
import { LocationCommand } from '../../location-command.ts';
import { parseOutputFormat, renderStructured } from '../../../internal/output/format.ts';
import { scheduledBackup } from '../../../internal/schedule/scheduled-backup.ts';
import { StoredSchedules } from '../../../internal/schedule/stored-schedules.ts';
import type { ObjectStore } from '../../../internal/storage/object-store.ts';
import { openBackupStore } from './open-store.ts';
import { BadFlagValueError } from './flags.ts';
import { interruptOnSignals } from './interrupt.ts';
import { withBackupRunFlags } from './run-flags.ts';
import { reportBackup, runOneBackup } from './run-one-backup.ts';
import { withBackupTemplateFlags } from './template-flags.ts';

export class BackupCreateCommand extends withBackupRunFlags(withBackupTemplateFlags(LocationCommand)) {
  static override paths = [['backup', 'create']];

  static override usage = Command.Usage({
    category: 'Backup',
    description: 'back up cluster resources into a storage location',
    details: `
      Lists the cluster's resources with your own credentials and writes a Velero-compatible backup (tarball, logs, resource list, results, velero-backup.json last) to the storage location. The backup runs in this process; \`--wait\` is accepted for Velero compatibility.

      Filters follow Velero: \`*\` means all, excludes win, resource names may be \`resource.group\`, short names or kinds. With \`--include-cluster-resources\` unset, cluster-scoped resources are backed up for a whole-cluster backup, and otherwise only when related to included items (PVs of PVCs, CRDs of custom resources, cluster roles of service accounts).

      With \`--from-schedule\`, the backup is the schedule's template (the filter flags are ignored), named \`<schedule>-<yyyyMMddHHmmss>\` unless a NAME is given, and labelled \`velero.io/schedule-name\`, as Velero does.
    `,
    examples: [
      ['Back up one namespace', 'kubectl velero backup create shop-1 --include-namespaces shop'],
      ['Back up labelled objects, keep for a week', 'kubectl velero backup create web --selector app=web --ttl 168h'],
      ['Back up everything except secrets', 'kubectl velero backup create all --exclude-resources secrets'],
      ['Back up now what the schedule "daily" backs up', 'kubectl velero backup create --from-schedule daily'],
    ],
  });

  name = Option.String({ name: 'NAME', required: false });
  fromSchedule = Option.String('--from-schedule', { description: "back up as this schedule does (its template), named <schedule>-<timestamp> unless NAME is given" });
  wait = Option.Boolean('-w,--wait', false, { description: 'wait for the backup to finish (always: it runs in this process)' });
  output = Option.String('-o,--output', { description: 'print the Backup object as json or yaml when done' });

  async run(): Promise<number> {
    const format = this.output ? parseOutputFormat(this.output) : 'table';
    const settings = this.backupRunSettings();
    if (!this.name && !this.fromSchedule) throw new BadFlagValueError('a backup NAME is required (or --from-schedule SCHEDULE): kubectl velero backup create NAME');
    const store = openBackupStore(await this.openWritableLocation('create backups in it'));
    const request = await this.backupRequest(store.location, store.store);
    if (this.fromSchedule && format === 'table') this.context.stdout.write('Creating backup from schedule, all other filters are ignored.\n');
    // Ctrl-C or SIGTERM: the backup is recorded Failed ("interrupted") and its partial upload removed.
    const interrupt = interruptOnSignals(this.context.stderr, () => 'stopping the backup and recording it Failed');
    try {
      const run = await runOneBackup({ ...request, store, kube: this.kubeTarget(), settings, stderr: this.context.stderr, signal: interrupt.signal });
      if (format !== 'table') this.context.stdout.write(renderStructured(run.backup, format));
      else reportBackup(this.context, run, store.target.describe());
      if (interrupt.signal.aborted) return 130;
      return run.backup.status.phase === 'Failed' ? 1 : 0;
    } finally {
      interrupt.dispose();
    }
  }

  /** The backup the flags ask for, or the schedule's (Velero's BuildBackup). */
  private async backupRequest(location: string, store: ObjectStore) {
    if (!this.fromSchedule) return { name: this.name!, veleroNamespace: this.veleroNamespace(), ...this.backupTemplate(location) };
    const schedule = await new StoredSchedules(store).get(this.fromSchedule);
    const scheduled = scheduledBackup(schedule, new Date(), location);
    return { name: this.name ?? scheduled.name, veleroNamespace: this.veleroNamespace(), options: scheduled.options, labels: scheduled.labels, annotations: scheduled.annotations };
  }
}
