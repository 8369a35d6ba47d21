/**
 * When to try a request again: exponential back-off with jitter, and the server's
 * `Retry-After` (RFC 9110 section 10.2.3: seconds, or an HTTP date) when it says more. Pure.
 */

export const BACKOFF_BASE_MS = 500;
export const BACKOFF_CAP_MS = 30_000;

/**
 * Delay before retry number `retry` (0 for the first retry): base * 2^retry capped, times a
 * jitter factor in [0.5, 1) ("equal jitter", so clients that failed together do not retry
 * together), and never less than what the server asked for.
 */
export function backoffMs(retry: number, random: number, retryAfterMs?: number): number {
  const exp = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** retry);
  const jittered = Math.round(exp * (0.5 + random / 2));
  return Math.max(jittered, retryAfterMs ?? 0);
}

/** `Retry-After` in milliseconds from `nowMs`, or undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (value === null || value === undefined || value.trim() === "") return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** HTTP statuses worth another try: rate limited, or a server-side failure. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status >= 500;
}
