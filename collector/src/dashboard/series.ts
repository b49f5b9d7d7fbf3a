// How a chart's range is read: raw reports for short ranges, hourly rollups for long ones, and
// buckets sized so that a chart never gets more than MAX_POINTS points, whatever the range.
import type { Bucket } from '../store/sqlite-series.js';

export const HOUR_MS = 3_600_000;
/** Ranges up to this are read from raw reports (kept 14 days by default); longer ones from rollups. */
export const RAW_MAX_RANGE_MS = 48 * HOUR_MS;
/** About one point per pixel of a wide chart; uPlot draws this many in well under a frame. */
export const MAX_POINTS = 1000;

export type Resolution = 'raw' | 'hour';

export interface SeriesPlan {
  resolution: Resolution;
  /** Bucket size: whole seconds for raw, whole hours for rollups. */
  bucketMs: number;
}

/**
 * Aligned buckets of size b over a range of length L touch at most ceil(L / b) + 1 buckets, so
 * b ≥ L / (MAX_POINTS - 1) keeps the count within MAX_POINTS.
 */
export function planSeries(from: number, to: number): SeriesPlan {
  const span = Math.max(0, to - from);
  if (span <= RAW_MAX_RANGE_MS) {
    return { resolution: 'raw', bucketMs: Math.max(1, Math.ceil(span / (MAX_POINTS - 1) / 1000)) * 1000 };
  }
  // Hours are read from the start of the hour `from` falls in, hence the extra hour.
  return {
    resolution: 'hour',
    bucketMs: Math.max(1, Math.ceil((span + HOUR_MS) / (MAX_POINTS - 1) / HOUR_MS)) * HOUR_MS,
  };
}

/** Buckets of two sources (rollups and the raw hours not rolled up yet) as one, count-weighted where both have one. */
export function mergeBuckets(a: readonly Bucket[], b: readonly Bucket[]): Bucket[] {
  const byTs = new Map<number, Bucket>();
  for (const bucket of [...a, ...b]) {
    const had = byTs.get(bucket.ts);
    if (!had) {
      byTs.set(bucket.ts, { ...bucket });
      continue;
    }
    const count = had.count + bucket.count;
    had.avg = (had.avg * had.count + bucket.avg * bucket.count) / count;
    had.min = Math.min(had.min, bucket.min);
    had.max = Math.max(had.max, bucket.max);
    had.count = count;
  }
  return [...byTs.values()].sort((x, y) => x.ts - y.ts);
}

/** Six significant digits: more than a chart can show, far fewer bytes than a float's seventeen. */
function round(value: number): number {
  return Number(value.toPrecision(6));
}

/** [ts, avg, min, max] per bucket: the shape uPlot and most chart libraries take column by column. */
export function toPoints(buckets: readonly Bucket[]): [number, number, number, number][] {
  return buckets.map((b) => [b.ts, round(b.avg), round(b.min), round(b.max)]);
}
