/**
 * When to try a request again, and how long to wait first: exponential backoff with full jitter (a random delay
 * between 0 and base * 2^(n-1), capped), which spreads the retries of many clients instead of synchronizing them;
 * and `Retry-After` (RFC 9110 §10.2.3) on 429 and 503, honoured only up to a bound, so that no request waits
 * longer than a client would.
 */

export interface RetryOptions {
  /** Attempts in all, the first included; default 3. */
  attempts?: number;
  /** Default 200 ms. */
  baseDelayMs?: number;
  /** Default 5 s. */
  maxDelayMs?: number;
  /** The longest `Retry-After` we wait for; a longer one fails the request at once. Default 10 s. */
  maxRetryAfterMs?: number;
  /** [0, 1); injectable for tests. */
  random?: () => number;
}

export interface RetryPolicy {
  attempts: number;
  maxRetryAfterMs: number;
  /** The wait before attempt `attempt + 1`, after attempt `attempt` (1-based) failed. */
  backoff(attempt: number): number;
}

export function retryPolicy(options: RetryOptions = {}): RetryPolicy {
  const attempts = Math.max(1, Math.floor(options.attempts ?? 3));
  const base = Math.max(0, options.baseDelayMs ?? 200);
  const cap = Math.max(0, options.maxDelayMs ?? 5_000);
  const random = options.random ?? Math.random;
  return {
    attempts,
    maxRetryAfterMs: Math.max(0, options.maxRetryAfterMs ?? 10_000),
    backoff: (attempt) => Math.floor(random() * Math.min(cap, base * 2 ** (attempt - 1))),
  };
}

/** Statuses that say "try again later" (RFC 9110: 502, 503, 504; RFC 6585: 429). 500 is a fault, not a pause. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 502 || status === 503 || status === 504;
}

/** `Retry-After` in milliseconds from `now`: delay-seconds or an HTTP date; null when absent or unreadable. */
export function retryAfterMs(value: string | undefined, now: number): number | null {
  if (value === undefined) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  // An HTTP date names its month (RFC 9110 §5.6.7); this keeps `-1` or `1.5` from parsing as years.
  const date = /[a-z]/i.test(text) ? Date.parse(text) : NaN;
  return Number.isFinite(date) ? Math.max(0, date - now) : null;
}
