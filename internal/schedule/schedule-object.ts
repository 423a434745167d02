// The velero.io/v1 Schedule we keep in the storage location: Velero's spec (a cron expression and
// a Backup spec as the template) and status (phase, last backup, last skip), and what Velero's
// schedule controller does to it before deciding anything (reconcileSchedule).
import { randomUUID } from 'node:crypto';
import { type BackupSpec, kubeTime } from '../backup/backup-object.ts';
import { quoteUntrusted } from '../text/quote.ts';
import { BadCronError, parseCron } from './cron.ts';

export const SCHEDULE_NAME_LABEL = 'velero.io/schedule-name';

export type SchedulePhase = 'New' | 'Enabled' | 'FailedValidation';

export interface ScheduleSpec {
  template: BackupSpec;
  schedule: string;
  useOwnerReferencesInBackup?: boolean;
  paused?: boolean;
  skipImmediately?: boolean;
}

export interface ScheduleStatus {
  phase?: SchedulePhase;
  /** When the last backup was taken (RFC 3339, UTC): the base of the next due time. */
  lastBackup?: string;
  /** When a due backup was last skipped on purpose (skipImmediately). */
  lastSkipped?: string;
  validationErrors?: string[];
}

export interface Schedule {
  apiVersion: 'velero.io/v1';
  kind: 'Schedule';
  metadata: {
    name: string;
    namespace: string;
    uid?: string;
    creationTimestamp?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  spec: ScheduleSpec;
  status: ScheduleStatus;
}

export class InvalidScheduleNameError extends Error {}

/**
 * A Kubernetes object name that also fits in a label value (63 characters), since every backup
 * of the schedule carries it as velero.io/schedule-name, which `restore create --from-schedule` matches.
 */
export function scheduleNameProblem(name: string): string | undefined {
  if (name.length > 63) return 'at most 63 characters (it labels every backup of the schedule)';
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(name)) return 'use lower-case letters, digits, "-" and ".", starting and ending with a letter or digit';
  return undefined;
}

export function checkScheduleName(name: string): string {
  const problem = scheduleNameProblem(name);
  if (problem) throw new InvalidScheduleNameError(`invalid schedule name ${quoteUntrusted(name, 70)}: ${problem}`);
  return name;
}

export interface NewScheduleInput {
  name: string;
  namespace: string;
  cron: string;
  template: BackupSpec;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  paused?: boolean;
  skipImmediately?: boolean;
  useOwnerReferencesInBackup?: boolean;
  now: Date;
}

/** A new Schedule as `velero schedule create` makes it, already past the controller's first look. */
export function newSchedule(input: NewScheduleInput): Schedule {
  const schedule: Schedule = {
    apiVersion: 'velero.io/v1',
    kind: 'Schedule',
    metadata: {
      name: checkScheduleName(input.name),
      namespace: input.namespace,
      uid: randomUUID(),
      creationTimestamp: kubeTime(input.now),
      ...(input.labels && Object.keys(input.labels).length ? { labels: input.labels } : {}),
      ...(input.annotations && Object.keys(input.annotations).length ? { annotations: input.annotations } : {}),
    },
    spec: {
      template: input.template,
      schedule: input.cron,
      // Velero's CLI always writes it; `paused` is omitted when false (omitempty).
      useOwnerReferencesInBackup: input.useOwnerReferencesInBackup ?? false,
      ...(input.paused ? { paused: true } : {}),
      ...(input.skipImmediately !== undefined ? { skipImmediately: input.skipImmediately } : {}),
    },
    status: {},
  };
  return reconcileSchedule(schedule, input.now);
}

/**
 * What Velero's schedule controller does before it looks at due times: a pending skipImmediately
 * becomes lastSkipped = now (and is reset to false), and the phase says whether the cron
 * expression is valid. Returns the schedule unchanged (the same object) when there is nothing to do.
 */
export function reconcileSchedule(schedule: Schedule, now: Date): Schedule {
  let errors: string[] = [];
  try {
    parseCron(schedule.spec.schedule ?? '');
  } catch (error) {
    if (!(error instanceof BadCronError)) throw error;
    errors = [error.message];
  }
  const phase: SchedulePhase = errors.length ? 'FailedValidation' : 'Enabled';
  const skip = schedule.spec.skipImmediately === true;
  const sameErrors = JSON.stringify(schedule.status.validationErrors ?? []) === JSON.stringify(errors);
  if (!skip && schedule.status.phase === phase && sameErrors) return schedule;
  const status: ScheduleStatus = { ...schedule.status, phase };
  if (errors.length) status.validationErrors = errors;
  else delete status.validationErrors;
  if (skip) status.lastSkipped = kubeTime(now);
  return { ...schedule, spec: skip ? { ...schedule.spec, skipImmediately: false } : schedule.spec, status };
}

/** Velero's Schedule.TimestampedName: `<schedule>-<yyyyMMddHHmmss>` in UTC. */
export function timestampedName(schedule: string, at: Date): string {
  return `${schedule}-${at.toISOString().slice(0, 19).replace(/[-T:]/g, '')}`;
}
