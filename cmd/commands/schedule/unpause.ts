import { Command } from 'clipanion';
import { SetPausedCommand } from './set-paused.ts';

export class ScheduleUnpauseCommand extends SetPausedCommand {
  static override paths = [['schedule', 'unpause']];

  static override usage = Command.Usage({
    category: 'Schedule',
    description: 'unpause schedules',
    details: 'A schedule whose backup came due while it was paused takes one catch-up backup at the next `schedule run`, unless `--skip-immediately`.',
    examples: [
      ['Unpause a schedule', 'kubectl velero schedule unpause daily'],
      ['Unpause, and wait for the next slot', 'kubectl velero schedule unpause daily --skip-immediately'],
    ],
  });

  run(): Promise<number> {
    return this.setPaused(false);
  }
}
