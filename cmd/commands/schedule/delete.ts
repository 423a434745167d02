import { Command, Option } from 'clipanion';
import { LocationCommand } from '../../location-command.ts';
import { StoredSchedules } from '../../../internal/schedule/stored-schedules.ts';
import { installedIn, openInCluster } from './in-cluster.ts';
import { selectSchedules } from './select-schedules.ts';

export class ScheduleDeleteCommand extends LocationCommand {
  static override paths = [['schedule', 'delete']];

  static override usage = Command.Usage({
    category: 'Schedule',
    description: 'delete schedules',
    details: 'Removes the schedules from the storage location, so `schedule run` takes no more of their backups, and an installed schedule\'s CronJob, runs, ServiceAccount, RBAC and Secret from the cluster. Their backups stay (delete them with `backup delete`). There is no prompt: pass `--confirm`.',
    examples: [
      ['Delete a schedule', 'kubectl velero schedule delete daily --confirm'],
      ['Delete the schedules labelled team=shop', 'kubectl velero schedule delete --selector team=shop --confirm'],
    ],
  });

  names = Option.Rest({ name: 'NAME' });
  selector = Option.String('-l,--selector', { description: 'delete the schedules whose labels match this selector' });
  all = Option.Boolean('--all', false, { description: 'delete every schedule' });
  confirm = Option.Boolean('--confirm', false, { description: 'confirm the deletion (required)' });

  async run(): Promise<number> {
    if (!this.confirm) throw new Error(`refusing to delete without --confirm: run kubectl velero schedule delete ${this.names.join(' ') || (this.all ? '--all' : this.selector ? `--selector ${this.selector}` : 'NAME')} --confirm`);
    const stored = new StoredSchedules((await this.openWritableLocation('delete schedules from it')).store);
    const { schedules, missing } = await selectSchedules(stored, { names: this.names, selector: this.selector, all: this.all, explicit: true, command: 'delete' });
    for (const line of missing) this.context.stderr.write(`error: ${line}\n`);
    if (!schedules.length && !missing.length) this.context.stdout.write('No schedules found\n');
    for (const s of schedules) {
      // The CronJob first: a schedule deleted from the location while its CronJob still runs would fail every run.
      if (installedIn(s)) {
        const removed = await (await openInCluster(this)).remove(s.metadata.name);
        this.context.stdout.write(`Removed from the cluster: ${removed} objects of schedule ${s.metadata.name} (CronJob, its runs, ServiceAccount, RBAC, Secret)\n`);
      }
      await stored.delete(s.metadata.name);
      this.context.stdout.write(`Schedule deleted: ${s.metadata.name}\n`);
    }
    return missing.length ? 1 : 0;
  }
}
