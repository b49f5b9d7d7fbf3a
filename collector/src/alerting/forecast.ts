// When a disk fills: an ordinary least-squares line through its free bytes over a window, read
// at `now` (as Prometheus' predict_linear does), and the hours until that line reaches zero.
import type { Forecast, SeriesPoint } from './types.js';

const HOUR = 3_600_000;
/** A handful of samples gives wild slopes (research: the first ~40 min of a series). */
export const MIN_FORECAST_POINTS = 10;

export interface FittedLine {
  /** Value units per millisecond. */
  slope: number;
  /** The fitted value at `origin`. */
  intercept: number;
  /** The time x is measured from (the last point's ts unless given). */
  origin: number;
  points: number;
}

/**
 * Ordinary least squares through the points. x is measured from `origin` (default: the last
 * point) so that epoch-ms magnitudes do not swamp the sums. Undefined with fewer than two
 * distinct times.
 */
export function fitLine(points: readonly SeriesPoint[], origin?: number): FittedLine | undefined {
  const last = points.at(-1);
  if (points.length < 2 || !last) return undefined;
  const x0 = origin ?? last.ts;
  let sx = 0;
  let sy = 0;
  for (const p of points) {
    sx += p.ts - x0;
    sy += p.value;
  }
  const mx = sx / points.length;
  const my = sy / points.length;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    const dx = p.ts - x0 - mx;
    sxx += dx * dx;
    sxy += dx * (p.value - my);
  }
  if (sxx === 0) return undefined;
  const slope = sxy / sxx;
  return { slope, intercept: my - slope * mx, origin: x0, points: points.length };
}

export interface ForecastOptions {
  now: number;
  /** Only points in [now - windowMs, now] are fitted. */
  windowMs: number;
  /** No forecast until the points in the window span this long. */
  minDataMs: number;
}

/**
 * The forecast of a free-bytes series, or undefined when there is too little data or the
 * disk is not filling (slope ≥ 0): a flat-full disk is the static rule's business.
 */
export function forecastFull(points: readonly SeriesPoint[], opts: ForecastOptions): Forecast | undefined {
  const from = opts.now - opts.windowMs;
  const used = points.filter((p) => p.ts >= from && p.ts <= opts.now);
  const first = used[0];
  const last = used.at(-1);
  if (!first || !last || used.length < MIN_FORECAST_POINTS) return undefined;
  const span = last.ts - first.ts;
  if (span < opts.minDataMs) return undefined;
  const line = fitLine(used, opts.now);
  if (!line || line.slope >= 0) return undefined;
  const perHour = line.slope * HOUR;
  const fitted = line.intercept;
  const hoursLeft = fitted <= 0 ? 0 : fitted / -perHour;
  return {
    full_at: opts.now + Math.round(hoursLeft * HOUR),
    hours_left: hoursLeft,
    slope_bytes_per_hour: perHour,
    fitted_free_bytes: fitted,
    window_ms: opts.windowMs,
    data_span_ms: span,
  };
}
