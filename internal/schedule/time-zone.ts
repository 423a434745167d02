// Wall-clock time in a time zone, for cron: which local time an instant shows, and which instants
// a local time names — none in a spring-forward gap, two in an autumn repeated hour. UTC is
// computed directly; IANA zones (Europe/Paris) go through Intl, so they follow the tz database
// Node carries. Instants are milliseconds since the epoch; a wall time is whole seconds.

export interface WallTime {
  year: number;
  /** 1-12 */
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
}

export interface Zone {
  /** The IANA name, or `UTC`. */
  readonly name: string;
  /** Whether the offset never changes (no gaps, no repeats): the mapping wall → instant is one to one. */
  readonly fixed: boolean;
  wallAt(ms: number): WallTime;
  /** Offset from UTC at an instant, in milliseconds (Paris in summer: +7,200,000). */
  offsetAt(ms: number): number;
  /** The instants at which the clock shows `wall`, earliest first: none in a gap, two in a repeated hour. */
  instantsOf(wall: WallTime): number[];
  /** The first instant whose wall time is later than `wall`: for a time in a gap, the moment the clock jumps. */
  firstInstantAfter(wall: WallTime): number;
}

export class UnknownTimeZoneError extends Error {}

const DAY_MS = 86_400_000;
const QUARTER_HOUR_MS = 900_000;

/** The wall time read as if it were UTC: the number both sides of an offset are measured in. */
export function wallMs(w: WallTime): number {
  return Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
}

export function utcWall(ms: number): WallTime {
  const d = new Date(ms);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds() };
}

const UTC_ZONE: Zone = {
  name: 'UTC',
  fixed: true,
  wallAt: utcWall,
  offsetAt: () => 0,
  instantsOf: (wall) => [wallMs(wall)],
  firstInstantAfter: (wall) => wallMs(wall) + 1000,
};

class IanaZone implements Zone {
  readonly fixed = false;
  private readonly format: Intl.DateTimeFormat;

  constructor(readonly name: string) {
    this.format = new Intl.DateTimeFormat('en-US', {
      timeZone: name,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  }

  /** Offsets by quarter hour: every change of offset since 1970 falls on a quarter hour of UTC. */
  private readonly offsets = new Map<number, number>();

  private formattedWall(ms: number): WallTime {
    const w: WallTime = { year: 0, month: 0, day: 0, hour: 0, minute: 0, second: 0 };
    for (const part of this.format.formatToParts(ms)) {
      if (part.type in w) w[part.type as keyof WallTime] = Number(part.value);
    }
    return w;
  }

  wallAt(ms: number): WallTime {
    return utcWall(Math.floor(ms / 1000) * 1000 + this.offsetAt(ms));
  }

  offsetAt(ms: number): number {
    const quarter = Math.floor(ms / QUARTER_HOUR_MS);
    let offset = this.offsets.get(quarter);
    if (offset === undefined) {
      const start = quarter * QUARTER_HOUR_MS;
      offset = wallMs(this.formattedWall(start)) - start;
      // Formatting is the slow part of next-run searches; a bounded memo keeps a long-running loop small.
      if (this.offsets.size > 100_000) this.offsets.clear();
      this.offsets.set(quarter, offset);
    }
    return offset;
  }

  instantsOf(wall: WallTime): number[] {
    const base = wallMs(wall);
    // No zone changes its offset twice within a day, so the offsets a day either side are the
    // only ones this wall time can be read with.
    const offsets = new Set([this.offsetAt(base - DAY_MS), this.offsetAt(base), this.offsetAt(base + DAY_MS)]);
    const found = new Set<number>();
    for (const offset of offsets) {
      const instant = base - offset;
      if (wallMs(this.wallAt(instant)) === base) found.add(instant);
    }
    return [...found].sort((a, b) => a - b);
  }

  firstInstantAfter(wall: WallTime): number {
    const base = wallMs(wall);
    const before = this.offsetAt(base - DAY_MS);
    const after = this.offsetAt(base + DAY_MS);
    // Read with the larger offset the wall time is an instant too early, with the smaller one too
    // late (or equal, outside a gap); the jump lies between: find it to the second.
    let lo = base - Math.max(before, after);
    let hi = base - Math.min(before, after) + 1000;
    if (wallMs(this.wallAt(lo)) > base) return lo;
    while (hi - lo > 1000) {
      const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
      if (wallMs(this.wallAt(mid)) > base) hi = mid;
      else lo = mid;
    }
    return hi;
  }
}

const zones = new Map<string, Zone>([['UTC', UTC_ZONE]]);

/**
 * The zone of an IANA name (`Europe/Paris`, `America/New_York`, `UTC`), spelled as Go's
 * time.LoadLocation wants it, so a schedule means the same to a Velero server.
 */
export function timeZone(name: string): Zone {
  const known = zones.get(name);
  if (known) return known;
  if (name === 'Local') throw new UnknownTimeZoneError('time zone "Local" depends on the machine: name the zone, e.g. CRON_TZ=Europe/Paris');
  let zone: IanaZone;
  try {
    zone = new IanaZone(name);
  } catch {
    throw new UnknownTimeZoneError(`unknown time zone "${name}": use an IANA name such as Europe/Paris or America/New_York`);
  }
  const resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  if (resolved !== name && resolved.toLowerCase() === name.toLowerCase()) throw new UnknownTimeZoneError(`unknown time zone "${name}": did you mean ${resolved}?`);
  zones.set(name, zone);
  return zone;
}
