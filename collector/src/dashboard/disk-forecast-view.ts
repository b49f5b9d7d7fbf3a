// The disk forecast as the host page draws it: when the disk is full, "full in about N days", and
// the fitted line from now to zero free in the chart's own metric. From the open disk_forecast
// alert when there is one (what people were told), else a fresh fit over the last day.
import { forecastFull } from '../alerting/forecast.js';
import { sayTimeLeft } from '../alerting/rules/disk-forecast.js';
import type { Forecast, SeriesPoint } from '../alerting/types.js';

const HOUR_MS = 3_600_000;
/** The fresh fit: the disk_forecast rule's default warning window and minimum history. */
export const FIT_WINDOW_MS = 24 * HOUR_MS;
export const FIT_MIN_DATA_MS = 12 * HOUR_MS;
/**
 * Only disks with less free space than this get a fresh fit: the disk_forecast rule's warning gate.
 * A roomy disk's daily swing (backups, log rotation) fitted over one day says "full in 6 days" at
 * one hour and nothing at the next; the rule refuses to page on it, and the page does not claim it.
 */
export const FIT_BELOW_FREE_PERCENT = 30;
/**
 * A fresh fit further out than this is shown as no forecast: a nearly flat disk gives a line that
 * "reaches zero in 40 years", which tells a technician nothing.
 */
export const FIT_MAX_HORIZON_MS = 365 * 24 * HOUR_MS;

/** The disk metrics a forecast line can be drawn in (free bytes converted with the disk's size). */
export const LINE_METRICS = ['free_bytes', 'free_percent', 'used_bytes', 'used_percent'] as const;

export type ForecastLine = [[number, number], [number, number]];

export interface ForecastView {
  source: 'alert' | 'fit';
  /** The disk_forecast alert the forecast comes from (source 'alert'). */
  alert_id: string | null;
  /** Epoch ms the forecast was made at (the fitted line's start). */
  at: number;
  full_at: number;
  hours_left: number;
  /** "about 5 days", "about 7 hours". */
  full_in: string;
  slope_bytes_per_hour: number;
  fitted_free_bytes: number;
  window_ms: number;
  data_span_ms: number;
  /** The metric `line` is in; null (and no line) for a metric it cannot be drawn in. */
  metric: string | null;
  /** [[at, fitted value], [full_at, value when full]]. */
  line: ForecastLine | null;
}

/** Six significant digits, as the chart's points have. */
const round = (v: number) => Number(v.toPrecision(6));

/** The line from `at` to `full_at` in `metric`, or null when the metric is not one of LINE_METRICS. */
export function forecastLine(f: Forecast, at: number, metric: string, sizeBytes: number | null): ForecastLine | null {
  const fitted = Math.max(0, f.fitted_free_bytes);
  const line = (now: number, full: number): ForecastLine => [
    [at, round(now)],
    [f.full_at, round(full)],
  ];
  if (metric === 'free_bytes') return line(fitted, 0);
  // The others need the disk's size.
  if (!sizeBytes) return null;
  if (metric === 'used_bytes') return line(sizeBytes - fitted, sizeBytes);
  if (metric === 'free_percent') return line((fitted / sizeBytes) * 100, 0);
  if (metric === 'used_percent') return line(100 - (fitted / sizeBytes) * 100, 100);
  return null;
}

export function forecastView(
  f: Forecast,
  origin: { source: 'alert'; alertId: string } | { source: 'fit' },
  metric: string,
  sizeBytes: number | null,
): ForecastView {
  // full_at = at + hours_left, as forecastFull computes it.
  const at = f.full_at - Math.round(f.hours_left * HOUR_MS);
  const line = forecastLine(f, at, metric, sizeBytes);
  return {
    source: origin.source,
    alert_id: origin.source === 'alert' ? origin.alertId : null,
    at,
    full_at: f.full_at,
    hours_left: f.hours_left,
    full_in: sayTimeLeft(f.hours_left),
    slope_bytes_per_hour: f.slope_bytes_per_hour,
    fitted_free_bytes: f.fitted_free_bytes,
    window_ms: f.window_ms,
    data_span_ms: f.data_span_ms,
    metric: line ? metric : null,
    line,
  };
}

/**
 * A least-squares fit of the free bytes over the day before `at`; undefined when the disk has
 * FIT_BELOW_FREE_PERCENT or more free, is not filling, has too little history or fills too slowly.
 */
export function fitForecast(
  freeBytes: readonly SeriesPoint[],
  at: number,
  freePercent: number | null,
): Forecast | undefined {
  if (freePercent !== null && freePercent >= FIT_BELOW_FREE_PERCENT) return undefined;
  const f = forecastFull(freeBytes, { now: at, windowMs: FIT_WINDOW_MS, minDataMs: FIT_MIN_DATA_MS });
  return f && f.hours_left * HOUR_MS <= FIT_MAX_HORIZON_MS ? f : undefined;
}
