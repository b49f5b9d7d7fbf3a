import { describe, expect, it } from 'vitest';
import { backoffDelay, nextAttemptAt } from './backoff.js';

const policy = { initialMs: 30_000, maxMs: 30 * 60_000, giveUpAfterMs: 24 * 3_600_000 };
const middle = () => 0.5;

describe('backoff', () => {
  it('doubles from the initial wait up to the maximum', () => {
    expect([1, 2, 3, 4, 5, 6, 7, 8].map((n) => backoffDelay(n, policy, middle))).toEqual([
      30_000, 60_000, 120_000, 240_000, 480_000, 960_000, 1_800_000, 1_800_000,
    ]);
  });

  it('spreads retries by up to a quarter either way, never beyond the maximum', () => {
    expect(backoffDelay(1, policy, () => 0)).toBe(22_500);
    expect(backoffDelay(1, policy, () => 0.999999)).toBe(37_500);
    expect(backoffDelay(20, policy, () => 0.999999)).toBe(1_800_000);
    expect(backoffDelay(20, policy, () => 0)).toBe(1_350_000);
  });

  it('honours a longer Retry-After, tries last exactly at the deadline, then gives up', () => {
    expect(nextAttemptAt(0, 0, 1, policy, middle, 300_000)).toBe(300_000);
    expect(nextAttemptAt(0, 0, 1, policy, middle, 1000)).toBe(30_000);
    const nearEnd = policy.giveUpAfterMs - 10_000;
    expect(nextAttemptAt(nearEnd, 0, 40, policy, middle)).toBe(policy.giveUpAfterMs);
    expect(nextAttemptAt(policy.giveUpAfterMs, 0, 41, policy, middle)).toBeNull();
  });
});
