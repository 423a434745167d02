import { Command, Option } from 'clipanion';
import { LocationCommand } from '../../location-command.ts';
import { openStoredRestores } from './get.ts';

export class RestoreLogsCommand extends LocationCommand {
  static override paths = [['restore', 'logs']];

  static override usage = Command.Usage({
    category: 'Restore',
    description: 'print the log of a restore',
    details: 'Prints the restore log kept in the storage location, in Velero\'s logrus text format.',
    examples: [['Print a restore log', 'kubectl velero restore logs shop-1-20261124101500']],
  });

  name = Option.String({ required: true, name: 'NAME' });

  async run(): Promise<number> {
    const restores = openStoredRestores(await this.openLocation());
    this.context.stdout.write(await restores.logText(this.name));
    return 0;
  }
}
