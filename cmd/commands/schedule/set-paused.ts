// What `schedule pause` and `schedule unpause` share (Velero's runPause): the schedules chosen
// by name, selector or --all get spec.paused set, and spec.skipImmediately from the flag — which
// here takes effect at once: unpausing with --skip-immediately skips a backup that is due now.
import { Option } from 'clipanion';
import { LocationCommand } from '../../location-command.ts';
import { reconcileSchedule, type ScheduleSpec } from '../../../internal/schedule/schedule-object.ts';
import { StoredSchedules } from '../../../internal/schedule/stored-schedules.ts';
import { parseOptionalBool } from '../backup/flags.ts';
import { installedIn, openInCluster } from './in-cluster.ts';
import { selectSchedules } from './select-schedules.ts';

export abstract class SetPausedCommand extends LocationCommand {
  names = Option.Rest({ name: 'NAME' });
  selector = Option.String('-l,--selector', { description: 'the schedules whose labels match this selector' });
  all = Option.Boolean('--all', false, { description: 'every schedule' });
  skipImmediately = Option.String('--skip-immediately', { tolerateBoolean: true, description: 'skip the backup that is due at once (after a long pause): the next one comes at the next slot' });

  protected async setPaused(paused: boolean): Promise<number> {
    const skipImmediately = parseOptionalBool('--skip-immediately', this.skipImmediately);
    const stored = new StoredSchedules((await this.openWritableLocation(`${paused ? 'pause' : 'unpause'} schedules in it`)).store);
    const verb = paused ? 'pause' : 'unpause';
    const { schedules, missing } = await selectSchedules(stored, { names: this.names, selector: this.selector, all: this.all, explicit: true, command: verb });
    for (const line of missing) this.context.stderr.write(`error: ${line}\n`);
    if (!schedules.length && !missing.length) this.context.stdout.write('No schedules found\n');
    for (const s of schedules) {
      const name = s.metadata.name;
      if (Boolean(s.spec.paused) === paused) {
        this.context.stdout.write(`Schedule ${name} is already ${verb}d, skip\n`);
        continue;
      }
      await stored.update(name, (current) => {
        // Velero's omitempty: not paused is no `paused` at all.
        const spec: ScheduleSpec = { ...current.spec, paused };
        if (!paused) delete spec.paused;
        if (skipImmediately === undefined) delete spec.skipImmediately;
        else spec.skipImmediately = skipImmediately;
        return reconcileSchedule({ ...current, spec }, new Date());
      });
      const namespace = installedIn(s);
      if (namespace) await (await openInCluster(this)).setSuspended(name, namespace, paused);
      this.context.stdout.write(`Schedule ${name} ${verb}d successfully${namespace ? ` (its CronJob ${paused ? 'suspended' : 'resumed'})` : ''}\n`);
    }
    return missing.length ? 1 : 0;
  }
}
