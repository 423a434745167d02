// When a schedule's next backup is due, from its status and its cron expression, as Velero's
// schedule controller decides it — except that a schedule that never ran is due at once (Velero's
// server waits for the first slot since 1.8; a `schedule run` that first takes nothing would
// leave a new schedule without a backup until its first slot). Only the last backup (or the
// last deliberate skip) counts, never the slots in between: a machine that was off for days
// takes one catch-up backup, not one per missed slot.
import type { CronSchedule } from './cron.ts';
import type { Schedule } from './schedule-object.ts';

/** The later of lastBackup and lastSkipped; undefined when the schedule has neither. */
export function lastRunBase(schedule: Schedule): Date | undefined {
  const times = [schedule.status.lastBackup, schedule.status.lastSkipped].map((t) => (t ? Date.parse(t) : NaN)).filter((t) => Number.isFinite(t));
  return times.length ? new Date(Math.max(...times)) : undefined;
}

/**
 * When the next backup is due (possibly in the past: it is due now). A schedule that never ran
 * nor skipped is due from its creation; undefined when the expression never fires again.
 */
export function dueTime(schedule: Schedule, cron: CronSchedule): Date | undefined {
  const base = lastRunBase(schedule);
  if (!base) return new Date(Date.parse(schedule.metadata.creationTimestamp ?? '') || 0);
  return cron.next(base);
}

export function isDue(schedule: Schedule, cron: CronSchedule, now: Date): boolean {
  const due = dueTime(schedule, cron);
  return due !== undefined && due.getTime() <= now.getTime();
}
