// Schedules as Velero's `--schedule` takes them (robfig/cron's standard parser): five fields
// (minute hour day-of-month month day-of-week), the descriptors @yearly/@annually, @monthly,
// @weekly, @daily/@midnight, @hourly, `@every <Go duration>`, and a `CRON_TZ=Area/City ` or
// `TZ=Area/City ` prefix. Without a prefix the fields are read in UTC, as on Velero's server.
//
// Daylight saving, where robfig/cron skips or doubles runs, follows Vixie cron instead:
// - a time the clock skips (02:30 on a spring-forward night) runs once, when the clock jumps;
// - a time the clock shows twice (01:30 on an autumn night) runs once, the first time;
// - but a schedule whose hour is `*` (@hourly, `*/10 * * * *`) runs by elapsed time: every real
//   hour, nothing for the hour that does not exist, both passes through the repeated one.
import { BadDurationError, nsToMs, parseDuration } from '../backup/duration.ts';
import { CronFieldError, type CronField, DAY_OF_MONTH, DAY_OF_WEEK, HOUR, MINUTE, MONTH, parseField } from './cron-fields.ts';
import { timeZone, UnknownTimeZoneError, type WallTime, wallMs, type Zone } from './time-zone.ts';

export interface CronSchedule {
  /** The expression as given. */
  readonly text: string;
  /** The zone the fields are read in (`UTC` unless CRON_TZ/TZ says otherwise). */
  readonly zone: string;
  /** The first run strictly after `after`; undefined when there is none within ten years. */
  next(after: Date): Date | undefined;
}

/** An expression that does not parse: one line saying what is wrong. */
export class BadCronError extends Error {
  constructor(text: string, why: string) {
    super(`invalid schedule "${text}": ${why}`);
  }
}

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};

/** Wide enough for any daylight-saving shift (at most two hours): walls this far apart never swap order. */
const SHIFT_MARGIN_MS = 3 * 3_600_000;
const SEARCH_DAYS = 3_700;
const DAY_MS = 86_400_000;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

interface Fields {
  minute: CronField;
  hour: CronField;
  dom: CronField;
  month: CronField;
  dow: CronField;
}

export function parseCron(text: string): CronSchedule {
  let rest = text.trim();
  if (rest === '') throw new BadCronError(text, 'it is empty: give five fields (minute hour day-of-month month day-of-week) or a descriptor such as @daily');
  let zoneName = 'UTC';
  const prefix = /^(CRON_TZ|TZ)=(\S*)(\s+|$)/.exec(rest);
  if (prefix) {
    zoneName = prefix[2]!;
    rest = rest.slice(prefix[0].length);
    if (!zoneName) throw new BadCronError(text, `${prefix[1]}= names no time zone`);
    if (!rest) throw new BadCronError(text, `nothing follows ${prefix[1]}=${zoneName}`);
  }
  let zone: Zone;
  try {
    zone = timeZone(zoneName);
  } catch (error) {
    if (error instanceof UnknownTimeZoneError) throw new BadCronError(text, error.message);
    throw error;
  }
  if (/^@every(\s|$)/.test(rest)) return everySchedule(text, rest, zoneName);
  if (rest.startsWith('@')) {
    const expansion = DESCRIPTORS[rest];
    if (!expansion) throw new BadCronError(text, `unknown descriptor "${rest}": use ${Object.keys(DESCRIPTORS).join(', ')} or @every <duration>`);
    rest = expansion;
  }
  const parts = rest.split(/\s+/);
  if (parts.length !== 5) throw new BadCronError(text, `expected 5 fields (minute hour day-of-month month day-of-week), found ${parts.length}`);
  let fields: Fields;
  try {
    const [minute, hour, dom, month, dow] = parts as [string, string, string, string, string];
    fields = { minute: parseField(minute, MINUTE), hour: parseField(hour, HOUR), dom: parseField(dom, DAY_OF_MONTH), month: parseField(month, MONTH), dow: parseField(dow, DAY_OF_WEEK) };
  } catch (error) {
    if (error instanceof CronFieldError) throw new BadCronError(text, error.message);
    throw error;
  }
  if (!everRuns(fields)) throw new BadCronError(text, 'it never runs: none of its months has any of its days of the month');
  return { text, zone: zoneName, next: (after) => nextRun(fields, zone, after.getTime()) };
}

/** `@every 6h`: a constant interval from the second of the last run, in no zone (robfig's ConstantDelaySchedule). */
function everySchedule(text: string, rest: string, zone: string): CronSchedule {
  const duration = rest.slice('@every'.length).trim();
  if (!duration) throw new BadCronError(text, '@every needs a duration, e.g. @every 6h or @every 90m');
  let ms: number;
  try {
    ms = nsToMs(parseDuration(duration));
  } catch (error) {
    if (error instanceof BadDurationError) throw new BadCronError(text, `"${duration}" is not a Go duration such as 6h, 90m or 2h30m`);
    throw error;
  }
  if (ms <= 0) throw new BadCronError(text, `@every needs a positive duration, not "${duration}"`);
  // Whole seconds, at least one, as robfig/cron rounds.
  const delay = Math.max(1000, Math.floor(ms / 1000) * 1000);
  return { text, zone, next: (after) => new Date(Math.floor(after.getTime() / 1000) * 1000 + delay) };
}

/** Day-of-month and day-of-week: both restricted means either matches; otherwise both must (robfig's rule). */
function dayMatches(f: Fields, dom: number, dow: number): boolean {
  if (f.dom.star || f.dow.star) return f.dom.has[dom]! && f.dow.has[dow]!;
  return f.dom.has[dom]! || f.dow.has[dow]!;
}

function everRuns(f: Fields): boolean {
  if (!f.dom.star && !f.dow.star) return true;
  return f.month.values.some((m) => f.dom.values.some((d) => d <= DAYS_IN_MONTH[m - 1]!));
}

/** The wall times the fields match, ascending, from `start` (its minute included). */
function* matchingWalls(f: Fields, start: WallTime): Generator<WallTime> {
  const first = Date.UTC(start.year, start.month - 1, start.day);
  for (let day = first; day < first + SEARCH_DAYS * DAY_MS; day += DAY_MS) {
    const d = new Date(day);
    const [year, month, dom] = [d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()];
    if (!f.month.has[month] || !dayMatches(f, dom, d.getUTCDay())) continue;
    for (const hour of f.hour.values) {
      if (day === first && hour < start.hour) continue;
      for (const minute of f.minute.values) {
        if (day === first && hour === start.hour && minute < start.minute) continue;
        yield { year, month, day: dom, hour, minute, second: 0 };
      }
    }
  }
}

/** When a matching wall time runs: see the daylight-saving rules at the top. */
function runInstants(f: Fields, zone: Zone, wall: WallTime): number[] {
  const instants = zone.instantsOf(wall);
  if (f.hour.star) return instants;
  if (instants.length === 0) return [zone.firstInstantAfter(wall)];
  return instants.slice(0, 1);
}

function nearShift(zone: Zone, ms: number): boolean {
  return !zone.fixed && zone.offsetAt(ms - SHIFT_MARGIN_MS) !== zone.offsetAt(ms + SHIFT_MARGIN_MS);
}

function nextRun(f: Fields, zone: Zone, after: number): Date | undefined {
  // Near a shift, a wall time a little earlier than now can still be ahead (the repeated hour),
  // and a later one can come sooner: look a margin either side there.
  const start = zone.wallAt(after - (nearShift(zone, after) ? SHIFT_MARGIN_MS : 0));
  let best: number | undefined;
  let stopAfterWall = Infinity;
  for (const wall of matchingWalls(f, start)) {
    if (wallMs(wall) > stopAfterWall) break;
    for (const instant of runInstants(f, zone, wall)) {
      if (instant <= after || (best !== undefined && instant >= best)) continue;
      best = instant;
      if (stopAfterWall === Infinity) stopAfterWall = wallMs(wall) + (nearShift(zone, instant) ? SHIFT_MARGIN_MS : 0);
    }
  }
  return best === undefined ? undefined : new Date(best);
}
