import { Command, Option } from 'clipanion';
import { LocationCommand } from '../../location-command.ts';
import { parseOutputFormat, renderStructured } from '../../../internal/output/format.ts';
import { renderTable } from '../../../internal/output/table.ts';
import { StoredSchedules } from '../../../internal/schedule/stored-schedules.ts';
import { SCHEDULE_COLUMNS, scheduleRow } from './format-schedule.ts';
import { selectSchedules } from './select-schedules.ts';

export class ScheduleGetCommand extends LocationCommand {
  static override paths = [['schedule', 'get']];

  static override usage = Command.Usage({
    category: 'Schedule',
    description: 'list schedules',
    details: 'Lists the schedules kept in the storage location (the default one unless `--storage-location` says otherwise), with Velero\'s columns. Any machine that reaches the location sees the same schedules.',
    examples: [
      ['List all schedules', 'kubectl velero schedule get'],
      ['One schedule as YAML', 'kubectl velero schedule get daily -o yaml'],
    ],
  });

  names = Option.Rest({ name: 'NAME' });
  selector = Option.String('-l,--selector', { description: 'only schedules whose labels match this selector' });
  output = Option.String('-o,--output', { description: 'output format: table (default), json or yaml' });

  async run(): Promise<number> {
    const format = parseOutputFormat(this.output);
    const stored = new StoredSchedules((await this.openLocation()).store);
    const { schedules, missing } = await selectSchedules(stored, { names: this.names, selector: this.selector, explicit: false, command: 'get' });
    if (missing.length) {
      for (const line of missing) this.context.stderr.write(`error: ${line}\n`);
      return 1;
    }
    if (format !== 'table') {
      // Velero prints the one schedule itself, several as a ScheduleList.
      this.context.stdout.write(renderStructured(schedules.length === 1 ? schedules[0] : { apiVersion: 'velero.io/v1', kind: 'ScheduleList', items: schedules }, format));
      return 0;
    }
    this.context.stdout.write(renderTable(SCHEDULE_COLUMNS, schedules.map((s) => scheduleRow(s))));
    return 0;
  }
}
