import { describe, expect, it } from 'vitest';
import { fitLine, forecastFull } from './forecast.js';
import type { SeriesPoint } from './types.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const GB = 1e9;
const T0 = Date.UTC(2025, 0, 6, 0, 0);

/** One point a minute from `start` for `hours`, free bytes given by `f(hoursSinceStart)`. */
function series(start: number, hours: number, f: (h: number) => number): SeriesPoint[] {
  const out: SeriesPoint[] = [];
  for (let m = 0; m <= hours * 60; m++) out.push({ ts: start + m * MIN, value: f(m / 60) });
  return out;
}

describe('fitLine', () => {
  it('fits the least-squares line with x measured from the last point', () => {
    // x = 0,1,2,3 ms; y = 1,3,2,5: slope 5.5 / 5 = 1.1; fitted at x = 3: 2.75 + 1.1 × 1.5 = 4.4.
    const line = fitLine([
      { ts: T0, value: 1 },
      { ts: T0 + 1, value: 3 },
      { ts: T0 + 2, value: 2 },
      { ts: T0 + 3, value: 5 },
    ]);
    expect(line?.slope).toBeCloseTo(1.1, 12);
    expect(line?.intercept).toBeCloseTo(4.4, 12);
    expect(line).toMatchObject({ origin: T0 + 3, points: 4 });
  });

  it('reads the line at a given origin', () => {
    const line = fitLine(
      [
        { ts: T0, value: 100 },
        { ts: T0 + HOUR, value: 90 },
      ],
      T0 + 3 * HOUR,
    );
    expect(line?.slope).toBeCloseTo(-10 / HOUR, 15);
    expect(line?.intercept).toBeCloseTo(70, 9);
  });

  it('keeps the slope of a nearly flat terabyte disk (1 MB/h on 4 TB)', () => {
    const line = fitLine(series(T0, 24, (h) => 4e12 - 1e6 * h));
    expect(((line?.slope ?? 0) * HOUR) / -1e6).toBeCloseTo(1, 4);
  });

  it('has no line through fewer than two distinct times', () => {
    expect(fitLine([])).toBeUndefined();
    expect(fitLine([{ ts: T0, value: 1 }])).toBeUndefined();
    expect(
      fitLine([
        { ts: T0, value: 1 },
        { ts: T0, value: 2 },
      ]),
    ).toBeUndefined();
  });

  it('stays exact on terabyte values at epoch-ms times', () => {
    const points = series(T0, 24, (h) => 4e12 - 0.5 * GB * h);
    const line = fitLine(points);
    expect((line?.slope ?? 0) * HOUR).toBeCloseTo(-0.5 * GB, 0);
    expect(line?.intercept).toBeCloseTo(4e12 - 12 * GB, 0);
  });
});

describe('forecastFull', () => {
  const opts = { windowMs: 24 * HOUR, minDataMs: 12 * HOUR };

  it('a disk losing 1 GB/h with 38 GB left at now is full in 38 h', () => {
    const points = series(T0, 12, (h) => 50 * GB - h * GB);
    const now = T0 + 12 * HOUR;
    const f = forecastFull(points, { ...opts, now });
    expect(f).toBeDefined();
    expect(f?.slope_bytes_per_hour).toBeCloseTo(-GB, 0);
    expect(f?.fitted_free_bytes).toBeCloseTo(38 * GB, 0);
    expect(f?.hours_left).toBeCloseTo(38, 6);
    expect(f?.full_at).toBe(now + 38 * HOUR);
    expect(f).toMatchObject({ window_ms: 24 * HOUR, data_span_ms: 12 * HOUR });
  });

  it('fits only the points inside the window', () => {
    // Flat for two days, then 2 GB/h for the last 6 h: a 6 h window sees only the fall.
    const flat = series(T0, 48, () => 80 * GB);
    const start = T0 + 48 * HOUR + MIN;
    const falling = series(start, 6, (h) => 80 * GB - 2 * GB * (h + 1 / 60));
    const now = start + 6 * HOUR;
    const f = forecastFull([...flat, ...falling], { now, windowMs: 6 * HOUR, minDataMs: 3 * HOUR });
    expect(f?.slope_bytes_per_hour).toBeCloseTo(-2 * GB, 0);
    expect(f?.fitted_free_bytes).toBeCloseTo(80 * GB - 2 * GB * (6 + 1 / 60), 0);
    expect(f?.data_span_ms).toBe(6 * HOUR);
  });

  it('ignores points after now', () => {
    const points = series(T0, 13, (h) => (h <= 12 ? 50 * GB - h * GB : 100 * GB));
    const f = forecastFull(points, { ...opts, now: T0 + 12 * HOUR });
    expect(f?.hours_left).toBeCloseTo(38, 6);
  });

  it('has no forecast before the minimum data span', () => {
    const points = series(T0, 11.9, (h) => 50 * GB - h * GB);
    expect(forecastFull(points, { ...opts, now: T0 + 11.9 * HOUR })).toBeUndefined();
  });

  it('has no forecast from fewer than 10 points, however long they span', () => {
    const points = Array.from({ length: 9 }, (_, i) => ({ ts: T0 + i * 2 * HOUR, value: 50 * GB - i * GB }));
    expect(forecastFull(points, { ...opts, now: T0 + 16 * HOUR })).toBeUndefined();
    const ten = [...points, { ts: T0 + 17 * HOUR, value: 40 * GB }];
    expect(forecastFull(ten, { ...opts, now: T0 + 17 * HOUR })).toBeDefined();
  });

  it('has no forecast for a flat or growing free space', () => {
    const now = T0 + 12 * HOUR;
    expect(
      forecastFull(
        series(T0, 12, () => 5 * GB),
        { ...opts, now },
      ),
    ).toBeUndefined();
    expect(
      forecastFull(
        series(T0, 12, (h) => 5 * GB + h),
        { ...opts, now },
      ),
    ).toBeUndefined();
  });

  it('a line already below zero at now says 0 hours left', () => {
    const points = series(T0, 12, (h) => 12 * GB - h * GB);
    const now = T0 + 20 * HOUR;
    const f = forecastFull(points, { ...opts, now });
    expect(f?.fitted_free_bytes).toBeCloseTo(-8 * GB, 0);
    expect(f?.hours_left).toBe(0);
    expect(f?.full_at).toBe(now);
  });
});
