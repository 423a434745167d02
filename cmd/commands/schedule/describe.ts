import { Command, Option } from 'clipanion';
import { LocationCommand } from '../../location-command.ts';
import { StoredSchedules } from '../../../internal/schedule/stored-schedules.ts';
import { safeText } from '../../../internal/text/quote.ts';
import { describeSchedule } from './format-schedule.ts';
import { selectSchedules } from './select-schedules.ts';

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
    this.context.stdout.write(schedules.map((s) => safeText(describeSchedule(s))).join('\n\n'));
    for (const line of missing) this.context.stderr.write(`error: ${line}\n`);
    return missing.length ? 1 : 0;
  }
}
