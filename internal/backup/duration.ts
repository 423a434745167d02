// Go's time.Duration text form, which Velero stores in specs: `720h0m0s`, `10m0s`, `1.5s`, `100ms`.
const UNIT_NS: Record<string, number> = { ns: 1, us: 1e3, 'µs': 1e3, 'μs': 1e3, ms: 1e6, s: 1e9, m: 60e9, h: 3600e9 };

export class BadDurationError extends Error {
  constructor(text: string) {
    super(`invalid duration "${text}": use a Go duration such as 720h, 24h0m0s or 90m`);
  }
}

/** Parses like time.ParseDuration; returns nanoseconds (a float is precise enough for backup TTLs). */
export function parseDuration(text: string): number {
  const s = text.trim();
  if (s === '0') return 0;
  const sign = s.startsWith('-') ? -1 : 1;
  const body = s.replace(/^[-+]/, '');
  const re = /(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h)/gy;
  let total = 0;
  let consumed = 0;
  for (let m = re.exec(body); m; m = re.exec(body)) {
    total += Number(m[1]) * UNIT_NS[m[2]!]!;
    consumed = re.lastIndex;
  }
  if (!body || consumed !== body.length) throw new BadDurationError(text);
  return sign * total;
}

function trimFraction(value: number, digits: number): string {
  return value.toFixed(digits).replace(/\.?0+$/, '');
}

/** Formats like Go's Duration.String(). */
export function formatDuration(ns: number): string {
  if (ns === 0) return '0s';
  const sign = ns < 0 ? '-' : '';
  let rest = Math.abs(ns);
  if (rest < 1e3) return `${sign}${rest}ns`;
  if (rest < 1e6) return `${sign}${trimFraction(rest / 1e3, 3)}µs`;
  if (rest < 1e9) return `${sign}${trimFraction(rest / 1e6, 6)}ms`;
  const hours = Math.floor(rest / 3600e9);
  rest -= hours * 3600e9;
  const minutes = Math.floor(rest / 60e9);
  rest -= minutes * 60e9;
  const seconds = trimFraction(rest / 1e9, 9);
  if (hours) return `${sign}${hours}h${minutes}m${seconds}s`;
  if (minutes) return `${sign}${minutes}m${seconds}s`;
  return `${sign}${seconds}s`;
}

export const nsToMs = (ns: number): number => Math.round(ns / 1e6);
