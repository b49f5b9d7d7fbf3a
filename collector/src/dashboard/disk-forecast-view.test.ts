import { describe, expect, it } from 'vitest';
import type { Forecast, SeriesPoint } from '../alerting/types.js';
import {
  FIT_BELOW_FREE_PERCENT,
  FIT_MAX_HORIZON_MS,
  fitForecast,
  forecastLine,
  forecastView,
} from './disk-forecast-view.js';

const HOUR = 3_600_000;
const NOW = Date.UTC(2025, 0, 20, 9, 30);
const forecast: Forecast = {
  full_at: NOW + 50 * HOUR,
  hours_left: 50,
  slope_bytes_per_hour: -1e9,
  fitted_free_bytes: 50e9,
  window_ms: 24 * HOUR,
  data_span_ms: 24 * HOUR,
};

/** A point a minute over `hours` before NOW, free bytes from `free(t)` (t in hours before NOW). */
function series(hours: number, free: (hoursBefore: number) => number): SeriesPoint[] {
  const points: SeriesPoint[] = [];
  for (let t = NOW - hours * HOUR; t <= NOW; t += 60_000) points.push({ ts: t, value: free((NOW - t) / HOUR) });
  return points;
}

describe('forecastLine', () => {
  it('draws from the fitted value now to empty at full_at, in each disk metric', () => {
    const size = 200e9;
    const at = NOW;
    expect(forecastLine(forecast, at, 'free_bytes', size)).toEqual([
      [at, 50e9],
      [forecast.full_at, 0],
    ]);
    expect(forecastLine(forecast, at, 'used_bytes', size)).toEqual([
      [at, 150e9],
      [forecast.full_at, 200e9],
    ]);
    expect(forecastLine(forecast, at, 'free_percent', size)).toEqual([
      [at, 25],
      [forecast.full_at, 0],
    ]);
    expect(forecastLine(forecast, at, 'used_percent', size)).toEqual([
      [at, 75],
      [forecast.full_at, 100],
    ]);
  });

  it('draws no line in a metric it cannot convert to, or in percent without the disk size', () => {
    expect(forecastLine(forecast, NOW, 'inodes_free_percent', 200e9)).toBeNull();
    expect(forecastLine(forecast, NOW, 'free_percent', null)).toBeNull();
  });
});

describe('forecastView', () => {
  it('recovers when the forecast was made from full_at and hours_left, and says the time left in words', () => {
    const view = forecastView(forecast, { source: 'alert', alertId: 'al_1' }, 'free_bytes', 200e9);
    expect(view).toMatchObject({ source: 'alert', alert_id: 'al_1', at: NOW, full_in: 'about 2 days' });
    expect(view.line?.[0]).toEqual([NOW, 50e9]);
  });
});

describe('fitForecast', () => {
  /** Free bytes over the last `hours`, 10 % of the disk free now (under the gate). */
  const fit = (hours: number, free: (hoursBefore: number) => number) => fitForecast(series(hours, free), NOW, 10);

  it('forecasts a disk losing a gigabyte an hour with 30 GB left: full in 30 hours', () => {
    const f = fit(24, (h) => 30e9 + h * 1e9);
    expect(f?.hours_left).toBeCloseTo(30, 6);
    expect(f?.full_at).toBe(NOW + 30 * HOUR);
  });

  it('gives nothing for a flat or a freeing disk, or with under 12 hours of history', () => {
    expect(fit(24, () => 30e9)).toBeUndefined();
    expect(fit(24, (h) => 30e9 - h * 1e9)).toBeUndefined();
    expect(fit(11, (h) => 30e9 + h * 1e9)).toBeUndefined();
  });

  it('gives nothing for a disk with 30 % or more free, however fast it fills; a disk of unknown size is fitted', () => {
    const filling = series(24, (h) => 30e9 + h * 1e9);
    expect(fitForecast(filling, NOW, FIT_BELOW_FREE_PERCENT)).toBeUndefined();
    expect(fitForecast(filling, NOW, FIT_BELOW_FREE_PERCENT - 0.1)).toBeDefined();
    expect(fitForecast(filling, NOW, null)).toBeDefined();
  });

  it('gives nothing when the line reaches zero only after a year (a nearly flat disk)', () => {
    const perHour = 100e9 / (FIT_MAX_HORIZON_MS / HOUR) / 1.01;
    expect(fit(24, (h) => 100e9 + h * perHour)).toBeUndefined();
    expect(fit(24, (h) => 100e9 + h * perHour * 1.02)).toBeDefined();
  });
});
