/**
 * Retry policy (REQ-RETRY-001..007): exponential backoff
 * base × 2ⁿ capped at 8 s with jitter; retry connection errors, 408, 429 and
 * 5xx; honour Retry-After (seconds or HTTP date) up to 60 s.
 */

export interface RetryPolicy {
  /** Retries after the first attempt (default 2). */
  maxRetries: number;
  /** Delay before the first retry, doubled for each later one (default 500 ms). */
  baseDelayMs: number;
  /** Upper bound for one backoff delay (8 s). */
  maxDelayMs: number;
  /** A Retry-After longer than this is not waited for; the error is raised (60 s). */
  maxRetryAfterMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxRetries: 2,
  baseDelayMs: 500,
  maxDelayMs: 8_000,
  maxRetryAfterMs: 60_000,
};

/**
 * Backoff before retry number `retry` (0 = first retry): "equal jitter", a
 * uniformly random value in [d/2, d] with d = min(base × 2^retry, max), so
 * clients spread out but never retry faster than half the nominal delay.
 */
export function backoffDelayMs(retry: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const nominal = Math.min(policy.baseDelayMs * 2 ** Math.max(0, retry), policy.maxDelayMs);
  return nominal / 2 + random() * (nominal / 2);
}

const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/** Statuses worth another attempt (REQ-RETRY-002); 501 and other 5xx are final. */
export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

/**
 * Parses a Retry-After header into milliseconds from `nowMs`: either
 * delta-seconds ("2", "1.5") or an HTTP date. Returns null when absent or
 * unparseable; a date in the past gives 0.
 */
export function parseRetryAfterMs(header: string | null, nowMs: number = Date.now()): number | null {
  if (header === null) return null;
  const text = header.trim();
  if (text === "") return null;
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - nowMs);
}

/**
 * Resolves after `ms`, or rejects with the signal's reason as soon as it
 * aborts (a retry wait is never a reason to ignore cancellation).
 */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
