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

  update(text: string): void {
    if (!this.tty) return;
    const now = Date.now();
    if (now - this.last < 100) return;
    this.last = now;
    this.out.write(`\r\x1b[K${text}`);
    this.shown = true;
  }

  done(): void {
    if (this.shown) this.out.write('\r\x1b[K');
    this.shown = false;
  }
}
