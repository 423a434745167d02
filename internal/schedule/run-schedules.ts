// One pass of `schedule run`: every schedule (or the named ones) that is due takes one backup,
// through the function the caller gives (the same engine as `backup create`), under the
// schedule's run lock, then records it as the schedule's lastBackup. Paused schedules, schedules
// whose expression is invalid and schedules not yet due take nothing; what happened to each is
// reported as it happens.
import type { Backup } from '../backup/backup-object.ts';
import { kubeTime } from '../backup/backup-object.ts';
import type { ObjectStore } from '../storage/object-store.ts';
import { parseCron } from './cron.ts';
import { dueTime } from './due.ts';
import { acquireRunLock, type LockOptions } from './run-lock.ts';
import { reconcileSchedule, type Schedule } from './schedule-object.ts';
import { type ScheduledBackup, scheduledBackup } from './scheduled-backup.ts';
import type { StoredSchedules } from './stored-schedules.ts';

export type ScheduleEvent =
  | { kind: 'taken'; schedule: string; backup: Backup }
  | { kind: 'not-due'; schedule: string; next?: Date }
  | { kind: 'paused'; schedule: string }
  | { kind: 'invalid'; schedule: string; errors: string[] }
  | { kind: 'busy'; schedule: string; holder: string }
  | { kind: 'failed'; schedule: string; error: Error }
  | { kind: 'not-found'; schedule: string };

export interface RunSchedulesInput {
  schedules: StoredSchedules;
  /** The location's store, where the run locks go. */
  store: ObjectStore;
  /** The location's name: where the schedules' backups go. */
  storageLocation: string;
  /** Only these schedules (all when empty). */
  names?: string[];
  now(): Date;
  /** Takes one backup; throws when none could even start (the schedule then stays due). */
  takeBackup(request: ScheduledBackup): Promise<Backup>;
  report(event: ScheduleEvent): void;
  /** Aborted: no further schedule is started (the backup in flight is the taker's to stop). */
  signal?: AbortSignal;
  lock?: LockOptions;
}

export interface RunOutcome {
  taken: Backup[];
  /** Backups Failed, backups that could not start, schedules failing validation, named schedules not found. */
  failures: number;
  /** The earliest time a schedule of this pass is due again; undefined when none ever is. */
  nextDue?: Date;
}

/** How soon a schedule that could not be taken (busy, failed to start) is looked at again. */
const RETRY_MS = 60_000;

export async function runDueSchedules(input: RunSchedulesInput): Promise<RunOutcome> {
  const outcome: RunOutcome = { taken: [], failures: 0 };
  const dueAgain = (at: Date | undefined) => {
    if (at && (!outcome.nextDue || at < outcome.nextDue)) outcome.nextDue = at;
  };
  const names = input.names?.length ? input.names : await input.schedules.names();
  for (const name of names) {
    if (input.signal?.aborted) break;
    try {
      await runOne(name, input, outcome, dueAgain);
    } catch (error) {
      outcome.failures++;
      dueAgain(new Date(input.now().getTime() + RETRY_MS));
      input.report({ kind: 'failed', schedule: name, error: error instanceof Error ? error : new Error(String(error)) });
    }
  }
  return outcome;
}

type Verdict = { due: true } | { due: false; event: ScheduleEvent };

/** Whether the schedule takes a backup now; a pending skipImmediately or a changed phase is saved first. */
async function assess(schedule: Schedule, input: RunSchedulesInput): Promise<{ schedule: Schedule; verdict: Verdict }> {
  const name = schedule.metadata.name;
  // Velero's controller does not look at paused schedules at all.
  if (schedule.spec.paused) return { schedule, verdict: { due: false, event: { kind: 'paused', schedule: name } } };
  const now = input.now();
  const reconciled = reconcileSchedule(schedule, now);
  if (reconciled !== schedule) schedule = (await input.schedules.update(name, (current) => reconcileSchedule(current, now))) ?? reconciled;
  if (schedule.status.phase === 'FailedValidation') return { schedule, verdict: { due: false, event: { kind: 'invalid', schedule: name, errors: schedule.status.validationErrors ?? [] } } };
  const due = dueTime(schedule, parseCron(schedule.spec.schedule));
  if (due && due.getTime() <= now.getTime()) return { schedule, verdict: { due: true } };
  return { schedule, verdict: { due: false, event: { kind: 'not-due', schedule: name, next: due } } };
}

async function runOne(name: string, input: RunSchedulesInput, outcome: RunOutcome, dueAgain: (at: Date | undefined) => void): Promise<void> {
  const found = await input.schedules.find(name);
  if (!found) {
    if (input.names?.length) outcome.failures++;
    input.report({ kind: 'not-found', schedule: name });
    return;
  }
  const first = await assess(found, input);
  if (!first.verdict.due) {
    if (first.verdict.event.kind === 'not-due') dueAgain(first.verdict.event.next);
    if (first.verdict.event.kind === 'invalid') outcome.failures++;
    input.report(first.verdict.event);
    return;
  }
  const lock = await acquireRunLock(input.store, name, input.lock);
  if ('busy' in lock) {
    dueAgain(new Date(input.now().getTime() + RETRY_MS));
    input.report({ kind: 'busy', schedule: name, holder: lock.busy });
    return;
  }
  try {
    // Under the lock, as stored now: another process may have just taken this backup and let go.
    const fresh = await input.schedules.find(name);
    const second = fresh ? await assess(fresh, input) : undefined;
    if (!second) return input.report({ kind: 'not-found', schedule: name });
    if (!second.verdict.due) {
      if (second.verdict.event.kind === 'not-due') dueAgain(second.verdict.event.next);
      return input.report(second.verdict.event);
    }
    const at = input.now();
    const backup = await input.takeBackup(scheduledBackup(second.schedule, at, input.storageLocation));
    // Taken (whatever its phase): the next one is due from now, as Velero records the time it submitted the backup.
    await input.schedules.update(name, (current) => ({ ...current, status: { ...current.status, lastBackup: kubeTime(at) } }));
    outcome.taken.push(backup);
    if (backup.status.phase === 'Failed') outcome.failures++;
    dueAgain(parseCron(second.schedule.spec.schedule).next(new Date(Date.parse(kubeTime(at)))));
    input.report({ kind: 'taken', schedule: name, backup });
  } finally {
    await lock.held.release();
  }
}
