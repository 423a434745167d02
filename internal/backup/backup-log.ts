// The backup's log in logrus text format, the shape `velero backup logs` shows:
//   time="2026-11-24T10:00:00Z" level=info msg="Backing up item" backup=velero/b1 resource=pods
// Lines are kept in memory (a few per resource, not per item, so it stays small) and gzipped at the end.
import { gzipSync } from 'node:zlib';
import { escapeUnsafe, truncate } from '../text/quote.ts';

/** One field or message at most this long: a crafted name must not make a megabyte log line. */
const FIELD_LIMIT = 4096;

export type LogLevel = 'debug' | 'info' | 'warning' | 'error';

function quoteIfNeeded(value: string): string {
  return /^[A-Za-z0-9_./@:+-]+$/.test(value) ? value : JSON.stringify(value);
}

export class BackupLog {
  private readonly lines: string[] = [];

  constructor(
    private readonly backupRef: string,
    private readonly echo?: (line: string) => void,
    private readonly clock: () => Date = () => new Date(),
    /** The field naming the run: `backup`, or `restore` for a restore's log. */
    private readonly refKey: 'backup' | 'restore' = 'backup',
  ) {}

  log(level: LogLevel, msg: string, fields: Record<string, string | number | undefined> = {}): void {
    const time = this.clock().toISOString().replace(/\.\d{3}Z$/, 'Z');
    let line = `time="${time}" level=${level} msg=${JSON.stringify(truncate(msg, FIELD_LIMIT))} ${this.refKey}=${this.backupRef}`;
    for (const [key, value] of Object.entries(fields)) if (value !== undefined && value !== '') line += ` ${key}=${quoteIfNeeded(truncate(String(value), FIELD_LIMIT))}`;
    // JSON quoting escaped C0 controls; bidi overrides and C1 controls are made visible here.
    line = escapeUnsafe(line);
    this.lines.push(line);
    this.echo?.(line);
  }

  info(msg: string, fields?: Record<string, string | number | undefined>): void {
    this.log('info', msg, fields);
  }

  warn(msg: string, fields?: Record<string, string | number | undefined>): void {
    this.log('warning', msg, fields);
  }

  error(msg: string, fields?: Record<string, string | number | undefined>): void {
    this.log('error', msg, fields);
  }

  text(): string {
    return this.lines.length ? `${this.lines.join('\n')}\n` : '';
  }

  gzipped(): Buffer {
    return gzipSync(this.text());
  }
}
