import { describe, expect, it } from 'vitest';
import { type GroupState, groupKey, type RouteOutput, route } from './route.js';
import { parseRoutingConfig, type RoutingConfig } from './routing-config.js';
import { createSilence, type Silence } from './silence.js';
import type { AlertRecord, NewNotification } from './types.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
/** Monday 2025-01-06 09:00 UTC. */
const T0 = Date.UTC(2025, 0, 6, 9, 0);

let ids = 0;

function alert(overrides: Partial<AlertRecord> = {}): AlertRecord {
  return {
    id: `al_${++ids}`,
    client: 'Northside',
    site: 'Main St',
    agent_id: 'ag_emr',
    host: 'EMR-SRV01',
    rule: 'disk_space',
    target: 'C:',
    state: 'firing',
    severity: 'critical',
    since: {},
    counts: { warning: 0, critical: 1, ok: 0 },
    last_at: T0,
    pending_since: T0,
    started_at: T0,
    resolved_at: null,
    value: 4,
    threshold: 5,
    unit: 'percent',
    summary: 'Disk C: has 4 % free',
    forecast: null,
    ack: null,
    notified_state: null,
    notified_severity: null,
    notified_at: null,
    escalated_at: null,
    updated_at: T0,
    ...overrides,
  };
}

/**
 * The stored side of routing, as the engine keeps it: alerts with their marks applied, the groups
 * the router handed back, the silences. `run(now)` is one routing pass.
 */
class World {
  alerts = new Map<string, AlertRecord>();
  groups = new Map<string, GroupState>();
  silences: Silence[] = [];
  sent: NewNotification[] = [];
  private keys = 0;
  constructor(public config: RoutingConfig = parseRoutingConfig({ notifications: { default_channels: ['email'] } })) {}

  add(...alerts: AlertRecord[]): AlertRecord[] {
    for (const a of alerts) this.alerts.set(a.id, a);
    return alerts;
  }

  update(id: string, change: Partial<AlertRecord>): void {
    const a = this.alerts.get(id) as AlertRecord;
    this.alerts.set(id, { ...a, ...change });
  }

  resolve(id: string, at: number): void {
    this.update(id, { state: 'resolved', resolved_at: at, updated_at: at });
  }

  get(id: string): AlertRecord {
    return this.alerts.get(id) as AlertRecord;
  }

  run(now: number): RouteOutput {
    // What the engine reads: open alerts, and resolved ones whose firing was told.
    const alerts = [...this.alerts.values()].filter((a) => a.state !== 'resolved' || a.notified_state === 'firing');
    const out = route({
      now,
      alerts,
      groups: this.groups,
      silences: this.silences,
      config: this.config,
      newKey: () => `nk_${++this.keys}`,
    });
    for (const m of out.alertMarks) this.update(m.id, m);
    this.groups = new Map(out.groups.map((g) => [g.key, g]));
    this.sent.push(...out.notifications);
    return out;
  }
}

const listed = (n: NewNotification | undefined) => n?.alerts.map((a) => [a.id, a.state, a.changed]);

describe('grouping and timing', () => {
  it('holds the first alert of a group for group_wait, then sends one notification', () => {
    const w = new World();
    const [a] = w.add(alert());
    const first = w.run(T0);
    expect(first.notifications).toEqual([]);
    expect(first.nextDueAt).toBe(T0 + 30 * SECOND);
    expect(w.run(T0 + 30 * SECOND - 1).notifications).toEqual([]);

    const out = w.run(T0 + 30 * SECOND);
    expect(out.notifications).toHaveLength(1);
    expect(out.notifications[0]).toMatchObject({
      idempotency_key: 'nk_1',
      channel: 'email',
      kind: 'firing',
      client: 'Northside',
      site: 'Main St',
      host: 'EMR-SRV01',
      agent_id: 'ag_emr',
      severity: 'critical',
      created_at: T0 + 30 * SECOND,
    });
    expect(out.notifications[0]?.alerts[0]).toMatchObject({
      id: a?.id,
      rule: 'disk_space',
      target: 'C:',
      changed: true,
    });
    expect(out.alertMarks).toEqual([
      {
        id: a?.id,
        notified_state: 'firing',
        notified_severity: 'critical',
        notified_at: T0 + 30 * SECOND,
        escalated_at: null,
      },
    ]);
    expect(out.groups).toEqual([
      {
        key: groupKey('Northside', 'Main St', 'EMR-SRV01'),
        client: 'Northside',
        site: 'Main St',
        host: 'EMR-SRV01',
        agent_id: 'ag_emr',
        last_flush_at: T0 + 30 * SECOND,
      },
    ]);
    // Told: nothing more until the critical reminder.
    expect(w.run(T0 + 31 * SECOND).notifications).toEqual([]);
  });

  it('lets a second alert join the waiting group: one notification listing both', () => {
    const w = new World();
    const [a, b] = w.add(alert(), alert({ target: 'D:', started_at: T0 + 10 * SECOND, severity: 'warning' }));
    const out = w.run(T0 + 30 * SECOND);
    expect(out.notifications).toHaveLength(1);
    expect(listed(out.notifications[0])).toEqual([
      [a?.id, 'firing', true],
      [b?.id, 'firing', true],
    ]);
    expect(out.notifications[0]?.severity).toBe('critical');
  });

  it('sends news in a notified group no sooner than group_interval after the last flush, listing the whole group', () => {
    const w = new World();
    const [a] = w.add(alert());
    w.run(T0 + 30 * SECOND);
    const [b] = w.add(alert({ rule: 'backup', target: 'veeam', started_at: T0 + MINUTE, severity: 'warning' }));
    const waiting = w.run(T0 + MINUTE);
    expect(waiting.notifications).toEqual([]);
    expect(waiting.nextDueAt).toBe(T0 + 30 * SECOND + 5 * MINUTE);
    expect(w.run(T0 + 30 * SECOND + 5 * MINUTE - 1).notifications).toEqual([]);

    const out = w.run(T0 + 30 * SECOND + 5 * MINUTE);
    expect(out.notifications).toHaveLength(1);
    expect(listed(out.notifications[0])).toEqual([
      [a?.id, 'firing', false],
      [b?.id, 'firing', true],
    ]);
  });

  it('gives news in a long-quiet group group_wait to gather, not an instant send', () => {
    const w = new World();
    w.add(alert());
    w.run(T0 + 30 * SECOND);
    const later = T0 + 2 * HOUR;
    w.add(alert({ target: 'D:', started_at: later }));
    expect(w.run(later).nextDueAt).toBe(later + 30 * SECOND);
    expect(w.run(later + 30 * SECOND).notifications).toHaveLength(1);
  });

  it('keeps groups apart by host, and a site alert in its own group', () => {
    const w = new World();
    w.add(
      alert(),
      alert({ host: 'FRONT-DESK', agent_id: 'ag_fd' }),
      alert({ site: 'Annex', host: '', agent_id: '', rule: 'site_offline', target: '' }),
    );
    const out = w.run(T0 + 30 * SECOND);
    expect(out.notifications.map((n) => `${n.site}/${n.host}`).sort()).toEqual([
      'Annex/',
      'Main St/EMR-SRV01',
      'Main St/FRONT-DESK',
    ]);
    expect(out.groups).toHaveLength(3);
  });

  it('tells a severity rise as news, and not a fall', () => {
    const w = new World();
    const [a] = w.add(alert({ severity: 'warning' }));
    w.run(T0 + 30 * SECOND);
    w.update(a?.id as string, { severity: 'critical', updated_at: T0 + 10 * MINUTE });
    const out = w.run(T0 + 10 * MINUTE);
    expect(out.notifications).toHaveLength(1);
    expect(out.notifications[0]).toMatchObject({ kind: 'firing', severity: 'critical' });
    expect(w.get(a?.id as string).notified_severity).toBe('critical');

    w.update(a?.id as string, { severity: 'warning', updated_at: T0 + 20 * MINUTE });
    expect(w.run(T0 + 20 * MINUTE).notifications).toEqual([]);
  });

  it('gives every outbox row its own idempotency key', () => {
    const w = new World(parseRoutingConfig({ notifications: { default_channels: ['email', 'webhook'] } }));
    w.add(alert(), alert({ host: 'FRONT-DESK' }));
    const out = w.run(T0 + 30 * SECOND);
    expect(out.notifications).toHaveLength(4);
    expect(new Set(out.notifications.map((n) => n.idempotency_key)).size).toBe(4);
  });

  it('has nothing due when nothing is open', () => {
    const out = new World().run(T0);
    expect(out).toEqual({ notifications: [], alertMarks: [], groups: [], nextDueAt: null });
  });
});

describe('reminders', () => {
  it('re-sends a told critical alert after 4 h', () => {
    const w = new World();
    const [a] = w.add(alert());
    const told = T0 + 30 * SECOND;
    // First due: the escalation check (no escalation channel here); then the reminder.
    expect(w.run(told).nextDueAt).toBe(T0 + 30 * MINUTE);
    expect(w.run(T0 + 30 * MINUTE).nextDueAt).toBe(told + 4 * HOUR);
    expect(w.run(told + 4 * HOUR - 1).notifications).toEqual([]);
    const out = w.run(told + 4 * HOUR);
    expect(out.notifications).toHaveLength(1);
    expect(out.notifications[0]).toMatchObject({ kind: 'reminder', severity: 'critical' });
    expect(listed(out.notifications[0])).toEqual([[a?.id, 'firing', true]]);
    expect(w.get(a?.id as string).notified_at).toBe(told + 4 * HOUR);
    expect(out.nextDueAt).toBe(told + 8 * HOUR);
  });

  it('re-sends a told warning alert after 24 h', () => {
    const w = new World();
    w.add(alert({ severity: 'warning' }));
    const told = T0 + 30 * SECOND;
    w.run(told);
    expect(w.run(told + 4 * HOUR).notifications).toEqual([]);
    expect(w.run(told + 24 * HOUR - 1).notifications).toEqual([]);
    expect(w.run(told + 24 * HOUR).notifications.map((n) => n.kind)).toEqual(['reminder']);
  });

  it('sends one reminder per group, listing the other firing alerts too', () => {
    const w = new World();
    const [a, b] = w.add(alert(), alert({ target: 'D:', severity: 'warning' }));
    const told = T0 + 30 * SECOND;
    w.run(told);
    const out = w.run(told + 4 * HOUR);
    expect(out.notifications).toHaveLength(1);
    expect(listed(out.notifications[0])).toEqual([
      [a?.id, 'firing', true],
      [b?.id, 'firing', false],
    ]);
  });

  it('carries news waiting for the group tick, instead of two messages minutes apart', () => {
    const w = new World();
    const [a] = w.add(alert({ severity: 'warning' }));
    const told = T0 + 30 * SECOND;
    w.run(told);
    // Quiet for a day; a new alert arrives 10 s before the reminder is due.
    const [b] = w.add(alert({ target: 'D:', severity: 'warning', started_at: told + 24 * HOUR - 10 * SECOND }));
    expect(w.run(told + 24 * HOUR - 10 * SECOND).notifications).toEqual([]);
    const out = w.run(told + 24 * HOUR);
    expect(out.notifications.map((n) => [n.kind, listed(n)])).toEqual([
      [
        'firing',
        [
          [a?.id, 'firing', true],
          [b?.id, 'firing', true],
        ],
      ],
    ]);
  });

  it('stops once the alert is acknowledged', () => {
    const w = new World();
    const [a] = w.add(alert());
    const told = T0 + 30 * SECOND;
    w.run(told);
    w.update(a?.id as string, { ack: { by: 'sam', at: told + MINUTE, comment: 'on it' } });
    const out = w.run(told + 4 * HOUR);
    expect(out.notifications).toEqual([]);
    expect(out.nextDueAt).toBeNull();
    expect(w.run(told + 48 * HOUR).notifications).toEqual([]);
  });
});

describe('escalation', () => {
  const config = parseRoutingConfig({
    notifications: { default_channels: ['email'], escalation_channels: ['owner-sms', 'pager'] },
  });

  it('tells the escalation channels once when a critical alert stays unacknowledged for 30 min', () => {
    const w = new World(config);
    const [a] = w.add(alert());
    expect(w.run(T0 + 30 * SECOND).nextDueAt).toBe(T0 + 30 * MINUTE);
    expect(w.run(T0 + 30 * MINUTE - 1).notifications).toEqual([]);
    const out = w.run(T0 + 30 * MINUTE);
    expect(out.notifications.map((n) => [n.kind, n.channel])).toEqual([
      ['escalation', 'owner-sms'],
      ['escalation', 'pager'],
    ]);
    expect(listed(out.notifications[0])).toEqual([[a?.id, 'firing', true]]);
    expect(w.get(a?.id as string).escalated_at).toBe(T0 + 30 * MINUTE);
    expect(w.run(T0 + 31 * MINUTE).notifications).toEqual([]);
    // The reminder goes on (to the alert's own channels), the escalation is not repeated.
    expect(w.run(T0 + 30 * SECOND + 4 * HOUR).notifications.map((n) => [n.kind, n.channel])).toEqual([
      ['reminder', 'email'],
    ]);
  });

  it('does not escalate an acknowledged alert or a warning', () => {
    const w = new World(config);
    const [a] = w.add(alert(), alert({ host: 'FRONT-DESK', severity: 'warning' }));
    w.run(T0 + 30 * SECOND);
    w.update(a?.id as string, { ack: { by: 'sam', at: T0 + MINUTE, comment: '' } });
    expect(w.run(T0 + HOUR).notifications).toEqual([]);
  });

  it('escalates a silenced critical alert only once it has been told, with the first notice', () => {
    const w = new World(config);
    w.add(alert());
    w.silences = [
      createSilence({ matchers: ['host=EMR-SRV01'], ends_at: T0 + 2 * HOUR, reason: 'x', author: 'sam' }, 'si_1', T0),
    ];
    expect(w.run(T0 + HOUR).notifications).toEqual([]);
    const out = w.run(T0 + 2 * HOUR);
    expect(out.notifications.map((n) => [n.kind, n.channel])).toEqual([
      ['firing', 'email'],
      ['escalation', 'owner-sms'],
      ['escalation', 'pager'],
    ]);
  });

  it('still marks the escalation when no escalation channel is configured', () => {
    const w = new World();
    const [a] = w.add(alert());
    w.run(T0 + 30 * SECOND);
    expect(w.run(T0 + 30 * MINUTE).notifications).toEqual([]);
    expect(w.get(a?.id as string).escalated_at).toBe(T0 + 30 * MINUTE);
  });
});

describe('resolved notices', () => {
  it('tells the resolve of a told alert at the next group tick', () => {
    const w = new World();
    const [a] = w.add(alert());
    w.run(T0 + 30 * SECOND);
    w.resolve(a?.id as string, T0 + MINUTE);
    const waiting = w.run(T0 + MINUTE);
    expect(waiting.notifications).toEqual([]);
    expect(waiting.nextDueAt).toBe(T0 + 30 * SECOND + 5 * MINUTE);
    const out = w.run(T0 + 30 * SECOND + 5 * MINUTE);
    expect(out.notifications).toHaveLength(1);
    expect(out.notifications[0]).toMatchObject({ kind: 'resolved', severity: 'critical' });
    expect(listed(out.notifications[0])).toEqual([[a?.id, 'resolved', true]]);
    expect(w.get(a?.id as string).notified_state).toBe('resolved');
    // Everything resolved and told: the group is forgotten, a new alert waits group_wait again.
    expect(out.groups).toEqual([]);
    w.add(alert({ target: 'D:', started_at: T0 + 6 * MINUTE }));
    expect(w.run(T0 + 6 * MINUTE).nextDueAt).toBe(T0 + 6 * MINUTE + 30 * SECOND);
  });

  it('says nothing about an alert that resolved before it was told', () => {
    const w = new World();
    const [a] = w.add(alert());
    w.resolve(a?.id as string, T0 + 10 * SECOND);
    // Even when the engine still passes it in.
    const out = route({
      now: T0 + HOUR,
      alerts: [w.get(a?.id as string)],
      groups: new Map(),
      silences: [],
      config: w.config,
      newKey: () => 'k',
    });
    expect(out).toEqual({ notifications: [], alertMarks: [], groups: [], nextDueAt: null });
  });

  it('lists a resolve beside the alerts still firing, as a firing notification', () => {
    const w = new World();
    const [a, b] = w.add(alert(), alert({ target: 'D:' }));
    w.run(T0 + 30 * SECOND);
    w.resolve(b?.id as string, T0 + MINUTE);
    const out = w.run(T0 + 30 * SECOND + 5 * MINUTE);
    expect(out.notifications[0]?.kind).toBe('firing');
    expect(listed(out.notifications[0])).toEqual([
      [a?.id, 'firing', false],
      [b?.id, 'resolved', true],
    ]);
  });

  it('with send_resolved off, tells nothing but closes the book', () => {
    const w = new World(
      parseRoutingConfig({
        alerting: { routing: { send_resolved: false } },
        notifications: { default_channels: ['email'] },
      }),
    );
    const [a] = w.add(alert());
    w.run(T0 + 30 * SECOND);
    w.resolve(a?.id as string, T0 + MINUTE);
    const out = w.run(T0 + HOUR);
    expect(out.notifications).toEqual([]);
    expect(out.alertMarks).toEqual([expect.objectContaining({ id: a?.id, notified_state: 'resolved' })]);
    expect(out.groups).toEqual([]);
  });
});

describe('silences', () => {
  const silence = (matchers: string[], endsAt: number) =>
    createSilence({ matchers, ends_at: endsAt, reason: 'disk swap', author: 'sam' }, 'si_1', T0);

  it('holds back the notification but keeps the alert, and wakes when the silence ends', () => {
    const w = new World();
    const [a] = w.add(alert());
    w.silences = [silence(['host=EMR-SRV01'], T0 + HOUR)];
    const out = w.run(T0 + 30 * SECOND);
    expect(out.notifications).toEqual([]);
    expect(out.alertMarks).toEqual([]);
    expect(w.get(a?.id as string).state).toBe('firing');
    expect(out.nextDueAt).toBe(T0 + HOUR);
  });

  it('tells an alert still firing when its silence ends', () => {
    const w = new World();
    const [a] = w.add(alert());
    w.silences = [silence(['host=EMR-SRV01'], T0 + HOUR)];
    w.run(T0 + 30 * SECOND);
    expect(w.run(T0 + HOUR - 1).notifications).toEqual([]);
    const out = w.run(T0 + HOUR);
    expect(out.notifications.map((n) => n.kind)).toEqual(['firing']);
    expect(listed(out.notifications[0])).toEqual([[a?.id, 'firing', true]]);
  });

  it('silences only the alerts it matches, and hides them from the group’s listing', () => {
    const w = new World();
    const [, b] = w.add(alert(), alert({ rule: 'backup', target: 'veeam' }));
    w.silences = [silence(['rule=~disk_.*'], T0 + HOUR)];
    const out = w.run(T0 + 30 * SECOND);
    expect(listed(out.notifications[0])).toEqual([[b?.id, 'firing', true]]);
  });

  it('holds the resolve of a told alert while silenced and tells it when the silence ends', () => {
    const w = new World();
    const [a] = w.add(alert());
    w.run(T0 + 30 * SECOND);
    w.silences = [silence(['host=EMR-SRV01'], T0 + HOUR)];
    w.resolve(a?.id as string, T0 + 10 * MINUTE);
    const held = w.run(T0 + 10 * MINUTE);
    expect(held.notifications).toEqual([]);
    expect(held.nextDueAt).toBe(T0 + HOUR);
    expect(held.groups).toHaveLength(1);
    const out = w.run(T0 + HOUR);
    expect(out.notifications.map((n) => [n.kind, listed(n)])).toEqual([['resolved', [[a?.id, 'resolved', true]]]]);
  });

  it('stops reminders while silenced', () => {
    const w = new World();
    w.add(alert());
    w.run(T0 + 30 * SECOND);
    w.silences = [silence(['client=Northside'], T0 + 10 * HOUR)];
    expect(w.run(T0 + 30 * SECOND + 4 * HOUR).notifications).toEqual([]);
    expect(w.run(T0 + 10 * HOUR).notifications.map((n) => n.kind)).toEqual(['reminder']);
  });
});

describe('maintenance windows', () => {
  // Every day 02:00–05:00 in New York (07:00–10:00 UTC in January).
  const config = parseRoutingConfig({
    alerting: {
      sites: [{ client: 'Northside', site: 'Main St', time_zone: 'America/New_York' }],
      maintenance_windows: [{ name: 'patching', client: 'Northside', site: 'Main St', start: '02:00', duration: '3h' }],
    },
    notifications: { default_channels: ['email'] },
  });
  const windowStart = Date.UTC(2025, 0, 6, 7, 0);

  it('holds back alerts inside the window and tells them when it closes', () => {
    const w = new World(config);
    const [a] = w.add(alert({ started_at: windowStart + HOUR }));
    const inside = w.run(windowStart + HOUR + 30 * SECOND);
    expect(inside.notifications).toEqual([]);
    expect(inside.nextDueAt).toBe(windowStart + 3 * HOUR);
    const out = w.run(windowStart + 3 * HOUR);
    expect(listed(out.notifications[0])).toEqual([[a?.id, 'firing', true]]);
  });

  it('leaves other sites alone', () => {
    const w = new World(config);
    w.add(alert({ site: 'Annex', started_at: windowStart + HOUR }));
    expect(w.run(windowStart + HOUR + 30 * SECOND).notifications).toHaveLength(1);
  });
});

describe('inhibition', () => {
  it('a firing heartbeat hides the other alerts of its host until it resolves', () => {
    const w = new World();
    const [hb, disk] = w.add(alert({ rule: 'heartbeat', target: '' }), alert());
    const out = w.run(T0 + 30 * SECOND);
    expect(out.notifications).toHaveLength(1);
    expect(listed(out.notifications[0])).toEqual([[hb?.id, 'firing', true]]);
    expect(w.get(disk?.id as string).notified_state).toBeNull();

    w.resolve(hb?.id as string, T0 + 10 * MINUTE);
    const back = w.run(T0 + 10 * MINUTE);
    expect(listed(back.notifications[0])).toEqual([
      [disk?.id, 'firing', true],
      [hb?.id, 'resolved', true],
    ]);
  });

  it('a heartbeat of another host hides nothing here', () => {
    const w = new World();
    w.add(alert({ rule: 'heartbeat', target: '', host: 'FRONT-DESK' }), alert());
    expect(w.run(T0 + 30 * SECOND).notifications).toHaveLength(2);
  });

  it('a site offline gives one notification; the hosts’ heartbeats and other alerts none', () => {
    const w = new World();
    const [site] = w.add(
      alert({ host: '', agent_id: '', rule: 'site_offline', target: '' }),
      alert({ rule: 'heartbeat', target: '' }),
      alert({ rule: 'heartbeat', target: '', host: 'FRONT-DESK', agent_id: 'ag_fd' }),
      alert({ host: 'FRONT-DESK', agent_id: 'ag_fd' }),
      alert({ site: 'Annex', rule: 'heartbeat', target: '' }),
    );
    const out = w.run(T0 + 30 * SECOND);
    const mainSt = out.notifications.filter((n) => n.site === 'Main St');
    expect(mainSt).toHaveLength(1);
    expect(mainSt[0]).toMatchObject({ host: '', agent_id: '' });
    expect(listed(mainSt[0])).toEqual([[site?.id, 'firing', true]]);
    // Another site of the same client is not part of the outage.
    expect(out.notifications.filter((n) => n.site === 'Annex')).toHaveLength(1);
  });
});

describe('channels', () => {
  const config = parseRoutingConfig({
    notifications: {
      routes: [
        { match: { client: 'Northside', rule: 'backup' }, channels: ['northside-backup'] },
        { match: { client: 'Northside' }, channels: ['northside-email'] },
        { match: { client: 'Quiet' }, channels: [] },
      ],
      default_channels: ['msp-email'],
    },
  });

  it('picks the channels of each client’s route, and the default for others', () => {
    const w = new World(config);
    w.add(alert(), alert({ client: 'Eastside' }));
    const out = w.run(T0 + 30 * SECOND);
    expect(out.notifications.map((n) => [n.client, n.channel])).toEqual([
      ['Eastside', 'msp-email'],
      ['Northside', 'northside-email'],
    ]);
  });

  it('lists in each channel’s notification only the alerts routed to it', () => {
    const w = new World(config);
    const [disk, backup] = w.add(alert(), alert({ rule: 'backup', target: 'veeam', severity: 'warning' }));
    const out = w.run(T0 + 30 * SECOND);
    expect(out.notifications.map((n) => [n.channel, n.severity, listed(n)])).toEqual([
      ['northside-email', 'critical', [[disk?.id, 'firing', true]]],
      ['northside-backup', 'warning', [[backup?.id, 'firing', true]]],
    ]);
    // News for one channel does not send the other channel a repeat of what it already knows.
    w.add(alert({ target: 'D:', started_at: T0 + MINUTE }));
    const next = w.run(T0 + 30 * SECOND + 5 * MINUTE);
    expect(next.notifications.map((n) => n.channel)).toEqual(['northside-email']);
  });

  it('marks an alert routed nowhere as told, so it is not news forever', () => {
    const w = new World(config);
    const [a] = w.add(alert({ client: 'Quiet' }));
    const out = w.run(T0 + 30 * SECOND);
    expect(out.notifications).toEqual([]);
    expect(w.get(a?.id as string).notified_state).toBe('firing');
    expect(w.run(T0 + 40 * SECOND).alertMarks).toEqual([]);
  });
});
