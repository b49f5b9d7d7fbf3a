import { describe, expect, it } from 'vitest';
import {
  localInstant,
  type MaintenanceWindow,
  maintenanceLookup,
  nextWindowChange,
  windowActive,
} from './maintenance-window.js';

const HOUR = 3600_000;
const utc = (iso: string) => Date.parse(`${iso}Z`);

function window(overrides: Partial<MaintenanceWindow> = {}): MaintenanceWindow {
  return {
    name: 'patching',
    client: 'Northside',
    site: null,
    host: null,
    rules: null,
    days: ['sun'],
    startMinute: 2 * 60,
    durationMs: 3 * HOUR,
    timeZone: null,
    ...overrides,
  };
}

describe('windowActive', () => {
  it('is open from the local start for its duration, end excluded', () => {
    const w = window();
    // 2025-01-05 is a Sunday.
    expect(windowActive(w, 'UTC', utc('2025-01-05T01:59:59.999'))).toBe(false);
    expect(windowActive(w, 'UTC', utc('2025-01-05T02:00'))).toBe(true);
    expect(windowActive(w, 'UTC', utc('2025-01-05T04:59:59.999'))).toBe(true);
    expect(windowActive(w, 'UTC', utc('2025-01-05T05:00'))).toBe(false);
    expect(windowActive(w, 'UTC', utc('2025-01-06T02:30'))).toBe(false);
  });

  it('reads the start in the given time zone', () => {
    const w = window();
    // 02:00 in New York in January is 07:00 UTC.
    expect(windowActive(w, 'America/New_York', utc('2025-01-05T02:30'))).toBe(false);
    expect(windowActive(w, 'America/New_York', utc('2025-01-05T07:00'))).toBe(true);
    expect(windowActive(w, 'America/New_York', utc('2025-01-05T09:59'))).toBe(true);
    expect(windowActive(w, 'America/New_York', utc('2025-01-05T10:00'))).toBe(false);
  });

  it('keeps a window past midnight with the day it started on', () => {
    const w = window({ days: ['mon'], startMinute: 22 * 60, durationMs: 4 * HOUR });
    // Monday 2025-01-06 22:00 → Tuesday 02:00; Tuesday 22:00 is not a start.
    expect(windowActive(w, 'UTC', utc('2025-01-07T01:30'))).toBe(true);
    expect(windowActive(w, 'UTC', utc('2025-01-07T02:00'))).toBe(false);
    expect(windowActive(w, 'UTC', utc('2025-01-07T23:00'))).toBe(false);
    expect(windowActive(w, 'UTC', utc('2025-01-06T01:30'))).toBe(false);
  });
});

describe('DST in Europe/Berlin', () => {
  const zone = 'Europe/Berlin';

  it('spring forward (2025-03-30): "sun 02:00 for 3h" starts at the first valid instant and lasts 3 real hours', () => {
    const w = window();
    // 02:00 local does not exist that night; clocks jump from 02:00 CET (01:00 UTC) to 03:00 CEST.
    expect(windowActive(w, zone, utc('2025-03-30T00:59:59.999'))).toBe(false);
    expect(windowActive(w, zone, utc('2025-03-30T01:00'))).toBe(true);
    expect(windowActive(w, zone, utc('2025-03-30T03:59:59.999'))).toBe(true);
    expect(windowActive(w, zone, utc('2025-03-30T04:00'))).toBe(false);
    const start = nextWindowChange(w, zone, utc('2025-03-29T12:00'));
    expect(start).toBe(utc('2025-03-30T01:00'));
    expect(nextWindowChange(w, zone, start) - start).toBe(3 * HOUR);
  });

  it('a start inside the skipped hour begins when the clocks reach 03:00', () => {
    const w = window({ startMinute: 2 * 60 + 30, durationMs: HOUR });
    expect(nextWindowChange(w, zone, utc('2025-03-29T12:00'))).toBe(utc('2025-03-30T01:00'));
    expect(windowActive(w, zone, utc('2025-03-30T01:59:59.999'))).toBe(true);
    expect(windowActive(w, zone, utc('2025-03-30T02:00'))).toBe(false);
  });

  it('fall back (2025-10-26): "sun 01:00 for 3h" spans the repeated hour and lasts 3 real hours', () => {
    const w = window({ startMinute: 60 });
    // 01:00 CEST is 23:00 UTC on Saturday; 3 real hours later the wall clock shows 03:00 CET.
    expect(windowActive(w, zone, utc('2025-10-25T22:59:59.999'))).toBe(false);
    expect(windowActive(w, zone, utc('2025-10-25T23:00'))).toBe(true);
    expect(windowActive(w, zone, utc('2025-10-26T01:59:59.999'))).toBe(true);
    expect(windowActive(w, zone, utc('2025-10-26T02:00'))).toBe(false);
    const start = nextWindowChange(w, zone, utc('2025-10-25T12:00'));
    expect(start).toBe(utc('2025-10-25T23:00'));
    expect(nextWindowChange(w, zone, start) - start).toBe(3 * HOUR);
  });

  it('a start in the repeated hour is its first occurrence', () => {
    const w = window({ startMinute: 2 * 60 + 30, durationMs: HOUR });
    // 02:30 happens at 00:30 UTC (CEST) and again at 01:30 UTC (CET); the window opens at the first.
    expect(nextWindowChange(w, zone, utc('2025-10-25T12:00'))).toBe(utc('2025-10-26T00:30'));
    expect(windowActive(w, zone, utc('2025-10-26T01:29:59.999'))).toBe(true);
    expect(windowActive(w, zone, utc('2025-10-26T01:30'))).toBe(false);
  });
});

describe('localInstant', () => {
  it('resolves ordinary, skipped and repeated local times in New York too', () => {
    const zone = 'America/New_York';
    expect(localInstant(zone, 2025, 7, 1, 9 * 60)).toBe(utc('2025-07-01T13:00'));
    // 2025-03-09 02:30 does not exist; 03:00 EDT is 07:00 UTC.
    expect(localInstant(zone, 2025, 3, 9, 2 * 60 + 30)).toBe(utc('2025-03-09T07:00'));
    // 2025-11-02 01:30 happens twice; the first is 05:30 UTC (EDT).
    expect(localInstant(zone, 2025, 11, 2, 90)).toBe(utc('2025-11-02T05:30'));
  });
});

describe('nextWindowChange', () => {
  it('finds the next start days ahead when closed, and the end when open', () => {
    const w = window({ days: ['wed'], startMinute: 20 * 60, durationMs: 2 * HOUR });
    // Monday 2025-01-06 → Wednesday 2025-01-08 20:00.
    expect(nextWindowChange(w, 'UTC', utc('2025-01-06T12:00'))).toBe(utc('2025-01-08T20:00'));
    expect(nextWindowChange(w, 'UTC', utc('2025-01-08T21:00'))).toBe(utc('2025-01-08T22:00'));
    expect(nextWindowChange(w, 'UTC', utc('2025-01-08T22:00'))).toBe(utc('2025-01-15T20:00'));
  });

  it('runs overlapping occurrences together: it closes when none covers', () => {
    const w = window({ days: ['mon', 'tue'], startMinute: 22 * 60, durationMs: 30 * HOUR });
    // Mon 22:00 → Wed 04:00 and Tue 22:00 → Thu 04:00 overlap into one stretch.
    expect(nextWindowChange(w, 'UTC', utc('2025-01-07T12:00'))).toBe(utc('2025-01-09T04:00'));
    expect(windowActive(w, 'UTC', utc('2025-01-08T12:00'))).toBe(true);
  });
});

describe('maintenanceLookup', () => {
  const windows = [
    window({ name: 'main st nightly', site: 'Main St', days: ['mon'], startMinute: 22 * 60, durationMs: HOUR }),
    window({ name: 'backup box', host: 'NAS', rules: ['backup'], days: ['mon'], startMinute: 0, durationMs: HOUR }),
  ];
  const zones: Record<string, string> = { 'Main St': 'America/New_York', Annex: 'UTC' };
  const lookup = maintenanceLookup(windows, (_client, site) => zones[site] ?? 'UTC');
  const alert = { client: 'Northside', site: 'Main St', host: 'EMR-SRV01', rule: 'disk_space' as const };

  it('applies a window to the alerts of its client, site, host and rules only, in the site zone', () => {
    // Monday 2025-01-06 22:30 in New York is Tuesday 03:30 UTC.
    const now = utc('2025-01-07T03:30');
    expect(lookup.active(alert, now)).toBe(true);
    expect(lookup.active({ ...alert, client: 'Eastside' }, now)).toBe(false);
    expect(lookup.active({ ...alert, site: 'Annex' }, now)).toBe(false);
    expect(lookup.nextChange(alert, now)).toBe(utc('2025-01-07T04:00'));
  });

  it('matches host and rule when the window names them', () => {
    const now = utc('2025-01-06T00:30');
    expect(lookup.active({ ...alert, site: 'Annex', host: 'NAS', rule: 'backup' }, now)).toBe(true);
    expect(lookup.active({ ...alert, site: 'Annex', host: 'NAS', rule: 'smart' }, now)).toBe(false);
    expect(lookup.active({ ...alert, site: 'Annex', host: 'EMR-SRV01', rule: 'backup' }, now)).toBe(false);
  });

  it('uses a window’s own time zone over the site’s', () => {
    const own = maintenanceLookup([window({ site: 'Main St', timeZone: 'UTC' })], () => 'America/New_York');
    expect(own.active(alert, utc('2025-01-05T02:30'))).toBe(true);
  });

  it('has no next change when no window applies', () => {
    expect(lookup.nextChange({ ...alert, client: 'Eastside' }, utc('2025-01-06T00:00'))).toBeNull();
  });
});
