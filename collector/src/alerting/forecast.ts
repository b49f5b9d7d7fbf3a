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
  return fitRange(points, 0, points.length, origin ?? last.ts);
}

/** fitLine over points[from, to) without copying them: this runs on every disk sample. */
function fitRange(points: readonly SeriesPoint[], from: number, to: number, x0: number): FittedLine | undefined {
  const n = to - from;
  // y is taken relative to the newest value, as x is to the origin: one pass over small numbers
  // keeps the slope of a nearly flat terabyte disk exact without a second, centring pass.
  const y0 = (points[to - 1] as SeriesPoint).value;
  let sx = 0;
  let sy = 0;
  let sxx = 0;
  let sxy = 0;
  for (let i = from; i < to; i++) {
    const p = points[i] as SeriesPoint;
    const x = p.ts - x0;
    const y = p.value - y0;
    sx += x;
    sy += y;
    sxx += x * x;
    sxy += x * y;
  }
  const varX = sxx - (sx * sx) / n;
  if (!(varX > 0)) return undefined;
  const slope = (sxy - (sx * sy) / n) / varX;
  return { slope, intercept: y0 + (sy - slope * sx) / n, origin: x0, points: n };
}

/** The first index whose point is past `ts` (at or after it with `inclusive`); points oldest first. */
function searchTs(points: readonly SeriesPoint[], ts: number, inclusive: boolean): number {
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    const t = (points[mid] as SeriesPoint).ts;
    if (t < ts || (!inclusive && t === ts)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export interface ForecastOptions {
  now: number;
  /** Only points in [now - windowMs, now] are fitted. */
  windowMs: number;
  /** No forecast until the points in the window span this long. */
  minDataMs: number;
}

/**
 * The forecast of a free-bytes series (oldest first), or undefined when there is too little data or the
 * disk is not filling (slope ≥ 0): a flat-full disk is the static rule's business.
 */
export function forecastFull(points: readonly SeriesPoint[], opts: ForecastOptions): Forecast | undefined {
  const from = searchTs(points, opts.now - opts.windowMs, true);
  const to = searchTs(points, opts.now, false);
  const first = points[from];
  const last = points[to - 1];
  if (!first || !last || to - from < MIN_FORECAST_POINTS) return undefined;
  const span = last.ts - first.ts;
  if (span < opts.minDataMs) return undefined;
  const line = fitRange(points, from, to, opts.now);
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
