// disk_forecast: the predictive rule. A disk already fairly full whose least-squares line over a
// long window reaches zero within the horizon → "full in about N days". Long windows and the
// free-percent gate are what keep log rotation and nightly backups from paging (research §2.3).
import { formatBytes, formatPercent } from '@vitals/shared';
import Type from 'typebox';
import { forecastFull } from '../forecast.js';
import type { Forecast, Observation, RuleTiming, SeriesPoint, Severity } from '../types.js';
import { type DiskReading, diskName, diskReadings, sayLimit } from './disk-reading.js';
import {
  durationOption,
  enabledOption,
  percentOption,
  RuleOptionError,
  readDuration,
  readEnabled,
  readNumber,
} from './options.js';
import type { HostRule } from './rule.js';
import { twoLevels } from './two-levels.js';

const HOUR = 3_600_000;
/** A firing alert holds while the forecast stays within this many times its horizon (no flapping at 72 h). */
const HOLD_HORIZON_FACTOR = 1.5;

interface LevelForecast {
  /** The gate: only disks with less free space than this are forecast. */
  belowFreePercent: number;
  windowMs: number;
  minDataMs: number;
  horizonMs: number;
  forMs: number;
}

export interface DiskForecastOptions {
  warning: LevelForecast;
  critical: LevelForecast;
}

export const MAX_WINDOW_MS = 24 * 3600_000;

function readLevel(raw: Record<string, unknown>, level: Severity): LevelForecast {
  const l: LevelForecast = {
    belowFreePercent: readNumber(raw, `${level}_below_free_percent`),
    windowMs: readDuration(raw, `${level}_window`, true),
    minDataMs: readDuration(raw, `${level}_min_data`),
    horizonMs: readDuration(raw, `${level}_horizon`, true),
    forMs: readDuration(raw, `${level}_for`),
  };
  // The engine keeps 25 h of free-space history per disk in memory (and replay the same).
  if (l.windowMs > MAX_WINDOW_MS)
    throw new RuleOptionError(`${level}_window`, 'must be at most 24h (the history kept per disk)');
  if (l.minDataMs > l.windowMs)
    throw new RuleOptionError(
      `${level}_min_data`,
      `must not be longer than ${level}_window (${String(raw[`${level}_window`])})`,
    );
  return l;
}

/** "about 5 hours", "about 2 days": hours under 48 h, days above. */
export function sayTimeLeft(hours: number): string {
  if (hours < 1) return 'less than an hour';
  if (hours < 48) {
    const h = Math.round(hours);
    return `about ${h} hour${h === 1 ? '' : 's'}`;
  }
  return `about ${Math.round(hours / 24)} days`;
}

function levelSchema(
  level: Severity,
  d: { gate: number; window: string; minData: string; horizon: string; for: string },
) {
  return {
    [`${level}_below_free_percent`]: percentOption(
      d.gate,
      `only disks with less free space than this percent are forecast`,
    ),
    [`${level}_window`]: durationOption(d.window, 'the least-squares line is fitted over this much history'),
    [`${level}_min_data`]: durationOption(d.minData, 'no forecast until the history spans this long'),
    [`${level}_horizon`]: durationOption(d.horizon, `${level} when the line reaches zero free within this time`),
    [`${level}_for`]: durationOption(d.for, 'how long the forecast must hold before the alert fires'),
  };
}

interface Verdict {
  /** The gate holds and the line reaches zero within `horizonMs × factor`. */
  within(factor: number): boolean;
  forecast: Forecast | undefined;
}

function judge(d: DiskReading, l: LevelForecast, series: readonly SeriesPoint[]): Verdict {
  const gated = d.freePercent < l.belowFreePercent;
  const forecast = gated
    ? forecastFull(series, { now: d.ts, windowMs: l.windowMs, minDataMs: l.minDataMs })
    : undefined;
  return {
    forecast,
    within: (factor) => forecast !== undefined && forecast.hours_left * HOUR <= l.horizonMs * factor,
  };
}

export const diskForecastRule: HostRule<DiskForecastOptions> = {
  name: 'disk_forecast',
  scope: 'host',
  summary:
    'free < 30 % and a 24h least-squares line reaches zero within 72h, held 1h → warning; ' +
    'free < 15 % and a 6h line within 24h, held 30m → critical',
  options: Type.Object(
    {
      enabled: enabledOption(),
      ...levelSchema('warning', { gate: 30, window: '24h', minData: '12h', horizon: '72h', for: '1h' }),
      ...levelSchema('critical', { gate: 15, window: '6h', minData: '3h', horizon: '24h', for: '30m' }),
    },
    { additionalProperties: false },
  ),
  kinds: ['disk'],
  timeDriven: false,
  parse: (raw) => ({
    enabled: readEnabled(raw),
    warning: readLevel(raw, 'warning'),
    critical: readLevel(raw, 'critical'),
  }),
  evaluate(o, ctx) {
    const timing: RuleTiming = {
      warning: { forMs: o.warning.forMs, consecutive: 1 },
      critical: { forMs: o.critical.forMs, consecutive: 1 },
      recoverConsecutive: 1,
    };
    return diskReadings(ctx.latest).map((d): Observation => {
      const series = ctx.diskSeries(d.target);
      const verdicts = { warning: judge(d, o.warning, series), critical: judge(d, o.critical, series) };
      const level = twoLevels(
        {
          breach: { warning: verdicts.warning.within(1), critical: verdicts.critical.within(1) },
          band: {
            warning: verdicts.warning.within(HOLD_HORIZON_FACTOR),
            critical: verdicts.critical.within(HOLD_HORIZON_FACTOR),
          },
        },
        ctx.firing(d.target),
      );
      // The forecast the level rests on; for 'ok', whichever fit exists (for the chart).
      const about: Severity =
        level === 'critical' || (level === 'hold' && ctx.firing(d.target) === 'critical') ? 'critical' : 'warning';
      const forecast = verdicts[about].forecast ?? verdicts.critical.forecast ?? verdicts.warning.forecast;
      return {
        rule: 'disk_forecast',
        target: d.target,
        at: d.ts,
        level,
        value: forecast ? Math.round(forecast.hours_left * 10) / 10 : null,
        threshold: Math.round(o[about].horizonMs / HOUR),
        unit: 'hours',
        summary: summarize(d, forecast, Math.max(o.warning.belowFreePercent, o.critical.belowFreePercent)),
        ...(forecast ? { forecast } : {}),
        timing,
      };
    });
  },
};

function summarize(d: DiskReading, forecast: Forecast | undefined, gate: number): string {
  // "Disk D: full in…" (the drive letter brings its colon), "Disk /data: full in…".
  const disk = d.target.endsWith(':') ? diskName(d.target) : `${diskName(d.target)}:`;
  const free = `${formatPercent(d.freePercent)} free`;
  if (!forecast && d.freePercent >= gate) return `${disk} no forecast above ${sayLimit(gate)} free (${free})`;
  if (!forecast) return `${disk} not filling up, or too little history to tell (${free})`;
  const rate = `filling ${formatBytes(-forecast.slope_bytes_per_hour)}/h`;
  return `${disk} full in ${sayTimeLeft(forecast.hours_left)} at the current rate (${free}, ${rate})`;
}
