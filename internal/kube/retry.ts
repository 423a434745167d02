// Exponential back-off with jitter for calls to the API server. Kept generic (a predicate decides
// what is transient) so listing, discovery and GETs share one policy.
export interface RetryPolicy {
  attempts: number;
  /** First delay; doubled on every retry, capped at maxDelayMs. */
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, baseDelayMs: 200, maxDelayMs: 5_000 };

export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const exp = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  // Full jitter keeps parallel listers from retrying in lock-step.
  return Math.round(exp / 2 + (random() * exp) / 2);
}

export async function withRetry<T>(
  call: (attempt: number) => Promise<T>,
  isTransient: (error: unknown) => boolean,
  policy: RetryPolicy = DEFAULT_RETRY,
  sleep: (ms: number) => Promise<void> = (ms) => new Promise((r) => setTimeout(r, ms)),
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await call(attempt);
    } catch (error) {
      if (attempt + 1 >= policy.attempts || !isTransient(error)) throw error;
      const retryAfter = (error as { retryAfterMs?: number }).retryAfterMs;
      await sleep(retryAfter ?? backoffDelay(attempt, policy));
    }
  }
}
