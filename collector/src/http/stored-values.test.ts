// A timestamp no Date can hold, put straight into the database (as an older collector let in):
// the fleet, host and disks APIs still answer 200, showing that time as null.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, expect, it } from 'vitest';
import { parseRoutingConfig } from '../alerting/routing-config.js';
import { hostFacts, ingestRequest } from '../fixtures/reports.js';
import { SqliteStore } from '../store/sqlite.js';
import { SqliteAccessStore } from '../store/sqlite-access.js';
import { SqliteAlertStore } from '../store/sqlite-alerts.js';
import { buildServer } from './server.js';

const dir = mkdtempSync(join(tmpdir(), 'vitals-stored-values-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('serves the fleet, host and disks APIs over a stored ts of 1e20', async () => {
  const store = SqliteStore.open(dir);
  const alerts = new SqliteAlertStore(store.db);
  const access = new SqliteAccessStore(store.db);
  const now = Date.now();
  const token = await store.createToken({
    id: 'tk_1',
    hash: 'h',
    client: 'C',
    site: 'S',
    createdAt: now,
    expiresAt: now + 1e6,
  });
  await store.createAgent({ id: 'ag_1', tokenId: token.id, secretHash: 's', facts: hostFacts('BAD-TS'), now });
  await store.ingest({ agentId: 'ag_1', request: ingestRequest('ag_1', [1]), receivedAt: now });
  store.db.exec('UPDATE report SET ts = 1e20; UPDATE host_latest SET ts = 1e20; UPDATE agents SET last_seen = 1e20');
  const app = await buildServer({
    store,
    logger: pino({ level: 'silent' }),
    limits: { bodyMaxBytes: 1024 * 1024, ratePerMinute: 600, enrollPerMinute: 120 },
    alerting: { alerts, access, routing: parseRoutingConfig({}) },
    dashboard: { silentAfterMs: 600_000 },
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const key = access.create({ name: 'k', role: 'admin', clients: null, now }).secret;
  try {
    for (const path of ['/api/v1/fleet', '/api/v1/hosts/ag_1', '/api/v1/hosts/ag_1/disks']) {
      const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${key}` } });
      expect(res.status, `${path}: ${await res.clone().text()}`).toBe(200);
    }
    const host = (await (
      await fetch(`${url}/api/v1/hosts/ag_1`, { headers: { authorization: `Bearer ${key}` } })
    ).json()) as {
      host: { last_seen: unknown };
    };
    expect(host.host.last_seen).toBeNull();
  } finally {
    await app.close();
    await store.close();
  }
});
