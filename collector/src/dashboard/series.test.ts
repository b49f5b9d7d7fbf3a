import { describe, expect, it } from 'vitest';
import { HOUR_MS, MAX_POINTS, mergeBuckets, planSeries, RAW_MAX_RANGE_MS, toPoints } from './series.js';

/** How many aligned buckets of `size` the range [from, to] touches (hour plans start at from's hour). */
function bucketsTouched(from: number, to: number, size: number, resolution: string): number {
  const start = resolution === 'hour' ? from - (from % HOUR_MS) : from;
  return Math.floor(to / size) - Math.floor(start / size) + 1;
}

describe('planSeries', () => {
  it('reads up to 48 hours from raw reports and longer ranges from hourly rollups', () => {
    const to = Date.UTC(2025, 0, 20, 9, 30);
    expect(planSeries(to - RAW_MAX_RANGE_MS, to).resolution).toBe('raw');
    expect(planSeries(to - RAW_MAX_RANGE_MS - 1, to).resolution).toBe('hour');
  });

  it('never lets a range touch more than MAX_POINTS buckets, whatever its length and alignment', () => {
    const spans = [1_000, 59_000, 3_600_000, 86_400_000, RAW_MAX_RANGE_MS, RAW_MAX_RANGE_MS + 1, 14 * 86_400_000];
    for (const span of [...spans, 90 * 86_400_000, 400 * 86_400_000]) {
      for (const offset of [0, 1, 999, 29 * 60_000 + 7, 59 * 60_000 + 59_999]) {
        const from = Date.UTC(2025, 0, 1) + offset;
        const plan = planSeries(from, from + span);
        expect(
          bucketsTouched(from, from + span, plan.bucketMs, plan.resolution),
          `${span} ${offset}`,
        ).toBeLessThanOrEqual(MAX_POINTS);
        expect(plan.bucketMs % (plan.resolution === 'hour' ? HOUR_MS : 1000)).toBe(0);
      }
    }
  });

  it('keeps one bucket per hour for two weeks and one per sample for an hour of minute samples', () => {
    const to = Date.UTC(2025, 0, 20);
    expect(planSeries(to - 14 * 86_400_000, to)).toEqual({ resolution: 'hour', bucketMs: HOUR_MS });
    expect(planSeries(to - HOUR_MS, to)).toEqual({ resolution: 'raw', bucketMs: 4000 });
  });
});

describe('mergeBuckets', () => {
  it('weights the averages of two sources by their counts and keeps the extremes', () => {
    const merged = mergeBuckets(
      [
        { ts: 0, avg: 10, min: 5, max: 20, count: 3 },
        { ts: HOUR_MS, avg: 1, min: 1, max: 1, count: 1 },
      ],
      [{ ts: 0, avg: 2, min: 1, max: 3, count: 1 }],
    );
    expect(merged).toEqual([
      { ts: 0, avg: 8, min: 1, max: 20, count: 4 },
      { ts: HOUR_MS, avg: 1, min: 1, max: 1, count: 1 },
    ]);
  });
});

describe('toPoints', () => {
  it('gives [ts, avg, min, max] with six significant digits', () => {
    expect(toPoints([{ ts: 5, avg: 1 / 3, min: 123456789, max: 2, count: 2 }])).toEqual([[5, 0.333333, 123457000, 2]]);
  });
});
