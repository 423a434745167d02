// An API server that stops answering in the middle of a run (restarted, upgraded, a control-plane
// node failing over) is waited for, not turned into thousands of per-object errors. The first call
// that finds it unreachable starts one shared wait: its readiness endpoint is polled until it
// answers or the reconnect timeout passes. Calls that failed meanwhile are sent again once it is
// back — a LIST page with the same continue token, a create that may already have been applied
// (the restore then finds the object and compares it) — and if it does not come back, every call
// from then on fails at once with one message, so the run ends promptly and says what it missed.
import type { BodyBuffer } from './body-buffer.ts';
import { KubeUnreachableError } from './errors.ts';
import type { KubeWriter, WriteMethod } from './http-client.ts';

export interface ReconnectOptions {
  /** How long to wait for the server to answer again; 0 gives up at the first outage. */
  timeoutMs: number;
  /** Resolves when the server is ready again (its /readyz says ok); rejects while it is not. */
  ready(): Promise<void>;
  /** Told when a wait starts and how it ends (a line on the terminal, the run's log). */
  onWait?(event: { state: 'waiting' | 'back' | 'gave-up'; server: string; cause: string; waitedMs: number }): void;
  /** Between two readiness probes. */
  pollMs?: number;
  sleep?(ms: number): Promise<void>;
  now?(): number;
}

/** Every call after the server did not come back within the timeout fails with this. */
export class ApiServerGoneError extends KubeUnreachableError {}

/** Outages one call rides out before it fails anyway (a server that flaps forever is not waited for). */
const OUTAGES_PER_CALL = 3;

export class ReconnectingClient implements KubeWriter {
  private waiting: Promise<void> | undefined;
  private gone: ApiServerGoneError | undefined;

  constructor(
    private readonly inner: KubeWriter & { describe(): string },
    private readonly options: ReconnectOptions,
  ) {}

  describe(): string {
    return this.inner.describe();
  }

  getJson<T>(path: string, query?: Record<string, string | undefined>, signal?: AbortSignal): Promise<T> {
    return this.ride(() => this.inner.getJson<T>(path, query, signal), signal);
  }

  getJsonBytes(path: string, query?: Record<string, string | undefined>, signal?: AbortSignal, into?: BodyBuffer): Promise<Buffer> {
    const inner = this.inner;
    if (!inner.getJsonBytes) return this.getJson(path, query, signal).then((body) => Buffer.from(JSON.stringify(body)));
    return this.ride(() => inner.getJsonBytes!(path, query, signal, into), signal);
  }

  sendJson<T>(method: WriteMethod, path: string, body?: unknown, query?: Record<string, string | undefined>): Promise<T> {
    return this.ride(() => this.inner.sendJson<T>(method, path, body, query));
  }

  private async ride<T>(call: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    for (let outage = 0; ; outage++) {
      if (this.gone) throw this.gone;
      try {
        return await call();
      } catch (error) {
        // Only "cannot reach it at all" is an outage; an answer (403, 404, 409, 422) is the caller's.
        if (!(error instanceof KubeUnreachableError) || error instanceof ApiServerGoneError || signal?.aborted || outage >= OUTAGES_PER_CALL) throw error;
        this.waiting ??= this.waitForServer(causeOf(error.message)).finally(() => (this.waiting = undefined));
        await this.waiting;
      }
    }
  }

  private async waitForServer(cause: string): Promise<void> {
    const { timeoutMs, pollMs = 1_000 } = this.options;
    const sleep = this.options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const now = this.options.now ?? Date.now;
    const server = this.inner.describe();
    const started = now();
    if (timeoutMs > 0) this.options.onWait?.({ state: 'waiting', server, cause, waitedMs: 0 });
    while (now() - started < timeoutMs) {
      await sleep(Math.min(pollMs, Math.max(0, timeoutMs - (now() - started))));
      try {
        await this.options.ready();
        this.options.onWait?.({ state: 'back', server, cause, waitedMs: now() - started });
        return;
      } catch {
        // still away
      }
    }
    const waited = timeoutMs > 0 ? `, and did not answer again within ${formatWait(timeoutMs)} (--api-reconnect-timeout)` : '';
    this.gone = new ApiServerGoneError(`the API server at ${server} stopped answering (${cause})${waited}`);
    this.options.onWait?.({ state: 'gave-up', server, cause, waitedMs: now() - started });
  }
}

/** The network code of an unreachable-server message ("… (ECONNREFUSED): check …"), else the message. */
function causeOf(message: string): string {
  return /\(([A-Z_]+)\)/.exec(message)?.[1] ?? message;
}

function formatWait(ms: number): string {
  const s = Math.round(ms / 1000);
  return s >= 60 && s % 60 === 0 ? `${s / 60}m` : `${s}s`;
}
