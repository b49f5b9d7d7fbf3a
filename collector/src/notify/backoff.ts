// When to try a failed notification again: exponential backoff from `initial` doubling up to
// `max`, with jitter so a receiver that comes back is not hit by every queued row at once; after
// `give_up_after` since the notification was made, it fails for good.
import type { RetryPolicy } from './config.js';

/** Wait after the `failures`-th failed attempt (1 = the first): initial × 2^(n-1), capped, ±25 % jitter. */
export function backoffDelay(failures: number, policy: Pick<RetryPolicy, 'initialMs' | 'maxMs'>, random: () => number) {
  const base = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, failures - 1));
  return Math.min(policy.maxMs, Math.round(base * (0.75 + 0.5 * random())));
}

/**
 * The next attempt's time, or null when the notification has been trying for `give_up_after`.
 * The last attempt falls exactly at the deadline rather than being skipped by a long wait.
 * A receiver's Retry-After is honoured when it asks for longer than the backoff.
 */
export function nextAttemptAt(
  now: number,
  createdAt: number,
  failures: number,
  policy: RetryPolicy,
  random: () => number,
  retryAfterMs?: number,
): number | null {
  const deadline = createdAt + policy.giveUpAfterMs;
  if (now >= deadline) return null;
  const wait = Math.max(backoffDelay(failures, policy, random), retryAfterMs ?? 0);
  return Math.min(now + wait, deadline);
}
