import { describe, expect, it } from 'vitest';
import { alertRecord } from '../fixtures/alerts.js';
import { resolveRules } from './rule-config.js';
import {
  intervalFromSpacing,
  parseStaleAfter,
  resolveStale,
  silenceOf,
  staleAfterMs,
  staleSummary,
  targetWords,
} from './stale.js';

const MIN = 60_000;
const T = Date.UTC(2026, 11, 8, 1, 12);

describe('parseStaleAfter', () => {
  it('reads a multiple of the interval or a duration, and refuses zero and nonsense', () => {
    expect(parseStaleAfter('3x')).toEqual({ times: 3 });
    expect(parseStaleAfter(' 2.5X ')).toEqual({ times: 2.5 });
    expect(parseStaleAfter('30m')).toEqual({ ms: 30 * MIN });
    for (const bad of ['0x', '0s', 'x', '3', 'soon', 3]) expect(parseStaleAfter(bad)).toBeUndefined();
  });

  it('turns into ms with the interval, or the 6 h fallback when it is unknown', () => {
    expect(staleAfterMs({ times: 3 }, MIN)).toBe(3 * MIN);
    expect(staleAfterMs({ times: 3 }, undefined)).toBe(18 * 60 * MIN);
    expect(staleAfterMs({ ms: 7 }, MIN)).toBe(7);
  });
});

describe('intervalFromSpacing', () => {
  it('takes the median gap, so one late or doubled report does not move it', () => {
    expect(intervalFromSpacing([5 * MIN, 0, MIN, 2 * MIN, 3 * MIN, 4 * MIN])).toBe(MIN);
    expect(intervalFromSpacing([0, MIN, 2 * MIN, 9 * MIN, 10 * MIN])).toBe(MIN);
    expect(intervalFromSpacing([0, 0, 5 * MIN])).toBe(5 * MIN);
    expect(intervalFromSpacing([T])).toBeUndefined();
    expect(intervalFromSpacing([])).toBeUndefined();
  });
});

describe('silenceOf', () => {
  it('is measured to the host’s newest result, not to the clock', () => {
    expect(silenceOf({ ts: T }, [{ ts: T }, { ts: T + 4 * MIN }, { ts: T + MIN }])).toBe(4 * MIN);
    expect(silenceOf({ ts: T }, [{ ts: T }])).toBe(0);
  });
});

describe('staleSummary', () => {
  it('says what is no longer reported, on which host, since when', () => {
    const disk = { check: 'disk', kind: 'disk', target: 'D:', ts: T };
    expect(staleSummary(disk, 'EMR-SRV01')).toBe('D: on EMR-SRV01 is no longer reported since Tue 8 Dec 01:12 UTC');
    expect(targetWords({ check: 'svc', kind: 'service', target: 'Spooler' })).toBe('service Spooler');
    expect(targetWords({ check: 'backup-nightly', kind: 'backup', target: '' })).toBe('the backup-nightly check');
  });
});

describe('resolveStale', () => {
  it('drops a pending alert quietly and resolves a firing one now with the summary', () => {
    const pending = alertRecord({ state: 'pending', started_at: null });
    expect(resolveStale(pending, 'gone', T)).toEqual({ prev: pending, event: 'cancelled' });
    const firing = alertRecord({ state: 'firing', started_at: T - 60 * MIN });
    const step = resolveStale(firing, 'D: on EMR-SRV01 is no longer reported since …', T);
    expect(step.event).toBe('resolved');
    expect(step.next).toMatchObject({ state: 'resolved', resolved_at: T, updated_at: T, id: firing.id });
    expect(step.next?.summary).toBe('D: on EMR-SRV01 is no longer reported since …');
  });
});

describe('stale_after in the rules config', () => {
  const who = { client: 'Smith', site: 'Main St', host: 'EMR-SRV01' };
  it('defaults to 3x; global, per rule and per override, the closest wins', () => {
    expect(resolveRules({}, who).staleAfter('disk_space')).toEqual({ times: 3 });
    const config = {
      stale_after: '2x',
      rules: { backup: { stale_after: '3h' } },
      overrides: [{ client: 'Smith', host: 'emr-srv01', rules: { disk_space: { stale_after: '10m' } } }],
    };
    const r = resolveRules(config, who);
    expect(r.staleAfter('service')).toEqual({ times: 2 });
    expect(r.staleAfter('backup')).toEqual({ ms: 3 * 60 * MIN });
    expect(r.staleAfter('disk_space')).toEqual({ ms: 10 * MIN });
    // The rule itself never sees the engine's option.
    expect(r.options('disk_space').enabled).toBe(true);
  });
});
