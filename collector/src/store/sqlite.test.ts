import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hostFacts, ingestRequest, range, report, T0 } from '../fixtures/reports.js';
import { SqliteStore } from './sqlite.js';
import { HOUR_MS } from './sqlite-rollup.js';

let dir: string;
let store: SqliteStore;

async function enrolledAgent(id = 'ag_one', hostname = 'EMR-SRV01'): Promise<string> {
  await store.createToken({
    id: `tk_${id}`,
    hash: `h_${id}`,
    client: 'Northside',
    site: 'Main',
    createdAt: T0,
    expiresAt: T0 + 1e9,
  });
  await store.createAgent({ id, tokenId: `tk_${id}`, secretHash: `s_${id}`, facts: hostFacts(hostname), now: T0 });
  return id;
}

async function exported(host: string, sinceTs?: number) {
  const out = [];
  for await (const r of store.exportReports({ host, sinceTs })) out.push(r);
  return out;
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vitals-store-'));
  store = SqliteStore.open(dir);
});
afterEach(async () => {
  await store.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteStore', () => {
  it('uses WAL journaling so the CLI and the server can share the file', () => {
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal');
  });

  it('stores a report once per (agent, seq) and says which were already there', async () => {
    const id = await enrolledAgent();
    const first = await store.ingest({ agentId: id, request: ingestRequest(id, [1, 2, 3]), receivedAt: T0 });
    expect(first).toEqual({ acked: [1, 2, 3], duplicates: 0, inserted: 3 });
    const again = await store.ingest({ agentId: id, request: ingestRequest(id, [2, 3, 4]), receivedAt: T0 });
    expect(again).toEqual({ acked: [2, 3, 4], duplicates: 2, inserted: 1 });
    expect((await exported(id)).map((r) => r.seq)).toEqual([1, 2, 3, 4]);
  });

  it('exports every report of a host by hostname in seq order with its fields', async () => {
    const id = await enrolledAgent();
    await store.ingest({ agentId: id, request: ingestRequest(id, [5, 1, 3]), receivedAt: T0 });
    await store.ingest({ agentId: id, request: ingestRequest(id, range(1200, 1300)), receivedAt: T0 });
    const rows = await exported('emr-srv01');
    expect(rows.map((r) => r.seq)).toEqual([1, 3, 5, ...range(1200, 1300)]);
    expect(rows[0]).toMatchObject({
      agent_id: id,
      hostname: 'EMR-SRV01',
      boot_id: 'boot-1',
      check: 'disk',
      kind: 'disk',
      target: '/',
      status: 'OK',
      ts: report(1).result.ts,
      values: report(1).result.values,
    });
    expect((await exported(id, report(1250).result.ts)).map((r) => r.seq)).toEqual(range(1250, 1300));
  });

  it('keeps the latest result per check and target, not a late older one', async () => {
    const id = await enrolledAgent();
    await store.ingest({ agentId: id, request: ingestRequest(id, [10]), receivedAt: T0 });
    await store.ingest({ agentId: id, request: ingestRequest(id, [4]), receivedAt: T0 });
    const latest = store.db.prepare('SELECT seq FROM host_latest WHERE agent_id = ?').all(id);
    expect(latest).toEqual([{ seq: 10 }]);
  });

  it('records the agent-reported state, buffer depth and dropped count', async () => {
    const id = await enrolledAgent();
    const req = ingestRequest(id, [1], { buffer_depth: 42, dropped_total: 7, state: 'stopping' });
    await store.ingest({ agentId: id, request: req, receivedAt: T0 + 5000 });
    const [agent] = await store.listAgents();
    expect(agent).toMatchObject({ id, buffer_depth: 42, dropped_total: 7, state: 'stopping', last_seen: T0 + 5000 });
    expect(agent?.last_seq).toBe(1);
  });

  it('commits several concurrent ingest batches in one transaction', async () => {
    const ids = [await enrolledAgent('ag_a', 'A'), await enrolledAgent('ag_b', 'B'), await enrolledAgent('ag_c', 'C')];
    const before = (await store.stats()).commits;
    const results = await Promise.all(
      ids.map((id, i) => store.ingest({ agentId: id, request: ingestRequest(id, [i + 1, i + 2]), receivedAt: T0 })),
    );
    expect(results.map((r) => r.inserted)).toEqual([2, 2, 2]);
    expect((await store.stats()).commits - before).toBe(1);
  });

  it('rolls up numeric values of closed hours only, and recomputes an hour when late data arrives', async () => {
    const id = await enrolledAgent();
    const req = ingestRequest(id, []);
    // Three reports in hour 0 (free 40, 30, 20) and one in the still-open hour 1.
    req.reports = [report(1, T0 + 60_000, 60), report(2, T0 + 120_000, 70), report(3, T0 + HOUR_MS + 1, 10)];
    await store.ingest({ agentId: id, request: req, receivedAt: T0 + HOUR_MS + 2 });
    expect(await store.rollup(T0 + HOUR_MS + 10)).toBe(1);
    const rows = () =>
      store.db.prepare('SELECT metric, hour, min, max, avg, count FROM rollup_hour ORDER BY hour').all();
    expect(rows()).toEqual([{ metric: 'free_pct', hour: T0, min: 30, max: 40, avg: 35, count: 2 }]);
    // Rerunning recomputes (idempotently) until the received-at mark has passed the data.
    await store.rollup(T0 + HOUR_MS + 120_000);
    expect(rows()).toEqual([{ metric: 'free_pct', hour: T0, min: 30, max: 40, avg: 35, count: 2 }]);
    expect(await store.rollup(T0 + HOUR_MS + 130_000)).toBe(0);

    const late = ingestRequest(id, []);
    late.reports = [report(0, T0 + 1000, 80)];
    await store.ingest({ agentId: id, request: late, receivedAt: T0 + 2 * HOUR_MS + 5 });
    await store.rollup(T0 + 2 * HOUR_MS + 10);
    expect(rows()).toEqual([
      { metric: 'free_pct', hour: T0, min: 20, max: 40, avg: 30, count: 3 },
      { metric: 'free_pct', hour: T0 + HOUR_MS, min: 90, max: 90, avg: 90, count: 1 },
    ]);
  });

  it('leaves the rollup of an hour already pruned alone when a very late report arrives', async () => {
    const id = await enrolledAgent();
    const day = 86_400_000;
    const req = ingestRequest(id, []);
    req.reports = [report(1, T0, 60), report(2, T0 + 60_000, 70)];
    await store.ingest({ agentId: id, request: req, receivedAt: T0 });
    await store.rollup(T0 + 2 * HOUR_MS, 14 * day);
    await store.prune(T0 + 15 * day, { rawMs: 14 * day, rollupsMs: 400 * day });
    const late = ingestRequest(id, []);
    late.reports = [report(3, T0 + 120_000, 90)];
    await store.ingest({ agentId: id, request: late, receivedAt: T0 + 15 * day });
    await store.rollup(T0 + 15 * day + 1, 14 * day);
    expect(store.db.prepare('SELECT min, max, count FROM rollup_hour').all()).toEqual([{ min: 30, max: 40, count: 2 }]);
  });

  it('prunes raw reports and rollups past their retention, by the injected clock', async () => {
    const id = await enrolledAgent();
    const day = 86_400_000;
    const req = ingestRequest(id, []);
    req.reports = [report(1, T0), report(2, T0 + 10 * day), report(3, T0 + 20 * day)];
    await store.ingest({ agentId: id, request: req, receivedAt: T0 });
    await store.rollup(T0 + 21 * day);
    const out = await store.prune(T0 + 21 * day, { rawMs: 14 * day, rollupsMs: 15 * day });
    expect(out).toEqual({ reports: 1, rollups: 1 });
    expect((await exported(id)).map((r) => r.seq)).toEqual([2, 3]);
    expect(store.db.prepare('SELECT COUNT(*) AS n FROM rollup_hour').get()).toEqual({ n: 2 });
  });

  it('revokes tokens and retires agents once', async () => {
    const id = await enrolledAgent();
    expect(await store.revokeToken(`tk_${id}`, T0)).toBe(true);
    expect(await store.revokeToken(`tk_${id}`, T0)).toBe(false);
    expect((await store.findTokenByHash(`h_${id}`))?.revoked_at).toBe(T0);
    expect(await store.retireAgent(id, T0 + 1)).toBe(true);
    expect(await store.retireAgent(id, T0 + 2)).toBe(false);
    expect((await store.findAgentBySecretHash(`s_${id}`))?.retired_at).toBe(T0 + 1);
    expect((await store.listTokens())[0]).toMatchObject({ client: 'Northside', site: 'Main', uses: 1 });
  });

  it('flushes queued writes on close', async () => {
    const id = await enrolledAgent();
    const pending = store.ingest({ agentId: id, request: ingestRequest(id, [1, 2]), receivedAt: T0 });
    await store.close();
    expect(await pending).toMatchObject({ inserted: 2 });
    const reopened = SqliteStore.open(dir);
    const rows = reopened.db.prepare('SELECT seq FROM report ORDER BY seq').all();
    await reopened.close();
    expect(rows).toEqual([{ seq: 1 }, { seq: 2 }]);
  });
});

describe('SqliteStore latest results', () => {
  it('keeps the last result with a known status beside the latest one', async () => {
    const id = await enrolledAgent();
    const ok = report(1);
    const unknown = { ...report(2), result: { ...report(2).result, status: 'UNKNOWN' as const, values: {} } };
    await store.ingest({ agentId: id, request: { ...ingestRequest(id, []), reports: [ok, unknown] }, receivedAt: T0 });
    const row = store.db
      .prepare('SELECT status, ts, known_ts, known_values_json FROM host_latest WHERE agent_id = ?')
      .get(id) as { status: string; ts: number; known_ts: number; known_values_json: string };
    expect(row.status).toBe('UNKNOWN');
    expect(row.ts).toBe(unknown.result.ts);
    expect(row.known_ts).toBe(ok.result.ts);
    expect(JSON.parse(row.known_values_json)).toEqual(ok.result.values);
  });

  it('gives the ingest hook the newly stored reports inside the transaction, not the duplicates', async () => {
    const id = await enrolledAgent();
    const seen: number[][] = [];
    store.setIngestHook((_agent, reports) => {
      seen.push(reports.map((r) => r.seq));
      // Inside the transaction the reports are already visible.
      const n = store.db.prepare('SELECT COUNT(*) AS n FROM report WHERE agent_id = ?').get(id) as { n: number };
      expect(n.n).toBeGreaterThanOrEqual(reports.length);
    });
    await store.ingest({ agentId: id, request: ingestRequest(id, range(1, 3)), receivedAt: T0 });
    await store.ingest({ agentId: id, request: ingestRequest(id, range(2, 5)), receivedAt: T0 });
    expect(seen).toEqual([
      [1, 2, 3],
      [4, 5],
    ]);
  });

  it('upgrades a version 1 database in place', async () => {
    await store.close();
    const Database = (await import('better-sqlite3')).default;
    const file = join(dir, 'collector.db');
    rmSync(file, { force: true });
    const old = new Database(file);
    old.exec(`CREATE TABLE host_latest (agent_id TEXT NOT NULL, check_id TEXT NOT NULL, target TEXT NOT NULL,
      seq INTEGER NOT NULL, ts INTEGER NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL, values_json TEXT NOT NULL,
      message TEXT NOT NULL, PRIMARY KEY (agent_id, check_id, target)) WITHOUT ROWID`);
    old.pragma('user_version = 1');
    old.close();
    store = SqliteStore.open(dir);
    const columns = store.db.prepare("SELECT name FROM pragma_table_info('host_latest')").all() as { name: string }[];
    expect(columns.map((c) => c.name)).toContain('known_values_json');
    expect(store.db.pragma('user_version', { simple: true })).toBe(2);
  });
});
