import { ConfigError } from '@vitals/shared';
import { describe, expect, it } from 'vitest';
import {
  type NotificationRoute,
  parseRoutingConfig,
  type RouteLabels,
  routingConfigIssues,
  selectChannels,
  siteZones,
} from './routing-config.js';
import { RULE_NAMES } from './types.js';

describe('parseRoutingConfig', () => {
  it('gives the SPEC defaults for an empty config', () => {
    expect(parseRoutingConfig({})).toEqual({
      timing: {
        groupWaitMs: 30_000,
        groupIntervalMs: 300_000,
        repeatCriticalMs: 4 * 3600_000,
        repeatWarningMs: 24 * 3600_000,
        sendResolved: true,
        escalateAfterMs: 30 * 60_000,
      },
      defaultTimeZone: 'UTC',
      sites: [],
      maintenanceWindows: [],
      routes: [],
      defaultChannels: [],
      escalationChannels: [],
    });
    expect(parseRoutingConfig(null).timing.groupWaitMs).toBe(30_000);
  });

  it('reads every key into typed values with durations in ms', () => {
    const config = parseRoutingConfig({
      alerting: {
        rules: { disk_space: { enabled: false } }, // not ours: left alone
        routing: { group_wait: '10s', repeat_warning: '12h', send_resolved: false },
        default_time_zone: 'America/Chicago',
        sites: [{ client: 'Northside', site: 'Main St', time_zone: 'America/New_York' }],
        maintenance_windows: [
          { name: 'patching', client: 'Northside', start: '22:30', duration: '90m' },
          {
            name: 'nas',
            client: 'Northside',
            site: 'Main St',
            host: 'NAS',
            rules: ['backup', 'smart'],
            days: ['sat', 'sun'],
            start: '2:05',
            duration: '3h',
            time_zone: 'Europe/Berlin',
          },
        ],
      },
      notifications: {
        channels: { email: {} }, // not ours either
        routes: [{ match: { client: 'Northside', severity: 'critical' }, channels: ['pager'], continue: true }],
        default_channels: ['email'],
        escalation_channels: ['owner-sms'],
      },
    });
    expect(config.timing).toMatchObject({ groupWaitMs: 10_000, groupIntervalMs: 300_000, repeatWarningMs: 43_200_000 });
    expect(config.timing.sendResolved).toBe(false);
    expect(config.defaultTimeZone).toBe('America/Chicago');
    expect(config.sites).toEqual([{ client: 'Northside', site: 'Main St', timeZone: 'America/New_York' }]);
    expect(config.maintenanceWindows).toEqual([
      {
        name: 'patching',
        client: 'Northside',
        site: null,
        host: null,
        rules: null,
        days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'],
        startMinute: 22 * 60 + 30,
        durationMs: 90 * 60_000,
        timeZone: null,
      },
      {
        name: 'nas',
        client: 'Northside',
        site: 'Main St',
        host: 'NAS',
        rules: ['backup', 'smart'],
        days: ['sat', 'sun'],
        startMinute: 125,
        durationMs: 3 * 3600_000,
        timeZone: 'Europe/Berlin',
      },
    ]);
    expect(config.routes).toEqual([
      { match: { client: 'Northside', severity: 'critical' }, channels: ['pager'], continue: true },
    ]);
    expect(config.defaultChannels).toEqual(['email']);
    expect(config.escalationChannels).toEqual(['owner-sms']);
  });

  it('names an unknown time zone by its key path', () => {
    const raw = {
      alerting: {
        default_time_zone: 'Mars/Olympus',
        sites: [
          { client: 'A', site: 'One', time_zone: 'Europe/Berlin' },
          { client: 'A', site: 'Two', time_zone: 'Europe/Berlyn' },
        ],
        maintenance_windows: [{ name: 'w', client: 'A', start: '02:00', duration: '1h', time_zone: 'CEST+2' }],
      },
    };
    const issues = routingConfigIssues(raw);
    expect(issues.map((i) => i.path)).toEqual([
      'alerting.default_time_zone',
      'alerting.sites[1].time_zone',
      'alerting.maintenance_windows[0].time_zone',
    ]);
    expect(issues[1]?.message).toBe(
      '"Europe/Berlyn" is not an IANA time zone; write e.g. Europe/Berlin or America/New_York',
    );
    expect(() => parseRoutingConfig(raw, { file: 'collector.yaml' })).toThrow(ConfigError);
    expect(() => parseRoutingConfig(raw, { file: 'collector.yaml' })).toThrow(
      /collector\.yaml: alerting\.sites\[1\]\.time_zone: "Europe\/Berlyn" is not an IANA time zone/,
    );
  });

  it('checks start times, window lengths and repeated sites', () => {
    const issues = routingConfigIssues({
      alerting: {
        sites: [
          { client: 'A', site: 'One', time_zone: 'UTC' },
          { client: 'A', site: 'One', time_zone: 'Europe/Berlin' },
        ],
        maintenance_windows: [
          { name: 'late', client: 'A', start: '24:00', duration: '1h' },
          { name: 'zero', client: 'A', start: '02:00', duration: '0m' },
          { name: 'long', client: 'A', start: '02:00', duration: '8d' },
        ],
      },
    });
    expect(issues).toEqual([
      { path: 'alerting.sites[1]', message: 'repeats alerting.sites[0] (same client and site)' },
      { path: 'alerting.maintenance_windows[0].start', message: 'must be a local time HH:MM such as 02:00 or 22:30' },
      {
        path: 'alerting.maintenance_windows[1].duration',
        message: 'must be longer than 0 and at most 7d (use a silence for more)',
      },
      {
        path: 'alerting.maintenance_windows[2].duration',
        message: 'must be longer than 0 and at most 7d (use a silence for more)',
      },
    ]);
  });

  it('reports schema errors with key paths: unknown keys and bad durations', () => {
    expect(
      routingConfigIssues({
        alerting: { routing: { group_wiat: '30s', repeat_critical: 'four hours' } },
        notifications: { routes: [{ match: { tenant: 'A' }, channels: ['email'] }] },
      }),
    ).toEqual(
      expect.arrayContaining([
        { path: 'alerting.routing.group_wiat', message: 'is not a known key' },
        { path: 'alerting.routing.repeat_critical', message: 'must be a duration such as 30s, 15m, 6h or 7d' },
        { path: 'notifications.routes[0].match.tenant', message: 'is not a known key' },
      ]),
    );
  });

  it('lists every allowed day, rule and severity when one is misspelt', () => {
    const issues = routingConfigIssues({
      alerting: {
        maintenance_windows: [
          { name: 'w', client: 'A', days: ['sunday'], rules: ['disk'], start: '02:00', duration: '1h' },
        ],
      },
      notifications: { routes: [{ match: { severity: 'high' }, channels: [] }] },
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        {
          path: 'alerting.maintenance_windows[0].days[0]',
          message: 'must be one of: mon, tue, wed, thu, fri, sat, sun',
        },
        {
          path: 'alerting.maintenance_windows[0].rules[0]',
          message: `must be one of: ${RULE_NAMES.join(', ')}`,
        },
        { path: 'notifications.routes[0].match.severity', message: 'must be one of: warning, critical' },
      ]),
    );
  });

  it('checks channel names against the channels the file defines, when told them', () => {
    const raw = {
      notifications: {
        routes: [{ channels: ['email', 'pagr'] }],
        default_channels: ['email'],
        escalation_channels: ['sms'],
      },
    };
    expect(routingConfigIssues(raw)).toEqual([]);
    expect(routingConfigIssues(raw, ['email', 'pager'])).toEqual([
      { path: 'notifications.routes[0].channels[1]', message: 'no channel named "pagr" (channels: email, pager)' },
      { path: 'notifications.escalation_channels[0]', message: 'no channel named "sms" (channels: email, pager)' },
    ]);
  });
});

describe('selectChannels', () => {
  const labels: RouteLabels = {
    client: 'Northside',
    site: 'Main St',
    host: 'EMR-SRV01',
    rule: 'disk_space',
    severity: 'critical',
  };
  const route = (match: NotificationRoute['match'], channels: string[], cont = false): NotificationRoute => ({
    match,
    channels,
    continue: cont,
  });

  it('takes the first matching route', () => {
    const routes = [
      route({ client: 'Eastside' }, ['east']),
      route({ client: 'Northside' }, ['north']),
      route({}, ['all']),
    ];
    expect(selectChannels(routes, labels, ['default'])).toEqual(['north']);
  });

  it('matches on every key the route names', () => {
    const routes = [
      route({ client: 'Northside', severity: 'warning' }, ['north-warn']),
      route({ rule: 'disk_space', host: 'EMR-SRV01' }, ['disk']),
    ];
    expect(selectChannels(routes, labels, [])).toEqual(['disk']);
    expect(selectChannels(routes, { ...labels, severity: 'warning' }, [])).toEqual(['north-warn']);
  });

  it('goes on past a matching route that says continue, without repeating a channel', () => {
    const routes = [
      route({ severity: 'critical' }, ['pager', 'email'], true),
      route({ client: 'Eastside' }, ['east']),
      route({ client: 'Northside' }, ['email', 'north']),
      route({}, ['never']),
    ];
    expect(selectChannels(routes, labels, ['default'])).toEqual(['pager', 'email', 'north']);
  });

  it('falls back to the default channels when nothing matches', () => {
    expect(selectChannels([route({ client: 'Eastside' }, ['east'])], labels, ['default'])).toEqual(['default']);
  });

  it('sends nowhere when the matching route lists no channel', () => {
    expect(selectChannels([route({ client: 'Northside' }, [])], labels, ['default'])).toEqual([]);
  });
});

describe('siteZones', () => {
  it('gives a listed site its zone and any other the default zone', () => {
    const zoneOf = siteZones({
      sites: [{ client: 'Northside', site: 'Main St', timeZone: 'America/New_York' }],
      defaultTimeZone: 'Europe/London',
    });
    expect(zoneOf('Northside', 'Main St')).toBe('America/New_York');
    expect(zoneOf('Northside', 'Annex')).toBe('Europe/London');
    expect(zoneOf('Eastside', 'Main St')).toBe('Europe/London');
  });
});
