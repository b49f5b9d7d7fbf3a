// The 72-hour disk scenarios of issue 4 (and the research's measurements, §2.3), replayed at one
// sample a minute on a 100 GB disk through the real rules and state machine with `now` injected.
import { describe, expect, it } from 'vitest';
import { type ReplayEvent, type ReplayResult, replay } from './replay.js';
import { type AlertingRulesConfig, resolveRules } from './rule-config.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const GB = 1e9;
const SIZE = 100 * GB;
const T0 = Date.UTC(2025, 0, 6, 0, 0);
const WHO = { client: 'Praxis Dr. Weber', site: 'Main St', host: 'weber-srv' };

function disk(ts: number, free: number): ReplayResult {
  const f = Math.max(0, Math.min(SIZE, free));
  return {
    ts,
    check: 'disk',
    kind: 'disk',
    target: '/data',
    status: 'OK',
    values: {
      free_percent: { value: (f / SIZE) * 100, unit: 'percent' },
      free_bytes: { value: f, unit: 'bytes' },
      size_bytes: { value: SIZE, unit: 'bytes' },
      used_bytes: { value: SIZE - f, unit: 'bytes' },
    },
  };
}

/** One disk sample a minute for `hours`; `free(h)` gives the free bytes h hours in. */
function minutes(hours: number, free: (h: number) => number): ReplayResult[] {
  return Array.from({ length: hours * 60 + 1 }, (_, m) => disk(T0 + m * MIN, free(m / 60)));
}

function run(results: ReplayResult[], config: AlertingRulesConfig = {}): ReplayEvent[] {
  return replay({ host: { ...WHO, agent_id: 'ag_weber' }, rules: resolveRules(config, WHO), results });
}

function show(events: ReplayEvent[]) {
  if (process.env.SHOW_EVENTS)
    console.log(
      events.map((e) => `${hoursIn(e).toFixed(2)} ${e.rule} ${e.event} ${e.severity} ${e.summary}`).join('\n'),
    );
}

const hoursIn = (e: ReplayEvent | undefined) => (e ? (e.at - T0) / HOUR : Number.NaN);
const firstCritical = (events: ReplayEvent[]) =>
  events.find((e) => e.severity === 'critical' && (e.event === 'fired' || e.event === 'severity_changed'));

/** Deterministic noise, so a failure can be reproduced. */
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('72-hour disk scenarios (1 sample/min, 100 GB disk)', () => {
  it('steady fill from 50 % free at 1 %/h, defaults: warns ≥ 28 h before full, critical before full', () => {
    const full = 50;
    const events = run(minutes(72, (h) => (full - h) * GB));
    const warned = events.find((e) => e.rule === 'disk_forecast' && e.event === 'fired');
    expect(warned?.severity).toBe('warning');
    expect(full - hoursIn(warned)).toBeGreaterThanOrEqual(28);
    expect(warned?.summary).toMatch(
      /^Disk \/data: full in about 29 hours at the current rate \(29 % free, filling 1\.0 GB\/h\)$/,
    );
    expect(warned?.forecast?.hours_left).toBeCloseTo(full - hoursIn(warned), 0);
    expect(hoursIn(firstCritical(events))).toBeLessThan(full);
  });

  it('steady fill, warning gate at 60 % and 1 h of data: warns ≥ 48 h before full', () => {
    // The issue asks for a warning 48 h ahead; SPEC's defaults (30 % gate, 12 h of data) cannot
    // give that on this disk (it crosses 30 % only 30 h before full): this MSP opts in to an
    // earlier gate, 1 h of data and a 30 min hold.
    const full = 50;
    const config: AlertingRulesConfig = {
      rules: { disk_forecast: { warning_below_free_percent: 60, warning_min_data: '1h', warning_for: '30m' } },
    };
    const events = run(
      minutes(72, (h) => (full - h) * GB),
      config,
    );
    show(events);
    const warned = events.find((e) => e.rule === 'disk_forecast' && e.event === 'fired');
    expect(warned?.severity).toBe('warning');
    expect(full - hoursIn(warned)).toBeGreaterThanOrEqual(48);
    expect(warned?.summary).toMatch(/full in about 2 days at the current rate/);
  });

  it('an 8-hour log sawtooth with no net growth, dipping to 25 % free, raises nothing in 72 h', () => {
    const sawtooth = minutes(72, (h) => (35 - 10 * ((h % 8) / 8)) * GB);
    expect(run(sawtooth)).toEqual([]);
    // What the 24 h window buys: fitted over 1 h, the same logs "fill the disk" every cycle.
    const short = run(sawtooth, { rules: { disk_forecast: { warning_window: '1h', warning_min_data: '30m' } } });
    show(short);
    expect(short.filter((e) => e.rule === 'disk_forecast' && e.event === 'fired').length).toBeGreaterThanOrEqual(8);
  });

  it('a nightly 15 GB backup staging file (written in 1 h, then deleted) on a disk at 35 % free raises nothing', () => {
    const staging = (h: number) => {
      const hourOfDay = h % 24;
      return hourOfDay >= 2 && hourOfDay < 3 ? 15 * GB * (hourOfDay - 2) : 0;
    };
    const events = run(minutes(72, (h) => 35 * GB - staging(h)));
    show(events);
    expect(events).toEqual([]);
  });

  it('±1 GB of noise on a flat disk below the forecast gate raises nothing', () => {
    const noise = lcg(42);
    const events = run(minutes(72, () => 20 * GB + (noise() * 2 - 1) * GB));
    show(events);
    expect(events).toEqual([]);
  });

  it('a new host with 20 minutes of data gets no forecast, however fast its disk fills', () => {
    // 10 % free, losing 0.1 GB a minute: full in 100 min, but 20 min of data is no basis.
    const results = minutes(72, (h) => 10 * GB - h * 6 * GB).slice(0, 21);
    const events = run(results);
    show(events);
    expect(events.filter((e) => e.rule === 'disk_forecast')).toEqual([]);
    expect(events.every((e) => e.forecast === undefined)).toBe(true);
  });

  it('hysteresis: free bouncing 4.5–5.5 % around the critical 5 % fires once, resolves once at 12 %', () => {
    // Only the critical half of the static rule: the warning would (rightly) still hold at 12 %.
    const config: AlertingRulesConfig = {
      rules: {
        disk_space: { warning_free_percent: 0, warning_free_bytes: 0 },
        disk_forecast: { enabled: false },
      },
    };
    const free = (h: number) => {
      if (h < 1) return 8 * GB - h * 3 * GB; // falls from 8 % to 5 %
      if (h < 7) return 5 * GB - 0.5 * GB * Math.sin((h - 1) * 2 * Math.PI); // 4.5–5.5 %, 1 h period
      return Math.min(12 * GB, 5 * GB + (h - 7) * 7 * GB); // climbs to 12 % within the hour
    };
    const events = run(minutes(10, free), config);
    show(events);
    const changes = events.filter((e) => e.event !== 'pending' && e.event !== 'cancelled');
    expect(changes.map((e) => [e.event, e.severity])).toEqual([
      ['fired', 'critical'],
      ['resolved', 'critical'],
    ]);
    const resolved = changes[1];
    expect(resolved?.value).toBeGreaterThanOrEqual(10);
    expect(hoursIn(resolved)).toBeGreaterThan(7);
  });

  it('hysteresis with the defaults: the critical comes once and steps down to warning once', () => {
    const free = (h: number) => {
      if (h < 1) return 8 * GB - h * 3 * GB;
      if (h < 7) return 5 * GB - 0.5 * GB * Math.sin((h - 1) * 2 * Math.PI);
      return Math.min(12 * GB, 5 * GB + (h - 7) * 7 * GB);
    };
    const events = run(minutes(10, free), { rules: { disk_forecast: { enabled: false } } });
    show(events);
    const changes = events.filter((e) => e.event !== 'pending' && e.event !== 'cancelled');
    expect(changes.map((e) => [e.event, e.severity])).toEqual([
      ['fired', 'warning'],
      ['severity_changed', 'critical'],
      ['severity_changed', 'warning'],
    ]);
  });
});
