import { describe, expect, it } from 'vitest';
import { resolveRules, ruleDefaults } from '../rule-config.js';
import type { HostView, LatestResult, SeriesPoint, Severity } from '../types.js';
import { type DiskForecastOptions, diskForecastRule, sayTimeLeft } from './disk-forecast.js';
import { RuleOptionError } from './options.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const GB = 1e9;
const SIZE = 100 * GB;
const NOW = Date.UTC(2025, 0, 6, 9, 0);
const WHO = { client: 'c', site: 's', host: 'srv' };
const HOST: HostView = {
  agent_id: 'ag_1',
  ...WHO,
  platform: 'linux',
  os_release: '',
  enrolled_at: 0,
  last_seen: NOW,
  state: 'running',
  retired: false,
};

function diskAt(free: number): LatestResult {
  return {
    check: 'disk',
    kind: 'disk',
    target: 'D:',
    status: 'OK',
    values: {
      free_percent: { value: (free / SIZE) * 100, unit: 'percent' },
      free_bytes: { value: free, unit: 'bytes' },
      size_bytes: { value: SIZE, unit: 'bytes' },
    },
    message: '',
    ts: NOW,
    known: null,
  };
}

/** One point a minute for `hours` up to NOW, losing `perHour` bytes an hour, ending at `free`. */
function history(free: number, perHour: number, hours: number): SeriesPoint[] {
  return Array.from({ length: hours * 60 + 1 }, (_, i) => {
    const ago = (hours * 60 - i) * MIN;
    return { ts: NOW - ago, value: free + (perHour * ago) / HOUR };
  });
}

function observe(free: number, series: SeriesPoint[], firing?: Severity, rules = {}) {
  const options = resolveRules({ rules: { disk_forecast: rules } }, WHO).options<DiskForecastOptions>('disk_forecast');
  const [o] = diskForecastRule.evaluate(options, {
    host: HOST,
    latest: [diskAt(free)],
    diskSeries: (target) => (target === 'D:' ? series : []),
    firing: () => firing,
    now: NOW,
  });
  if (!o) throw new Error('expected an observation');
  return o;
}

describe('disk_forecast', () => {
  it('warns when a disk under 30 % free reaches zero within 72 h on a 24 h fit', () => {
    const o = observe(25 * GB, history(25 * GB, GB, 24));
    expect(o).toMatchObject({ rule: 'disk_forecast', target: 'D:', at: NOW, level: 'warning', unit: 'hours' });
    expect(o.value).toBeCloseTo(25, 1);
    expect(o.threshold).toBe(72);
    expect(o.summary).toBe('Disk D: full in about 25 hours at the current rate (25 % free, filling 1.0 GB/h)');
    expect(o.forecast).toMatchObject({ window_ms: 24 * HOUR, data_span_ms: 24 * HOUR });
    expect(o.forecast?.full_at).toBeCloseTo(NOW + 25 * HOUR, -3);
    expect(o.timing).toEqual({
      warning: { forMs: HOUR, consecutive: 1 },
      critical: { forMs: 30 * MIN, consecutive: 1 },
      recoverConsecutive: 1,
    });
  });

  it('is critical when a disk under 15 % free reaches zero within 24 h on a 6 h fit', () => {
    const o = observe(10 * GB, history(10 * GB, GB, 6));
    expect(o).toMatchObject({ level: 'critical', threshold: 24 });
    expect(o.forecast?.window_ms).toBe(6 * HOUR);
    expect(o.forecast?.hours_left).toBeCloseTo(10, 3);
  });

  it('stays quiet beyond the horizon, and says when the disk will be full in days', () => {
    const o = observe(25 * GB, history(25 * GB, 0.25 * GB, 24));
    expect(o.level).toBe('ok');
    expect(o.summary).toBe('Disk D: full in about 4 days at the current rate (25 % free, filling 250 MB/h)');
  });

  it('makes no forecast above the 30 % gate, however fast the disk fills', () => {
    const o = observe(35 * GB, history(35 * GB, 3 * GB, 11));
    expect(o).toMatchObject({ level: 'ok', value: null });
    expect(o.forecast).toBeUndefined();
    expect(o.summary).toBe('Disk D: no forecast above 30 % free (35 % free)');
  });

  it('makes no forecast before 12 h of data (warning) or 3 h (critical)', () => {
    expect(observe(25 * GB, history(25 * GB, GB, 11)).level).toBe('ok');
    const early = observe(10 * GB, history(10 * GB, GB, 2));
    expect(early.level).toBe('ok');
    expect(early.summary).toBe('Disk D: not filling up, or too little history to tell (10 % free)');
  });

  it('is quiet once a disk is flat-full: that is the static rule’s business', () => {
    const o = observe(0, history(0, 0, 24), 'critical');
    expect(o.level).toBe('ok');
    expect(o.forecast).toBeUndefined();
  });

  it('a firing warning holds while the forecast stays within 1.5 × the horizon', () => {
    expect(observe(25 * GB, history(25 * GB, GB / 3.6, 24), 'warning').level).toBe('hold'); // 90 h
    expect(observe(25 * GB, history(25 * GB, GB / 3.6, 24)).level).toBe('ok');
    expect(observe(25 * GB, history(25 * GB, GB / 4.8, 24), 'warning').level).toBe('ok'); // 120 h
  });

  it('a firing critical steps down to warning when only the 72 h forecast still holds', () => {
    // 14 % free, 0.2 GB/h: 70 h left — outside 24 h × 1.5, inside 72 h.
    expect(observe(14 * GB, history(14 * GB, 0.2 * GB, 24), 'critical').level).toBe('warning');
  });

  it('uses the configured gate, window, minimum data, horizon and duration', () => {
    const rules = { warning_below_free_percent: 60, warning_min_data: '1h', warning_window: '2h', warning_for: '5m' };
    const o = observe(50 * GB, history(50 * GB, GB, 2), undefined, rules);
    expect(o.level).toBe('warning');
    expect(o.summary).toMatch(/full in about 2 days/);
    expect(o.forecast?.window_ms).toBe(2 * HOUR);
    expect(o.timing.warning?.forMs).toBe(5 * MIN);
  });

  it('refuses a minimum data span longer than the window', () => {
    const options = resolveRules({}, WHO).options('disk_forecast');
    expect(options.enabled).toBe(true);
    const raw = {
      enabled: true,
      warning_below_free_percent: 30,
      warning_window: '6h',
      warning_min_data: '12h',
      warning_horizon: '72h',
      warning_for: '1h',
      critical_below_free_percent: 15,
      critical_window: '6h',
      critical_min_data: '3h',
      critical_horizon: '24h',
      critical_for: '30m',
    };
    expect(() => diskForecastRule.parse(raw)).toThrow(RuleOptionError);
    expect(() => diskForecastRule.parse(raw)).toThrow(/warning_min_data: must not be longer than warning_window/);
  });
});

describe('sayTimeLeft', () => {
  it('says hours under 48 h and days above', () => {
    expect(sayTimeLeft(0.4)).toBe('less than an hour');
    expect(sayTimeLeft(1.2)).toBe('about 1 hour');
    expect(sayTimeLeft(47.4)).toBe('about 47 hours');
    expect(sayTimeLeft(48)).toBe('about 2 days');
    expect(sayTimeLeft(100)).toBe('about 4 days');
  });
});

describe('disk_forecast options', () => {
  it('refuses a window longer than the 24 h of history kept per disk, naming the key', () => {
    const raw = { ...ruleDefaults(diskForecastRule), warning_window: '48h' };
    expect(() => diskForecastRule.parse(raw)).toThrow(/warning_window: must be at most 24h/);
  });
});
