// One field of a 5-field cron expression as Velero's cron library (robfig/cron v3, ParseStandard)
// reads it: `*` or `?`, a number or name, `a-b`, each with an optional `/step` (`5/15` is
// `5-max/15`), joined by commas. Month and day-of-week take names (jan…dec, sun…sat, any case);
// day-of-week is 0-6 with Sunday 0.

export interface FieldBounds {
  /** How the field is named in error messages. */
  name: string;
  min: number;
  max: number;
  names?: Record<string, number>;
}

export interface CronField {
  /** The values, ascending. */
  values: number[];
  /** `has[v]` is true for each value: constant-time matching. */
  has: boolean[];
  /** Written as `*` or `?` (a step over 1 clears it): what decides day-of-month/day-of-week matching. */
  star: boolean;
}

const MONTH_NAMES = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DAY_NAMES = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

export const MINUTE: FieldBounds = { name: 'minute', min: 0, max: 59 };
export const HOUR: FieldBounds = { name: 'hour', min: 0, max: 23 };
export const DAY_OF_MONTH: FieldBounds = { name: 'day-of-month', min: 1, max: 31 };
export const MONTH: FieldBounds = { name: 'month', min: 1, max: 12, names: Object.fromEntries(MONTH_NAMES.map((n, i) => [n, i + 1])) };
export const DAY_OF_WEEK: FieldBounds = { name: 'day-of-week', min: 0, max: 6, names: Object.fromEntries(DAY_NAMES.map((n, i) => [n, i])) };

/** A field that does not parse; the message names the field and what is wrong, not the whole expression. */
export class CronFieldError extends Error {}

function number(text: string, bounds: FieldBounds): number {
  const named = bounds.names?.[text.toLowerCase()];
  if (named !== undefined) return named;
  if (!/^\d+$/.test(text)) {
    const names = bounds.names ? ` or a name (${Object.keys(bounds.names).join(', ')})` : '';
    throw new CronFieldError(`${bounds.name} "${text}" is not a number${names}`);
  }
  return Number(text);
}

function inBounds(value: number, bounds: FieldBounds): number {
  if (value < bounds.min || value > bounds.max) {
    const hint = bounds === DAY_OF_WEEK && value === 7 ? ' (Sunday is 0)' : '';
    throw new CronFieldError(`${bounds.name} ${value} is out of range ${bounds.min}-${bounds.max}${hint}`);
  }
  return value;
}

/** One comma-separated part: its values and whether it is a plain star. */
function parseRange(part: string, bounds: FieldBounds): { values: number[]; star: boolean } {
  const [range = '', step, extra] = part.split('/');
  if (extra !== undefined) throw new CronFieldError(`${bounds.name} "${part}" has more than one "/"`);
  if (range === '') throw new CronFieldError(`${bounds.name} "${part}" has nothing before "/"`);
  let start: number;
  let end: number;
  let star = false;
  if (range === '*' || range === '?') {
    [start, end, star] = [bounds.min, bounds.max, true];
  } else {
    const ends = range.split('-');
    if (ends.length > 2 || ends.some((e) => e === '')) throw new CronFieldError(`${bounds.name} "${part}" is not a value or a range a-b`);
    start = inBounds(number(ends[0]!, bounds), bounds);
    end = ends.length === 2 ? inBounds(number(ends[1]!, bounds), bounds) : step !== undefined ? bounds.max : start;
    if (start > end) throw new CronFieldError(`${bounds.name} range "${range}" starts after it ends`);
  }
  let every = 1;
  if (step !== undefined) {
    if (!/^\d+$/.test(step) || Number(step) === 0) throw new CronFieldError(`${bounds.name} step "/${step}" must be a positive whole number`);
    every = Number(step);
    if (every > 1) star = false;
  }
  const values: number[] = [];
  for (let v = start; v <= end; v += every) values.push(v);
  return { values, star };
}

export function parseField(text: string, bounds: FieldBounds): CronField {
  const has: boolean[] = new Array(bounds.max + 1).fill(false);
  let star = false;
  for (const part of text.split(',')) {
    if (part === '') throw new CronFieldError(`${bounds.name} "${text}" has an empty list entry`);
    const range = parseRange(part, bounds);
    star ||= range.star;
    for (const v of range.values) has[v] = true;
  }
  const values: number[] = [];
  has.forEach((on, v) => on && values.push(v));
  return { values, has, star };
}
