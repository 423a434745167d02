// The backup's log in logrus text format, the shape `velero backup logs` shows:
//   time="2026-11-24T10:00:00Z" level=info msg="Backing up item" backup=velero/b1 resource=pods
// A restore logs a line per item: lines are gzipped a batch at a time as they come (GzipBatches),
// so 100,000 items keep ~0.5 MB of log in memory, not ~20 MB of strings.
import { gunzipSync } from 'node:zlib';
import { GzipBatches } from '../archive/gzip-batches.ts';
import { escapeUnsafe, truncate } from '../text/quote.ts';

/** One field or message at most this long: a crafted name must not make a megabyte log line. */
const FIELD_LIMIT = 4096;

export type LogLevel = 'debug' | 'info' | 'warning' | 'error';

function quoteIfNeeded(value: string): string {
  return /^[A-Za-z0-9_./@:+-]+$/.test(value) ? value : JSON.stringify(value);
}

export class BackupLog {
  private readonly lines = new GzipBatches();

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
    this.lines.text(`${line}\n`);
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

  /** The whole log as text (tests, previews): it is all read back into memory. */
  text(): string {
    return gunzipSync(this.gzipped()).toString('utf8');
  }

  /** The whole log, gzipped: what a backup or restore stores. */
  gzipped(): Buffer {
    return this.lines.gzipped();
  }
}
