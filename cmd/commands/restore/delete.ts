import { Command, Option } from 'clipanion';
import { LocationCommand } from '../../location-command.ts';
import { openStoredRestores } from './get.ts';

export class RestoreDeleteCommand extends LocationCommand {
  static override paths = [['restore', 'delete']];

  static override usage = Command.Usage({
    category: 'Restore',
    description: 'delete restore records from the storage location',
    details: "Removes each named restore's files under restores/NAME/ (the Restore object first, so a half-deleted restore is no longer listed). The restored objects in the cluster stay. There is no prompt: pass `--confirm`, or `--all` to delete every restore.",
    examples: [['Delete a restore record', 'kubectl velero restore delete shop-1-20261124101500 --confirm'], ['Delete every restore record', 'kubectl velero restore delete --all --confirm']],
  });

  names = Option.Rest({ name: 'NAME' });
  all = Option.Boolean('--all', false, { description: 'delete every restore' });
  confirm = Option.Boolean('--confirm', false, { description: 'confirm the deletion (required)' });

  async run(): Promise<number> {
    if (this.all === (this.names.length > 0)) throw new Error('name the restores to delete, or pass --all (not both)');
    if (!this.confirm) throw new Error(`refusing to delete without --confirm: run kubectl velero restore delete ${this.all ? '--all' : this.names.join(' ')} --confirm`);
    const restores = openStoredRestores(await this.openLocation());
    let failed = 0;
    for (const name of this.all ? await restores.names() : this.names) {
      try {
        await restores.delete(name);
        this.context.stdout.write(`Restore "${name}" deleted.\n`);
      } catch (error) {
        failed++;
        this.context.stderr.write(`error: ${(error as Error).message}\n`);
      }
    }
    return failed ? 1 : 0;
  }
}
