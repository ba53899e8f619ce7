/**
 * Retry schedule of webhook deliveries: exponential from `baseMs` (10 s), doubling per attempt, each
 * wait capped at `capMs` (12 h); WEBHOOK_ATTEMPTS attempts span about three days, so a receiver that is
 * down over a weekend still gets every alert. Deterministic (no jitter): the queue spreads load itself
 * and the schedule stays predictable for operators.
 */
export const WEBHOOK_ATTEMPTS = 18;
export const WEBHOOK_BACKOFF_BASE_MS = 10_000;
export const WEBHOOK_BACKOFF_CAP_MS = 12 * 3600 * 1000;

/** Wait before the next attempt after `attemptsMade` failed attempts (1-based). */
export function webhookBackoffMs(attemptsMade: number, baseMs = WEBHOOK_BACKOFF_BASE_MS, capMs = WEBHOOK_BACKOFF_CAP_MS): number {
  const exponent = Math.min(Math.max(attemptsMade - 1, 0), 40);
  return Math.min(baseMs * 2 ** exponent, capMs);
}

/** Time from the first attempt to the last with the default schedule. */
export function webhookRetrySpanMs(attempts = WEBHOOK_ATTEMPTS, baseMs = WEBHOOK_BACKOFF_BASE_MS, capMs = WEBHOOK_BACKOFF_CAP_MS): number {
  let total = 0;
  for (let made = 1; made < attempts; made++) total += webhookBackoffMs(made, baseMs, capMs);
  return total;
}
