import { Command, Option } from 'clipanion';
import { LocationCommand } from '../../location-command.ts';
import { StoredSchedules } from '../../../internal/schedule/stored-schedules.ts';
import { safeText } from '../../../internal/text/quote.ts';
import { describeSchedule } from './format-schedule.ts';
import { installedIn, openInCluster } from './in-cluster.ts';
import { selectSchedules } from './select-schedules.ts';
import type { Schedule } from '../../../internal/schedule/schedule-object.ts';
import { tabAlign } from '../../../internal/text/describer.ts';
import { goTime } from '../backup/format-backup.ts';

export class ScheduleDescribeCommand extends LocationCommand {
  static override paths = [['schedule', 'describe']];

  static override usage = Command.Usage({
    category: 'Schedule',
    description: 'describe schedules',
    details: 'Shows each schedule as Velero describes it — phase, paused, cron expression, the backup template, the last backup — and when `schedule run` takes the next one.',
    examples: [['Describe one schedule', 'kubectl velero schedule describe daily']],
  });

  names = Option.Rest({ name: 'NAME' });
  selector = Option.String('-l,--selector', { description: 'only schedules whose labels match this selector' });

  async run(): Promise<number> {
    const stored = new StoredSchedules((await this.openLocation()).store);
    const { schedules, missing } = await selectSchedules(stored, { names: this.names, selector: this.selector, explicit: false, command: 'describe' });
    const texts: string[] = [];
    for (const s of schedules) texts.push(safeText(describeSchedule(s) + (await this.cronJobSection(s))));
    this.context.stdout.write(texts.join('\n\n'));
    for (const line of missing) this.context.stderr.write(`error: ${line}\n`);
    return missing.length ? 1 : 0;
  }

  /** For an installed schedule: its CronJob's last runs and the end of the newest run's log. */
  private async cronJobSection(s: Schedule): Promise<string> {
    const namespace = installedIn(s);
    if (!namespace) return '';
    let run;
    try {
      run = await (await openInCluster(this)).lastRun(s.metadata.name, namespace);
    } catch (error) {
      return `\nCronJob:\t<cannot be read: ${(error as Error).message.split('\n')[0]}>\n`;
    }
    if (!run) return `\nCronJob:\t<not found in namespace ${namespace}: run kubectl velero schedule install ${s.metadata.name}>\n`;
    const lines = [
      '',
      `CronJob:\t${namespace}/${run.name}${run.suspended ? ' (suspended)' : ''}`,
      `  Last scheduled:\t${run.lastScheduleTime ? goTime(run.lastScheduleTime) : '<never>'}`,
      `  Last successful:\t${run.lastSuccessfulTime ? goTime(run.lastSuccessfulTime) : '<never>'}`,
      `  Running now:\t${run.active}`,
    ];
    if (run.lastJob) {
      lines.push(`  Last run:\t${run.lastJob.name} ${run.lastJob.outcome}`);
      if (run.lastJob.logTail?.length) lines.push('  Log (end):', ...run.lastJob.logTail.map((l) => `    ${l}`));
    }
    return tabAlign(lines.join('\n')) + '\n';
  }
}
