import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report, Status } from '@vitals/shared';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hostFacts, T0 } from '../fixtures/reports.js';
import { SqliteStore } from '../store/sqlite.js';
import { SqliteAlertStore } from '../store/sqlite-alerts.js';
import { SqliteOutbox } from '../store/sqlite-outbox.js';
import { AlertEngine, type AlertEngineConfig } from './engine.js';
import { parseRoutingConfig } from './routing-config.js';

const MIN = 60_000;
let dir: string;
let store: SqliteStore;
let engine: AlertEngine;
let seq = 0;

function open(rules: AlertEngineConfig['rules'] = {}): void {
  store = SqliteStore.open(dir);
  engine = new AlertEngine({
    db: store.db,
    alerts: new SqliteAlertStore(store.db),
    outbox: new SqliteOutbox(store.db),
    config: {
      rules,
      routing: parseRoutingConfig({ notifications: { default_channels: ['ops'] } }),
      evaluateEveryMs: 30_000,
      routeEveryMs: 5_000,
    },
    logger: pino({ level: 'silent' }),
  });
  store.setIngestHook((agentId, reports, at) => engine.onIngest(agentId, reports, at));
}

async function reopen(): Promise<void> {
  await store.close();
  open();
}

function service(ts: number, status: Status, target = 'MSSQLSERVER'): Report {
  seq++;
  return {
    seq,
    boot_id: 'boot-1',
    result: {
      check: 'services',
      kind: 'service',
      target,
      status,
      values: { state: { value: status === 'OK' ? 'running' : 'stopped' } },
      message: `Service ${target} is ${status === 'OK' ? 'running' : 'stopped'}`,
      ts,
    },
  };
}

async function deliver(reports: Report[], receivedAt: number, state: 'running' | 'stopping' = 'running') {
  await store.ingest({
    agentId: 'ag_one',
    request: {
      agent_id: 'ag_one',
      reports,
      agent: { boot_id: 'boot-1', version: '0.1.0', dropped_total: 0, buffer_depth: 0, state },
    },
    receivedAt,
  });
}

function alerts() {
  return new SqliteAlertStore(store.db).list({ limit: 100 });
}

function outboxRows() {
  return new SqliteOutbox(store.db).list({});
}

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vitals-engine-'));
  seq = 0;
  open();
  await store.createToken({
    id: 'tk_one',
    hash: 'h_one',
    client: 'Smith Family Practice',
    site: 'Main St',
    createdAt: T0,
    expiresAt: T0 + 1e10,
  });
  await store.createAgent({ id: 'ag_one', tokenId: 'tk_one', secretHash: 's_one', facts: hostFacts(), now: T0 });
});

afterEach(async () => {
  engine.stop();
  await store.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe('AlertEngine', () => {
  it('fires a stopped service on the third bad check, in the transaction that stores the report', async () => {
    await deliver([service(T0, 'CRITICAL'), service(T0 + MIN, 'CRITICAL')], T0 + MIN);
    expect(alerts()[0]?.state).toBe('pending');
    await deliver([service(T0 + 2 * MIN, 'CRITICAL')], T0 + 2 * MIN);
    const [alert] = alerts();
    expect(alert).toMatchObject({ state: 'firing', severity: 'critical', rule: 'service', target: 'MSSQLSERVER' });
    expect(alert?.host).toBe('EMR-SRV01');
    expect(alert?.client).toBe('Smith Family Practice');
  });

  it('replays a backlog batch in time order: fired and resolved, one alert in the history', async () => {
    const at = (i: number) => T0 + i * MIN;
    const batch = [
      service(at(0), 'CRITICAL'),
      service(at(1), 'CRITICAL'),
      service(at(2), 'CRITICAL'),
      service(at(3), 'OK'),
      service(at(4), 'OK'),
    ].reverse();
    await deliver(batch, at(5));
    const history = alerts();
    expect(history).toHaveLength(1);
    expect(history[0]).toMatchObject({ state: 'resolved', started_at: at(2), resolved_at: at(4) });
  });

  it('tells an alert that fired and resolved within a replayed backlog, once, as a resolved notice', async () => {
    const at = (i: number) => T0 + i * MIN;
    // Two episodes in one backlog: the group's interval does not swallow the second.
    const batch = [0, 1, 2, 4, 5, 6].map((i) => service(at(i), 'CRITICAL'));
    batch.push(service(at(3), 'OK'), service(at(3.5), 'OK'), service(at(7), 'OK'), service(at(8), 'OK'));
    await deliver(batch, at(30));
    expect(alerts().map((a) => a.state)).toEqual(['resolved', 'resolved']);
    expect(engine.routeOnce(at(30))).toBe(1);
    const [row] = outboxRows();
    expect(row?.kind).toBe('resolved');
    expect(row?.alerts.map((a) => a.state)).toEqual(['resolved', 'resolved']);
    expect(alerts().map((a) => a.notified_state)).toEqual(['resolved', 'resolved']);
    expect(engine.routeOnce(at(90))).toBe(0);
  });

  it('tells a firing alert whose group_wait passed while the collector was down, though new reports resolve it', async () => {
    await deliver(
      [0, 1, 2].map((i) => service(T0 + i * MIN, 'CRITICAL')),
      T0 + 2 * MIN,
    );
    expect(engine.routeOnce(T0 + 2 * MIN + 10_000)).toBe(0); // group_wait (30 s) not over: then killed
    await reopen();
    await deliver([service(T0 + 3 * MIN, 'OK'), service(T0 + 4 * MIN, 'OK')], T0 + 4 * MIN);
    expect(engine.routeOnce(T0 + 10 * MIN)).toBe(1);
    expect(outboxRows().map((r) => r.kind)).toEqual(['resolved']);
    expect(engine.routeOnce(T0 + 60 * MIN)).toBe(0);
  });

  it('keeps quiet about a backlog episode that a silence covered when it happened', async () => {
    new SqliteAlertStore(store.db).addSilence({
      id: 'si_one',
      matchers: [{ label: 'host', op: '=', value: 'EMR-SRV01' }],
      starts_at: T0,
      ends_at: T0 + 10 * MIN,
      reason: 'server move',
      author: 'ops',
      created_at: T0,
      expired_at: null,
    });
    const batch = [0, 1, 2].map((i) => service(T0 + i * MIN, 'CRITICAL'));
    batch.push(service(T0 + 3 * MIN, 'OK'), service(T0 + 4 * MIN, 'OK'));
    await deliver(batch, T0 + 30 * MIN);
    expect(engine.routeOnce(T0 + 30 * MIN)).toBe(0);
    expect(alerts()[0]).toMatchObject({ state: 'resolved', notified_state: null });
  });

  it('stays quiet about a firing that resolved within group_wait', async () => {
    const at = (i: number) => T0 + i * 10_000;
    const batch = [0, 1, 2].map((i) => service(at(i), 'CRITICAL'));
    batch.push(service(at(3), 'OK'), service(at(4), 'OK'));
    await deliver(batch, at(5));
    expect(alerts()[0]).toMatchObject({ state: 'resolved', notified_state: null });
    expect(engine.routeOnce(at(100))).toBe(0);
    expect(outboxRows()).toEqual([]);
  });

  it('resumes a pending alert after a restart: two bad checks before, one after, fires', async () => {
    await deliver([service(T0, 'CRITICAL'), service(T0 + MIN, 'CRITICAL')], T0 + MIN);
    await reopen();
    await deliver([service(T0 + 2 * MIN, 'CRITICAL')], T0 + 2 * MIN);
    expect(alerts()).toHaveLength(1);
    expect(alerts()[0]?.state).toBe('firing');
  });

  it('pages once across a restart while firing, and still tells the resolve', async () => {
    await deliver(
      [0, 1, 2].map((i) => service(T0 + i * MIN, 'CRITICAL')),
      T0 + 2 * MIN,
    );
    expect(engine.routeOnce(T0 + 2 * MIN)).toBe(0); // group_wait (30 s) not over yet
    expect(engine.routeOnce(T0 + 3 * MIN)).toBe(1);
    await reopen();
    // Well before the 4 h repeat: nothing new after the restart.
    expect(engine.routeOnce(T0 + 10 * MIN)).toBe(0);
    await deliver([service(T0 + 11 * MIN, 'OK'), service(T0 + 12 * MIN, 'OK')], T0 + 12 * MIN);
    await reopen();
    expect(engine.routeOnce(T0 + 20 * MIN)).toBe(1);
    const rows = outboxRows();
    expect(rows.map((r) => r.kind).sort()).toEqual(['firing', 'resolved']);
    expect(new Set(rows.map((r) => r.idempotency_key)).size).toBe(2);
    expect(engine.routeOnce(T0 + 60 * MIN)).toBe(0);
  });

  it('raises the heartbeat of a silent host on the timer, and not for a clean shutdown', async () => {
    await deliver([service(T0, 'OK')], T0);
    engine.evaluateTimers(T0 + 11 * MIN);
    expect(alerts().find((a) => a.rule === 'heartbeat')).toMatchObject({ state: 'firing', severity: 'critical' });
    await deliver([service(T0 + 12 * MIN, 'OK')], T0 + 12 * MIN, 'stopping');
    engine.evaluateTimers(T0 + 13 * MIN);
    expect(alerts().find((a) => a.rule === 'heartbeat')?.state).toBe('resolved');
    engine.evaluateTimers(T0 + 60 * MIN);
    expect(alerts().filter((a) => a.rule === 'heartbeat' && a.state !== 'resolved')).toHaveLength(0);
  });
});

describe('AlertEngine: targets no longer reported (stale_after)', () => {
  const at = (i: number) => T0 + i * MIN;
  const latestTargets = () =>
    (
      store.db.prepare('SELECT target FROM host_latest WHERE agent_id = ? ORDER BY target').all('ag_one') as {
        target: string;
      }[]
    ).map((r) => r.target);

  /** Minutes from..to: MSSQLSERVER stopped (until `goneAfter`), Spooler running throughout. */
  async function reportEveryMinute(from: number, to: number, goneAfter: number) {
    for (let i = from; i <= to; i++) {
      const batch = [service(at(i), 'OK', 'Spooler')];
      if (i <= goneAfter) batch.push(service(at(i), 'CRITICAL'));
      await deliver(batch, at(i));
      engine.evaluateTimers(at(i) + 1000);
    }
  }

  it('resolves a firing alert 3 intervals after its target stops, tells it, and drops the row', async () => {
    await reportEveryMinute(0, 4, 4);
    expect(alerts()[0]).toMatchObject({ state: 'firing', target: 'MSSQLSERVER' });
    expect(engine.routeOnce(at(4) + 2000)).toBe(1);
    // The service leaves the config: the host goes on reporting Spooler every minute.
    await reportEveryMinute(5, 7, 4);
    expect(alerts()[0]?.state).toBe('firing'); // 3 min since the last report: not more than 3 x 1 min
    expect(latestTargets()).toEqual(['MSSQLSERVER', 'Spooler']);
    await reportEveryMinute(8, 8, 4);
    const [alert] = alerts();
    expect(alert).toMatchObject({ state: 'resolved', resolved_at: at(8) + 1000 });
    expect(alert?.summary).toBe('service MSSQLSERVER on EMR-SRV01 is no longer reported since Mon 6 Jan 09:04 UTC');
    expect(latestTargets()).toEqual(['Spooler']);
    expect(engine.routeOnce(at(10))).toBe(1); // the group interval (5 min) after the firing notice
    const resolved = outboxRows().find((r) => r.kind === 'resolved');
    expect(resolved?.alerts[0]?.summary).toContain('no longer reported since Mon 6 Jan 09:04 UTC');
    // Nothing reopens it while the target stays away.
    await reportEveryMinute(9, 20, 4);
    expect(alerts().filter((a) => a.state !== 'resolved')).toEqual([]);
  });

  it('drops a pending alert on a vanished target without a notice', async () => {
    await reportEveryMinute(0, 1, 1); // two stopped checks: pending, the third would fire
    expect(alerts()[0]?.state).toBe('pending');
    await reportEveryMinute(2, 6, 1);
    expect(alerts()).toEqual([]);
    expect(engine.routeOnce(at(10))).toBe(0);
    expect(outboxRows()).toEqual([]);
    expect(latestTargets()).toEqual(['Spooler']);
  });

  it('leaves every target of a host that is silent altogether to the heartbeat', async () => {
    await reportEveryMinute(0, 4, 4);
    engine.evaluateTimers(at(60));
    const open = alerts().filter((a) => a.state === 'firing');
    expect(open.map((a) => a.rule).sort()).toEqual(['heartbeat', 'service']);
    expect(latestTargets()).toEqual(['MSSQLSERVER', 'Spooler']);
  });

  it('takes stale_after per rule, as a duration or a multiple, over the global setting', async () => {
    await reopen();
    open({ stale_after: '2x', rules: { service: { stale_after: '10m' } } });
    store.setIngestHook((agentId, reports, t) => engine.onIngest(agentId, reports, t));
    await reportEveryMinute(0, 4, 4);
    await reportEveryMinute(5, 14, 4);
    expect(alerts()[0]?.state).toBe('firing'); // 10 min since the last report, not more
    await reportEveryMinute(15, 15, 4);
    expect(alerts()[0]?.state).toBe('resolved');
  });

  it('reads the interval from the spacing of the reports (5 min checks: stale after 15 min)', async () => {
    for (let i = 0; i <= 10; i += 5) {
      await deliver([service(at(i), 'CRITICAL')], at(i));
    }
    for (let i = 11; i <= 40; i++) {
      await deliver([service(at(i), 'OK', 'Spooler')], at(i));
      engine.evaluateTimers(at(i));
      if (i === 25) expect(alerts()[0]?.state).toBe('firing'); // 15 min since 09:10
    }
    expect(alerts()[0]).toMatchObject({ state: 'resolved', resolved_at: at(26) });
  });
});

describe('AlertEngine: one outage, one page (default intervals, timers every 30 s, routing every 5 s)', () => {
  const S = 1000;
  async function site(names: string[]) {
    for (const name of names)
      await store.createAgent({
        id: `ag_${name}`,
        tokenId: 'tk_one',
        secretHash: `s_${name}`,
        facts: { ...hostFacts(), hostname: name },
        now: T0,
      });
  }
  async function seen(agentId: string, at: number) {
    await store.ingest({
      agentId,
      request: {
        agent_id: agentId,
        reports: [],
        agent: { boot_id: 'boot-1', version: '0.1.0', dropped_total: 0, buffer_depth: 0, state: 'running' },
      },
      receivedAt: at,
    });
  }
  /** Runs the engine's two timers on the injected clock from `from` to `to`. */
  function runClock(from: number, to: number) {
    for (let t = from; t <= to; t += 5 * S) {
      if ((t - T0) % (30 * S) === 0) engine.evaluateTimers(t);
      engine.routeOnce(t);
    }
  }

  for (const spread of [0, 20 * S, 45 * S, 63 * S]) {
    it(`three agents whose last reports spread over ${spread / S} s: one notification, the site's`, async () => {
      await site(['B', 'C']);
      await seen('ag_one', T0);
      await seen('ag_B', T0 + spread / 2);
      await seen('ag_C', T0 + spread);
      runClock(T0, T0 + 30 * MIN);
      const rows = outboxRows();
      expect(rows.map((r) => [r.kind, r.host, r.alerts.map((a) => a.rule)])).toEqual([
        ['firing', '', ['site_offline']],
      ]);
    });
  }

  it('a host silent while its site-mates report is paged without waiting for the site', async () => {
    await site(['B']);
    await seen('ag_one', T0);
    for (let t = T0; t <= T0 + 20 * MIN; t += MIN) await seen('ag_B', t);
    runClock(T0, T0 + 12 * MIN);
    const [row] = outboxRows();
    expect(row).toMatchObject({ kind: 'firing', host: 'EMR-SRV01' });
    // Heartbeat due after 10 min, first evaluation after it, group_wait 30 s: no wait added.
    expect(row?.created_at).toBeLessThanOrEqual(T0 + 10 * MIN + 30 * S + 30 * S);
  });

  it('a host still silent after its site comes back is paged then; one back with the site is not', async () => {
    await site(['B', 'C']);
    for (const id of ['ag_one', 'ag_B', 'ag_C']) await seen(id, T0);
    runClock(T0, T0 + 30 * MIN);
    await seen('ag_B', T0 + 30 * MIN + 2 * S);
    await seen('ag_C', T0 + 30 * MIN + 40 * S);
    runClock(T0 + 30 * MIN + 5 * S, T0 + 40 * MIN);
    const rows = outboxRows().sort((a, b) => a.created_at - b.created_at);
    expect(rows.map((r) => [r.kind, r.host])).toEqual([
      ['firing', ''],
      ['resolved', ''],
      ['firing', 'EMR-SRV01'],
    ]);
  });
});
