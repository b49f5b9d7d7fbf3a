import { describe, expect, it } from 'vitest';
import { parseRoutingConfig } from '../alerting/routing-config.js';
import { maintenanceRows, windowZones } from './maintenance-command.js';

const routing = parseRoutingConfig({
  alerting: {
    default_time_zone: 'America/New_York',
    sites: [
      { client: 'Northside', site: 'Berlin', time_zone: 'Europe/Berlin' },
      { client: 'Northside', site: 'Main St', time_zone: 'America/New_York' },
    ],
    maintenance_windows: [
      { name: 'patch night', client: 'Northside', site: 'Berlin', days: ['sun'], start: '02:00', duration: '3h' },
      { name: 'all sites', client: 'Northside', start: '22:30', duration: '1h' },
      { name: 'utc', client: 'Eastside', start: '00:00', duration: '30m', time_zone: 'UTC' },
    ],
  },
});
const [patch, allSites, utc] = routing.maintenanceWindows as [never, never, never];

describe('windowZones', () => {
  it('uses the window’s own zone, else its site’s, else every zone the client’s sites use', () => {
    expect(windowZones(utc, routing)).toEqual(['UTC']);
    expect(windowZones(patch, routing)).toEqual(['Europe/Berlin']);
    expect(windowZones(allSites, routing)).toEqual(['America/New_York', 'Europe/Berlin']);
  });
});

describe('maintenanceRows', () => {
  it('says whether each window is open and when it next opens or closes, in local time', () => {
    // Sunday 2026-01-04 03:00 in Berlin (02:00 UTC): patch night is open until 05:00 local.
    const now = Date.UTC(2026, 0, 4, 2);
    const rows = maintenanceRows(routing, now);
    expect(rows.map((r) => [r.name, r.time_zone, r.active, r.next_change, r.next_change_at])).toEqual([
      ['patch night', 'Europe/Berlin', true, 'ends', '2026-01-04T05:00:00+01:00'],
      ['all sites', 'America/New_York', false, 'starts', '2026-01-03T22:30:00-05:00'],
      ['all sites', 'Europe/Berlin', false, 'starts', '2026-01-04T22:30:00+01:00'],
      ['utc', 'UTC', false, 'starts', '2026-01-05T00:00:00Z'],
    ]);
    expect(rows[0]).toMatchObject({
      site: 'Berlin',
      host: null,
      rules: null,
      days: ['sun'],
      start: '02:00',
      duration: '3 h',
    });
  });
});
