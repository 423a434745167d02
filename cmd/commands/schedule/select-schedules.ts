// Which schedules a command acts on, as Velero's schedule commands choose them: the names given,
// or those whose labels match --selector, or (where the command allows it) all of them.
import { parseLabelSelector, selectorMatches } from '../../../internal/backup/label-selector.ts';
import type { Schedule } from '../../../internal/schedule/schedule-object.ts';
import { ScheduleNotFoundError, type StoredSchedules } from '../../../internal/schedule/stored-schedules.ts';
import { BadFlagValueError } from '../backup/flags.ts';

export interface Selection {
  names: string[];
  selector?: string;
  all?: boolean;
  /** pause, unpause, delete: nothing given is an error, not "every schedule". */
  explicit: boolean;
  /** The command, for the error message. */
  command: string;
}

export interface Selected {
  schedules: Schedule[];
  /** Named schedules that do not exist, as one-line errors. */
  missing: string[];
}

export async function selectSchedules(stored: StoredSchedules, sel: Selection): Promise<Selected> {
  const given = [sel.names.length > 0, sel.selector !== undefined, Boolean(sel.all)].filter(Boolean).length;
  if (given > 1) throw new BadFlagValueError(`give schedule names, --selector or --all, not several: kubectl velero schedule ${sel.command} NAME…`);
  if (sel.explicit && given === 0) throw new BadFlagValueError(`give schedule names, --selector or --all: kubectl velero schedule ${sel.command} NAME…`);
  if (sel.names.length) {
    const schedules: Schedule[] = [];
    const missing: string[] = [];
    for (const name of sel.names) {
      const found = await stored.find(name);
      if (found) schedules.push(found);
      else missing.push(new ScheduleNotFoundError(name, stored.describe()).message);
    }
    return { schedules, missing };
  }
  const all = await stored.list();
  if (sel.selector === undefined) return { schedules: all, missing: [] };
  const selector = parseLabelSelector(sel.selector);
  return { schedules: all.filter((s) => selectorMatches(selector, s.metadata.labels)), missing: [] };
}
