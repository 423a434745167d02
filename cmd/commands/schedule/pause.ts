import { Command } from 'clipanion';
import { SetPausedCommand } from './set-paused.ts';

export class SchedulePauseCommand extends SetPausedCommand {
  static override paths = [['schedule', 'pause']];

  static override usage = Command.Usage({
    category: 'Schedule',
    description: 'pause schedules',
    details: '`schedule run` skips a paused schedule until it is unpaused.',
    examples: [
      ['Pause a schedule', 'kubectl velero schedule pause daily'],
      ['Pause every schedule', 'kubectl velero schedule pause --all'],
    ],
  });

  run(): Promise<number> {
    return this.setPaused(true);
  }
}
