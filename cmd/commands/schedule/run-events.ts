// What `schedule run` says about each schedule it looked at: one line each, on stdout, errors on
// stderr. With --loop the same state is not repeated every minute: only what changed, and every
// backup taken or failed.
import type { Writable } from 'node:stream';
import type { ScheduleEvent } from '../../../internal/schedule/run-schedules.ts';
import { safeLine } from '../../../internal/text/quote.ts';
import { goTime } from '../backup/format-backup.ts';

export function eventLine(event: ScheduleEvent): { stream: 'stdout' | 'stderr'; text: string } | undefined {
  const s = `Schedule "${event.schedule}"`;
  switch (event.kind) {
    case 'taken':
      // runOneBackup's summary has said it all.
      return undefined;
    case 'not-due':
      return { stream: 'stdout', text: event.next ? `${s} is not due: next backup at ${goTime(event.next.toISOString())}.` : `${s} is not due: its expression fires no more.` };
    case 'paused':
      return { stream: 'stdout', text: `${s} is paused, skip.` };
    case 'busy':
      return { stream: 'stdout', text: `${s} is being taken by another schedule run (${event.holder}): skip.` };
    case 'invalid':
      return { stream: 'stderr', text: `error: schedule "${event.schedule}" failed validation: ${event.errors.join('; ')}` };
    case 'not-found':
      return { stream: 'stderr', text: `error: schedule "${event.schedule}" not found: see kubectl velero schedule get` };
    case 'failed':
      return { stream: 'stderr', text: `error: schedule "${event.schedule}": ${event.error.message}` };
  }
}

/** Prints events; `quiet` repeats (same kind for the same schedule as last time) are left out. */
export function eventPrinter(out: { stdout: Writable; stderr: Writable }, quietRepeats: boolean): (event: ScheduleEvent) => void {
  const last = new Map<string, string>();
  return (event) => {
    const line = eventLine(event);
    const repeat = last.get(event.schedule) === event.kind && event.kind !== 'failed' && event.kind !== 'taken';
    last.set(event.schedule, event.kind);
    if (!line || (quietRepeats && repeat)) return;
    out[line.stream].write(`${safeLine(line.text)}\n`);
  };
}
