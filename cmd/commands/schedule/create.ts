import { Command, Option } from 'clipanion';
import { LocationCommand } from '../../location-command.ts';
import { buildBackupSpec, validateBackupSpec } from '../../../internal/backup/spec.ts';
import { parseOutputFormat, renderStructured } from '../../../internal/output/format.ts';
import { parseCron } from '../../../internal/schedule/cron.ts';
import { checkScheduleName, newSchedule } from '../../../internal/schedule/schedule-object.ts';
import { StoredSchedules } from '../../../internal/schedule/stored-schedules.ts';
import { BadFlagValueError, parseOptionalBool } from '../backup/flags.ts';
import { withBackupTemplateFlags } from '../backup/template-flags.ts';
import { withInstallFlags } from './install-flags.ts';

export class ScheduleCreateCommand extends withInstallFlags(withBackupTemplateFlags(LocationCommand)) {
  static override paths = [['schedule', 'create']];

  static override usage = Command.Usage({
    category: 'Schedule',
    description: 'create a schedule of backups',
    details: `
      Stores a Velero Schedule in the storage location: a cron expression and, as the template of every backup, the same flags as \`backup create\`. Nothing runs in the cluster: \`kubectl velero schedule run\` takes the backups that are due — run it from cron, a systemd timer or a CI job, or keep it running with \`--loop\`.

      \`--schedule\` is 5-field cron (minute hour day-of-month month day-of-week, read in UTC), a descriptor (@hourly, @daily, @weekly, @monthly, @yearly) or \`@every <duration>\` such as \`@every 6h\`; prefix \`CRON_TZ=Europe/Paris \` to read the fields in a time zone. Backups are named \`<schedule>-<yyyyMMddHHmmss>\` (UTC) and labelled \`velero.io/schedule-name\`. The first \`schedule run\` takes one at once unless \`--skip-immediately\`.

      With \`--install\` it also runs in the cluster, as a CronJob with a ServiceAccount that can read only what the schedule backs up (see \`schedule install\`).

      With \`-o json|yaml\` the Schedule is printed and not created, as Velero does.
    `,
    examples: [
      ['A backup every day at 02:00 UTC, kept a week', 'kubectl velero schedule create daily --schedule "0 2 * * *" --ttl 168h'],
      ['Every 6 hours, one namespace', 'kubectl velero schedule create shop --schedule "@every 6h" --include-namespaces shop'],
      ['Nightly, run by a CronJob in the cluster', 'kubectl velero schedule create nightly --schedule "0 3 * * *" --include-namespaces shop --install --image registry.example.com/kubectl-velero:0.1.0'],
      ['Weekdays at 01:30 Paris time', 'kubectl velero schedule create paris --schedule "CRON_TZ=Europe/Paris 30 1 * * 1-5"'],
    ],
  });

  name = Option.String({ name: 'NAME' });
  schedule = Option.String('--schedule', { description: 'when to back up: a cron expression, @daily…, or @every <duration> (required)' });
  paused = Option.Boolean('--paused', false, { description: 'create the schedule paused' });
  skipImmediately = Option.String('--skip-immediately', { tolerateBoolean: true, description: 'skip the backup that would be due at once: the first one comes at the first slot of the schedule' });
  useOwnerReferencesInBackup = Option.Boolean('--use-owner-references-in-backup', false, { description: "recorded in the schedule for Velero's server (which then deletes the backups with the schedule); no effect here" });
  install = Option.Boolean('--install', false, { description: 'also run it in the cluster as a CronJob (schedule install)' });
  output = Option.String('-o,--output', { description: 'print the Schedule as json or yaml instead of creating it' });

  async run(): Promise<number> {
    const format = this.output === undefined ? undefined : parseOutputFormat(this.output);
    checkScheduleName(this.name);
    if (this.schedule === undefined) throw new BadFlagValueError('--schedule is required: e.g. --schedule "0 2 * * *" or --schedule @daily');
    parseCron(this.schedule);
    const skipImmediately = parseOptionalBool('--skip-immediately', this.skipImmediately);
    const location = await (format && format !== 'table' ? this.openLocation() : this.openWritableLocation('create schedules in it'));
    const { options, labels, annotations } = this.backupTemplate(location.name);
    const template = buildBackupSpec(options);
    const invalid = validateBackupSpec(template);
    if (invalid.length) throw new BadFlagValueError(`the backup template is invalid: ${invalid.map((e) => e.replace(/\n/g, ' ')).join('; ')}`);
    const schedule = newSchedule({
      name: this.name,
      namespace: this.veleroNamespace(),
      cron: this.schedule,
      template,
      labels,
      annotations,
      paused: this.paused,
      skipImmediately,
      useOwnerReferencesInBackup: this.useOwnerReferencesInBackup,
      now: new Date(),
    });
    if (format && format !== 'table') {
      this.context.stdout.write(renderStructured(schedule, format));
      return 0;
    }
    // Whatever would stop the install is found before anything is created.
    if (this.install) this.installRequest(location, schedule);
    const stored = new StoredSchedules(location.store);
    await stored.create(schedule);
    if (!this.install) {
      this.context.stdout.write(`Schedule "${this.name}" created successfully.\n`);
      this.context.stdout.write(`Its backups are taken by \`kubectl velero schedule run\`: run it from cron, a systemd timer or CI, keep \`kubectl velero schedule run --loop\` running, or run it in the cluster with \`kubectl velero schedule install ${this.name}\`.\n`);
      return 0;
    }
    let report: string;
    try {
      report = await this.installInCluster(stored, location, schedule);
    } catch (error) {
      // Not half made: the schedule goes again, with whatever part of it reached the cluster.
      await this.uninstallQuietly(schedule.metadata.name);
      await stored.delete(schedule.metadata.name);
      throw error;
    }
    this.context.stdout.write(`Schedule "${this.name}" created successfully.\n${report}`);
    return 0;
  }
}
