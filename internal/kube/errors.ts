// Failures the API server can answer with, as one error class that keeps the HTTP status so
// callers can tell "not allowed" (a warning in a backup) from "not there" and from "broken".
export class KubeApiError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly path: string,
    message: string,
  ) {
    super(message);
  }

  get isForbidden(): boolean {
    return this.status === 403;
  }

  get isNotFound(): boolean {
    return this.status === 404;
  }

  /** The continue token of a paginated list expired (410 Gone). */
  get isExpired(): boolean {
    return this.status === 410;
  }
}

/** The API server could not be reached at all (refused, DNS, TLS); says what to check. */
export class KubeUnreachableError extends Error {}

/** Builds a KubeApiError from a Status body (or whatever text came back). */
export function apiErrorFrom(status: number, path: string, body: string): KubeApiError {
  let reason = '';
  let message = body.trim().slice(0, 300) || `HTTP ${status}`;
  try {
    const parsed = JSON.parse(body) as { reason?: string; message?: string };
    reason = parsed.reason ?? '';
    if (parsed.message) message = parsed.message;
  } catch {
    // not a Status object: keep the raw text
  }
  return new KubeApiError(status, reason, path, message);
}

/** Transient answers worth retrying: throttling and server-side hiccups. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

const RETRYABLE_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND', 'UND_ERR_SOCKET']);

/** Network errors worth retrying (a connection reset mid-list, an API server restarting). */
export function isRetryableNetworkError(error: unknown): boolean {
  const code = (error as { code?: string } | undefined)?.code;
  return code !== undefined && RETRYABLE_CODES.has(code);
}
