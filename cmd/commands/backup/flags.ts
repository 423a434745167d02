// Flag parsing the backup commands share, and the progress line.
import type { Writable } from 'node:stream';

export class BadFlagValueError extends Error {}

/** Go pflag booleans: `--flag` or `--flag=true|false`; undefined when absent. */
export function parseOptionalBool(flag: string, value: string | boolean | undefined): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  if (/^(true|1|t)$/i.test(value)) return true;
  if (/^(false|0|f)$/i.test(value)) return false;
  throw new BadFlagValueError(`invalid value "${value}" for ${flag}: use true or false`);
}

/** `key=value,key2=value2` */
export function parseKeyValues(flag: string, text: string | undefined): Record<string, string> | undefined {
  if (!text) return undefined;
  const out: Record<string, string> = {};
  for (const pair of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new BadFlagValueError(`invalid ${flag} entry "${pair}": use key=value`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

/** One self-rewriting status line on a terminal (at most 10 redraws a second); silent otherwise. */
export class ProgressLine {
  private last = 0;
  private shown = false;

  constructor(
    private readonly out: Writable,
    private readonly tty: boolean,
  ) {}

  /** `text` may be a function, called only when the line is redrawn: callers update once per item. */
  update(text: string | (() => string)): void {
    if (!this.tty) return;
    const now = Date.now();
    if (now - this.last < 100) return;
    this.last = now;
    this.out.write(`\r\x1b[K${typeof text === 'string' ? text : text()}`);
    this.shown = true;
  }

  done(): void {
    if (this.shown) this.out.write('\r\x1b[K');
    this.shown = false;
  }

  /** A line that stays (on a terminal or not), above the progress line. */
  note(text: string): void {
    this.done();
    this.out.write(`${text}\n`);
  }
}

const SIZE_UNITS: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9, t: 1e12, ki: 2 ** 10, mi: 2 ** 20, gi: 2 ** 30, ti: 2 ** 40 };

/** A byte count as Kubernetes quantities write it: `8388608`, `8Mi`, `16Gi`, `500M`. */
export function parseByteSize(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const m = /^([0-9]+)(k|m|g|t|ki|mi|gi|ti)?$/i.exec(value.trim());
  const bytes = m ? Number(m[1]) * SIZE_UNITS[(m[2] ?? '').toLowerCase()]! : NaN;
  if (!Number.isSafeInteger(bytes) || bytes < 1) throw new BadFlagValueError(`invalid ${flag} "${value}": use a size such as 8Mi or 16Gi`);
  return bytes;
}

/** A whole number of at least 1. */
export function parseCount(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new BadFlagValueError(`invalid ${flag} "${value}": use a whole number of at least 1`);
  return n;
}
