import { describe, expect, it } from 'vitest';
import { alertRecord } from '../fixtures/alerts.js';
import { hostFacts } from '../fixtures/reports.js';
import type { AgentRecord } from '../store/store.js';
import { buildFleet, type FleetInput, type WorstResult } from './fleet.js';

const NOW = Date.UTC(2025, 0, 20, 9, 30);
const MINUTE = 60_000;

function agent(id: string, hostname: string, client: string, site: string, over: Partial<AgentRecord> = {}) {
  return {
    id,
    hostname,
    client,
    site,
    facts: hostFacts(hostname),
    enrolled_at: NOW - 86_400_000,
    last_seen: NOW - MINUTE,
    last_boot_id: 'b',
    state: 'running',
    dropped_total: 0,
    buffer_depth: 0,
    retired_at: null,
    last_seq: 1,
    ...over,
  } satisfies AgentRecord;
}

const worst = (status: string): WorstResult => ({
  check: 'x',
  target: '',
  status,
  message: `x is ${status}`,
  not_ok: 1,
});

function input(over: Partial<FleetInput> = {}): FleetInput {
  return {
    sites: [
      { client: 'A', site: 'One' },
      { client: 'A', site: 'Two' },
      { client: 'A', site: 'Empty' },
    ],
    agents: [
      agent('a1', 'PC-10', 'A', 'One'),
      agent('a2', 'PC-2', 'A', 'One'),
      agent('a3', 'pc-3', 'A', 'One'),
      agent('a4', 'SRV', 'A', 'Two'),
    ],
    worst: new Map(),
    openAlerts: [],
    now: NOW,
    silentAfterMs: 10 * MINUTE,
    ...over,
  };
}
const all = { canSee: () => true };

describe('buildFleet', () => {
  it('orders equal hosts by name the way people count: PC-2, pc-3, PC-10', () => {
    const fleet = buildFleet(input(), all);
    const one = fleet.clients[0]?.sites.find((s) => s.name === 'One');
    expect(one?.hosts.map((h) => h.hostname)).toEqual(['PC-2', 'pc-3', 'PC-10']);
  });

  it('makes a site as bad as its own alert (all hosts silent) even when its hosts look fine', () => {
    const siteAlert = alertRecord({
      id: 'al_site',
      agent_id: '',
      host: '',
      client: 'A',
      site: 'Two',
      rule: 'site_offline',
    });
    const fleet = buildFleet(input({ openAlerts: [siteAlert] }), all);
    const two = fleet.clients[0]?.sites[0];
    expect(two).toMatchObject({ name: 'Two', level: 'critical', counts: { hosts: 1, ok: 1, open_alerts: 1 } });
    expect(two?.site_alerts.map((a) => a.id)).toEqual(['al_site']);
    expect(fleet.counts.open_alerts).toBe(1);
  });

  it('ranks a WARNING result above UNKNOWN above OK; a pending alert counts as open and pending, not as the level', () => {
    const pending = alertRecord({
      id: 'al_p',
      agent_id: 'a3',
      client: 'A',
      site: 'One',
      state: 'pending',
      severity: 'critical',
    });
    const fleet = buildFleet(
      input({
        worst: new Map([
          ['a1', worst('UNKNOWN')],
          ['a2', worst('WARNING')],
        ]),
        openAlerts: [pending],
      }),
      all,
    );
    const hosts = fleet.clients[0]?.sites[0]?.hosts ?? [];
    expect(hosts.map((h) => [h.hostname, h.level, h.open_alerts, h.pending_alerts, h.worst_alert])).toEqual([
      ['PC-2', 'warning', 0, 0, null],
      ['PC-10', 'unknown', 0, 0, null],
      ['pc-3', 'ok', 1, 1, null],
    ]);
    expect(hosts[1]?.summary).toBe('x is UNKNOWN');
    expect(fleet.counts.critical).toBe(0);
  });

  it('makes a host critical once its alert fires', () => {
    const firing = alertRecord({ id: 'al_f', agent_id: 'a3', client: 'A', site: 'One', severity: 'critical' });
    const fleet = buildFleet(input({ openAlerts: [{ ...firing, state: 'firing' }] }), all);
    const host = fleet.clients[0]?.sites[0]?.hosts[0];
    expect([host?.hostname, host?.level, host?.pending_alerts, host?.worst_alert]).toEqual([
      'pc-3',
      'critical',
      0,
      'critical',
    ]);
    expect(fleet.counts.critical).toBe(1);
  });

  it('shows an agent that stopped cleanly as offline and unknown, not as ok', () => {
    const fleet = buildFleet(input({ agents: [agent('a1', 'PC-1', 'A', 'One', { state: 'stopping' })] }), all);
    expect(fleet.clients[0]?.sites[0]?.hosts[0]).toMatchObject({ status: 'offline', level: 'unknown' });
  });

  it('lists empty sites without a filter, and with a search only when the site or client name matches', () => {
    expect(buildFleet(input(), all).clients[0]?.sites.map((s) => s.name)).toEqual(['Empty', 'One', 'Two']);
    expect(buildFleet(input(), { ...all, q: 'empt' }).clients[0]?.sites.map((s) => s.name)).toEqual(['Empty']);
    expect(buildFleet(input(), { ...all, q: 'srv' }).clients[0]?.sites.map((s) => s.name)).toEqual(['Two']);
    expect(buildFleet(input(), { ...all, status: ['ok'] }).counts).toMatchObject({ sites: 2, hosts: 4 });
  });

  it('leaves out every client the principal may not see, with its alerts', () => {
    const other = alertRecord({ id: 'al_b', client: 'B', site: 'Z', agent_id: 'b1' });
    const fleet = buildFleet(
      input({
        sites: [...input().sites, { client: 'B', site: 'Z' }],
        agents: [...input().agents, agent('b1', 'B-1', 'B', 'Z')],
        openAlerts: [other],
      }),
      { canSee: (c) => c === 'A' },
    );
    expect(fleet.clients.map((c) => c.name)).toEqual(['A']);
    expect(fleet.counts).toMatchObject({ hosts: 4, open_alerts: 0 });
  });
});
