import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { GroupState } from '../alerting/route.js';
import { alertRecord, silenceRecord } from '../fixtures/alerts.js';
import { T0 } from '../fixtures/reports.js';
import { SqliteStore } from './sqlite.js';
import { SqliteAlertStore } from './sqlite-alerts.js';

let dir: string;
let store: SqliteStore;
let alerts: SqliteAlertStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vitals-alerts-'));
  store = SqliteStore.open(dir);
  alerts = new SqliteAlertStore(store.db);
});
afterEach(async () => {
  await store.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

async function reopen(): Promise<void> {
  await store.close();
  store = SqliteStore.open(dir);
  alerts = new SqliteAlertStore(store.db);
}

describe('SqliteAlertStore alerts', () => {
  it('gives back a saved alert exactly, nested parts and all, after the database is reopened', async () => {
    const record = alertRecord({ ack: { by: 'sam', at: T0 + 5, comment: 'on it' }, notified_state: 'firing' });
    const texty = alertRecord({
      id: 'al_2',
      rule: 'service',
      target: 'Spooler',
      value: 'stopped',
      threshold: 'running',
      unit: null,
      forecast: null,
      since: { critical: T0 },
    });
    const flag = alertRecord({ id: 'al_3', rule: 'reboot', target: '', value: true, threshold: null });
    const nothing = alertRecord({ id: 'al_4', rule: 'heartbeat', target: '', value: null, threshold: 600 });
    for (const r of [record, texty, flag, nothing]) alerts.save(r);
    await reopen();
    expect(alerts.get(record.id)).toStrictEqual(record);
    expect(alerts.get('al_2')).toStrictEqual(texty);
    expect(alerts.get('al_3')?.value).toBe(true);
    expect(alerts.get('al_4')?.value).toBeNull();
    expect(alerts.get('al_nope')).toBeUndefined();
  });

  it('replaces the row with the same id on save (a transition moves one alert along)', () => {
    alerts.save(alertRecord({ state: 'pending', started_at: null }));
    const resolved = alertRecord({
      state: 'resolved',
      resolved_at: T0 + 60_000,
      counts: { warning: 0, critical: 0, ok: 2 },
    });
    alerts.save(resolved);
    expect(alerts.list()).toStrictEqual([resolved]);
    expect(alerts.openAlerts()).toEqual([]);
  });

  it('refuses a second open alert for the same host, rule and target, but keeps any number resolved', () => {
    alerts.save(alertRecord({ id: 'al_old', state: 'resolved', resolved_at: T0 - 1 }));
    alerts.save(alertRecord({ id: 'al_older', state: 'resolved', resolved_at: T0 - 2 }));
    alerts.save(alertRecord({ id: 'al_open' }));
    expect(() => alerts.save(alertRecord({ id: 'al_twin', state: 'pending' }))).toThrow(/UNIQUE/);
    // Another target, another host, or the site-level key of the same site are other keys.
    alerts.save(alertRecord({ id: 'al_d', target: 'D:' }));
    alerts.save(alertRecord({ id: 'al_h2', agent_id: 'ag_two', host: 'FRONT-DESK' }));
    alerts.save(alertRecord({ id: 'al_site', agent_id: '', host: '', rule: 'site_offline', target: '' }));
    expect(() =>
      alerts.save(alertRecord({ id: 'al_site2', agent_id: '', host: '', rule: 'site_offline', target: '' })),
    ).toThrow(/UNIQUE/);
    alerts.save(
      alertRecord({ id: 'al_site_b', agent_id: '', host: '', rule: 'site_offline', target: '', site: 'Branch' }),
    );
    expect(alerts.openAlerts().map((a) => a.id)).toHaveLength(5);
  });

  it('lists open alerts per agent, with the site-level ones under agent id ""', () => {
    alerts.save(alertRecord({ id: 'al_a' }));
    alerts.save(alertRecord({ id: 'al_b', agent_id: 'ag_two', host: 'FRONT-DESK' }));
    alerts.save(alertRecord({ id: 'al_r', target: 'D:', state: 'resolved', resolved_at: T0 }));
    alerts.save(alertRecord({ id: 'al_s', agent_id: '', host: '', rule: 'site_offline', target: '' }));
    expect(alerts.openAlertsForAgent('ag_one').map((a) => a.id)).toEqual(['al_a']);
    expect(alerts.openAlertsForAgent('').map((a) => a.id)).toEqual(['al_s']);
  });

  it('deletes an alert by id and says whether there was one', () => {
    alerts.save(alertRecord());
    expect(alerts.delete('al_0000000000000001')).toBe(true);
    expect(alerts.delete('al_0000000000000001')).toBe(false);
    expect(alerts.openAlerts()).toEqual([]);
  });

  it('finds resolved alerts whose resolve notice is still owed, and forgets them once marked', () => {
    alerts.save(alertRecord({ id: 'al_told', state: 'resolved', resolved_at: T0, notified_state: 'firing' }));
    alerts.save(alertRecord({ id: 'al_quiet', target: 'D:', state: 'resolved', resolved_at: T0 }));
    expect(alerts.unnotifiedResolved().map((a) => a.id)).toEqual(['al_told']);
    alerts.applyMarks([
      {
        id: 'al_told',
        notified_state: 'resolved',
        notified_severity: 'critical',
        notified_at: T0 + 9,
        escalated_at: 7,
      },
    ]);
    expect(alerts.unnotifiedResolved()).toEqual([]);
    expect(alerts.get('al_told')).toMatchObject({
      notified_state: 'resolved',
      notified_severity: 'critical',
      notified_at: T0 + 9,
      escalated_at: 7,
      // Marks touch only the routing bookkeeping.
      summary: alertRecord().summary,
      updated_at: T0,
    });
  });

  it('lists newest first, filtered by open, client and a since that keeps alerts still open then', () => {
    const h = 3600_000;
    alerts.save(alertRecord({ id: 'al_1', target: 'A:', pending_since: T0, state: 'resolved', resolved_at: T0 + h }));
    alerts.save(alertRecord({ id: 'al_2', target: 'B:', pending_since: T0 + 2 * h }));
    alerts.save(alertRecord({ id: 'al_3', target: 'C:', pending_since: T0 + 3 * h, client: 'Eastside' }));
    alerts.save(
      alertRecord({ id: 'al_4', target: 'D:', pending_since: T0 - h, state: 'resolved', resolved_at: T0 + 5 * h }),
    );
    const ids = (q: Parameters<SqliteAlertStore['list']>[0]) => alerts.list(q).map((a) => a.id);
    expect(ids({})).toEqual(['al_3', 'al_2', 'al_1', 'al_4']);
    expect(ids({ open: true })).toEqual(['al_3', 'al_2']);
    expect(ids({ client: 'Northside' })).toEqual(['al_2', 'al_1', 'al_4']);
    expect(ids({ since: T0 + 4 * h })).toEqual(['al_3', 'al_2', 'al_4']);
    expect(ids({ limit: 2 })).toEqual(['al_3', 'al_2']);
  });

  it('acknowledges only a firing alert, and the acknowledgement survives a reopen', async () => {
    alerts.save(alertRecord({ id: 'al_fire' }));
    alerts.save(alertRecord({ id: 'al_pend', target: 'D:', state: 'pending', started_at: null }));
    alerts.save(alertRecord({ id: 'al_done', target: 'E:', state: 'resolved', resolved_at: T0 }));
    const ack = { by: 'sam', at: T0 + 1000, comment: 'ordering a disk' };
    expect(alerts.acknowledge('al_fire', ack)).toMatchObject({ id: 'al_fire', ack, updated_at: T0 + 1000 });
    expect(alerts.acknowledge('al_pend', ack)).toBeUndefined();
    expect(alerts.acknowledge('al_done', ack)).toBeUndefined();
    expect(alerts.acknowledge('al_none', ack)).toBeUndefined();
    expect(alerts.get('al_pend')?.ack).toBeNull();
    await reopen();
    expect(alerts.get('al_fire')?.ack).toStrictEqual(ack);
  });

  it('prunes old resolved alerts but keeps open ones and those whose resolve notice is owed', () => {
    alerts.save(alertRecord({ id: 'al_old', target: 'A:', state: 'resolved', resolved_at: T0 - 10 }));
    alerts.save(
      alertRecord({ id: 'al_owed', target: 'B:', state: 'resolved', resolved_at: T0 - 10, notified_state: 'firing' }),
    );
    alerts.save(alertRecord({ id: 'al_new', target: 'C:', state: 'resolved', resolved_at: T0 + 10 }));
    alerts.save(alertRecord({ id: 'al_open', target: 'D:' }));
    expect(alerts.pruneResolved(T0)).toBe(1);
    expect(
      alerts
        .list()
        .map((a) => a.id)
        .sort(),
    ).toEqual(['al_new', 'al_open', 'al_owed']);
  });

  it('makes distinct prefixed ids', () => {
    const ids = new Set(Array.from({ length: 100 }, () => alerts.newAlertId()));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^al_[0-9a-f]{16}$/);
    expect(alerts.newSilenceId()).toMatch(/^si_[0-9a-f]{16}$/);
  });
});

describe('SqliteAlertStore groups', () => {
  it('replaces the routing groups with what the router hands back, across a reopen', async () => {
    const a: GroupState = {
      key: 'Northside/Main St/ag_one',
      client: 'Northside',
      site: 'Main St',
      host: 'EMR-SRV01',
      agent_id: 'ag_one',
      last_flush_at: T0,
    };
    const b: GroupState = {
      key: 'Northside/Main St/',
      client: 'Northside',
      site: 'Main St',
      host: '',
      agent_id: '',
      last_flush_at: null,
    };
    alerts.saveGroups(
      new Map([
        [a.key, a],
        [b.key, b],
      ]),
    );
    await reopen();
    expect(alerts.groups()).toStrictEqual(
      new Map([
        [a.key, a],
        [b.key, b],
      ]),
    );
    alerts.saveGroups([{ ...a, last_flush_at: T0 + 300_000 }]);
    expect([...alerts.groups().values()]).toStrictEqual([{ ...a, last_flush_at: T0 + 300_000 }]);
  });
});

describe('SqliteAlertStore silences', () => {
  it('gives back a silence exactly after a reopen', async () => {
    const s = silenceRecord();
    alerts.addSilence(s);
    await reopen();
    expect(alerts.getSilence(s.id)).toStrictEqual(s);
    expect(alerts.listSilences({ now: T0 })).toStrictEqual([s]);
  });

  it('is active from its start until its end (exclusive), and a scheduled one is listed but not active', () => {
    alerts.addSilence(silenceRecord({ id: 'si_now', created_at: T0 }));
    alerts.addSilence(
      silenceRecord({ id: 'si_later', starts_at: T0 + 7200_000, ends_at: T0 + 9000_000, created_at: T0 + 1 }),
    );
    alerts.addSilence(silenceRecord({ id: 'si_gone', starts_at: T0 - 9000_000, ends_at: T0 - 1, created_at: T0 - 2 }));
    const active = (t: number) => alerts.activeSilences(t).map((s) => s.id);
    expect(active(T0)).toEqual(['si_now']);
    expect(active(T0 + 3600_000)).toEqual([]);
    expect(active(T0 + 7200_000)).toEqual(['si_later']);
    expect(alerts.listSilences({ active: true, now: T0 }).map((s) => s.id)).toEqual(['si_later', 'si_now']);
    expect(alerts.listSilences({ now: T0 }).map((s) => s.id)).toEqual(['si_later', 'si_now', 'si_gone']);
  });

  it('expires a running silence early, once, and not one already over or unknown', async () => {
    alerts.addSilence(silenceRecord({ id: 'si_run' }));
    alerts.addSilence(silenceRecord({ id: 'si_over', ends_at: T0 + 10 }));
    expect(alerts.expireSilence('si_run', T0 + 60_000)).toBe(true);
    expect(alerts.expireSilence('si_run', T0 + 61_000)).toBe(false);
    expect(alerts.expireSilence('si_over', T0 + 60_000)).toBe(false);
    expect(alerts.expireSilence('si_none', T0)).toBe(false);
    await reopen();
    expect(alerts.getSilence('si_run')?.expired_at).toBe(T0 + 60_000);
    expect(alerts.activeSilences(T0 + 60_000)).toEqual([]);
    expect(alerts.activeSilences(T0 + 59_999).map((s) => s.id)).toEqual(['si_run']);
    expect(alerts.listSilences({ active: true, now: T0 + 60_000 })).toEqual([]);
  });
});
