import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hostFacts, ingestRequest, report, T0 } from './fixtures/reports.js';
import { startMaintenance } from './maintenance.js';
import { SqliteStore } from './store/sqlite.js';

const DAY = 86_400_000;
let dir: string;
let store: SqliteStore;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vitals-maint-'));
  store = SqliteStore.open(dir);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('maintenance', () => {
  it('rolls up and then prunes by the injected clock, on its timer', async () => {
    await store.createToken({ id: 'tk_1', hash: 'h', client: 'c', site: 's', createdAt: T0, expiresAt: T0 + DAY });
    await store.createAgent({ id: 'ag_1', tokenId: 'tk_1', secretHash: 'x', facts: hostFacts(), now: T0 });
    const req = ingestRequest('ag_1', []);
    req.reports = [report(1, T0), report(2, T0 + 20 * DAY)];
    await store.ingest({ agentId: 'ag_1', request: req, receivedAt: T0 });

    const clock = { now: T0 + 21 * DAY };
    const m = startMaintenance({
      store,
      retention: { rawMs: 14 * DAY, rollupsMs: 400 * DAY },
      logger: pino({ level: 'silent' }),
      now: () => clock.now,
      intervalMs: 10,
    });
    await new Promise((r) => setTimeout(r, 50));
    await m.stop();
    const seqs = store.db.prepare('SELECT seq FROM report').all();
    expect(seqs).toEqual([{ seq: 2 }]);
    // The pruned report's hour was rolled up before the raw row went away.
    expect(store.db.prepare('SELECT hour, count FROM rollup_hour ORDER BY hour').all()).toEqual([
      { hour: T0, count: 1 },
      { hour: T0 + 20 * DAY, count: 1 },
    ]);
  });
});

describe('maintenance of the alert tables', () => {
  it('prunes old alert history and delivered notifications, keeping open alerts and owed resolves', async () => {
    const { SqliteAlertStore } = await import('./store/sqlite-alerts.js');
    const { SqliteOutbox } = await import('./store/sqlite-outbox.js');
    const { alertRecord } = await import('./fixtures/alerts.js');
    const alerts = new SqliteAlertStore(store.db);
    const outbox = new SqliteOutbox(store.db);
    const old = T0 - 500 * DAY;
    alerts.save(alertRecord({ id: 'al_old', state: 'resolved', resolved_at: old, notified_state: 'resolved' }));
    alerts.save(
      alertRecord({ id: 'al_owed', state: 'resolved', resolved_at: old, notified_state: 'firing', target: 'D:' }),
    );
    alerts.save(alertRecord({ id: 'al_open', state: 'firing', target: 'E:' }));
    const [row] = [
      {
        idempotency_key: 'k1',
        channel: 'ops',
        kind: 'firing' as const,
        client: 'c',
        site: 's',
        host: 'h',
        agent_id: 'ag_1',
        severity: 'critical' as const,
        alerts: [],
        created_at: old,
      },
    ];
    outbox.insert([row], old);
    const [claimed] = outbox.claim(old, 1, 60_000);
    outbox.delivered(claimed?.id ?? '', old);
    const m = startMaintenance({
      store,
      retention: { rawMs: 14 * DAY, rollupsMs: 400 * DAY },
      logger: pino({ level: 'silent' }),
      now: () => T0,
      intervalMs: 60_000,
      extraPrune: (now, retention) => ({
        alerts: alerts.pruneResolved(now - retention.rollupsMs),
        notifications: outbox.prune(now - retention.rawMs),
      }),
    });
    await m.runOnce();
    await m.stop();
    expect(
      alerts
        .list({ limit: 10 })
        .map((a) => a.id)
        .sort(),
    ).toEqual(['al_open', 'al_owed']);
    expect(outbox.list({})).toHaveLength(0);
  });
});
