import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseRoutingConfig } from '../alerting/routing-config.js';
import type { Role } from '../auth/principal.js';
import { alertRecord } from '../fixtures/alerts.js';
import { EAST, FLEET_NOW, NORTH, seedFleet } from '../fixtures/fleet.js';
import { SqliteStore } from '../store/sqlite.js';
import { SqliteAccessStore } from '../store/sqlite-access.js';
import { SqliteAlertStore } from '../store/sqlite-alerts.js';
import { buildServer } from './server.js';

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = FLEET_NOW;

let dir: string;
let store: SqliteStore;
let access: SqliteAccessStore;
let app: FastifyInstance;
let url: string;
let admin: string;
let northViewer: string;

// biome-ignore lint/suspicious/noExplicitAny: answers are walked freely; each assertion checks the shape it reads
type Json = Record<string, any>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vitals-dashboard-api-'));
  store = SqliteStore.open(dir);
  const alerts = new SqliteAlertStore(store.db);
  access = new SqliteAccessStore(store.db);
  // ~105,000 reports in batches of 2,000 and their rollups: about 1 s of ingest and 6 s of
  // rollup on the 2-core box (the rollup reads each agent's whole history once per hour).
  await seedFleet(store);
  const forecast = {
    full_at: NOW + 24 * HOUR,
    hours_left: 24,
    slope_bytes_per_hour: -20e9 / 24,
    fitted_free_bytes: 20e9,
    window_ms: DAY,
    data_span_ms: DAY,
  };
  const emr = { client: NORTH, site: 'Main St', agent_id: 'ag_emr', host: 'EMR-SRV01' };
  alerts.save(alertRecord({ ...emr, id: 'al_emr_d', rule: 'disk_space', target: 'D:', forecast: null }));
  alerts.save(
    alertRecord({ ...emr, id: 'al_emr_fc', rule: 'disk_forecast', target: 'D:', severity: 'warning', forecast }),
  );
  for (let i = 0; i < 55; i++) {
    const resolvedAt = NOW - (i + 1) * HOUR;
    alerts.save(
      alertRecord({
        ...emr,
        id: `al_emr_old_${String(i).padStart(2, '0')}`,
        rule: 'cpu',
        target: '',
        state: 'resolved',
        severity: 'warning',
        pending_since: resolvedAt - 30 * MINUTE,
        started_at: resolvedAt - 20 * MINUTE,
        resolved_at: resolvedAt,
        forecast: null,
      }),
    );
  }
  const bsrv = { client: EAST, site: 'Clinic', agent_id: 'ag_bsrv', host: 'B-SRV' };
  alerts.save(
    alertRecord({ ...bsrv, id: 'al_bsrv_cpu', rule: 'cpu', target: '', severity: 'warning', forecast: null }),
  );
  app = await buildServer({
    store,
    logger: pino({ level: 'silent' }),
    limits: { bodyMaxBytes: 1024 * 1024, ratePerMinute: 600, enrollPerMinute: 120 },
    now: () => NOW,
    alerting: { alerts, access, routing: parseRoutingConfig({}) },
    dashboard: { silentAfterMs: 10 * MINUTE },
  });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
  admin = key('admin');
  northViewer = key('viewer', [NORTH]);
}, 60_000);

afterAll(async () => {
  await app?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

function key(role: Role, clients: string[] | null = null): string {
  return access.create({ name: `${role} key`, role, clients, now: NOW }).secret;
}

async function get(path: string, secret: string | null = admin): Promise<{ status: number; body: Json }> {
  const res = await fetch(`${url}${path}`, { headers: secret ? { authorization: `Bearer ${secret}` } : {} });
  return { status: res.status, body: (await res.json()) as Json };
}

const names = (list: Json[]) => list.map((x) => x.name ?? x.hostname);
const hostnames = (fleet: Json) =>
  fleet.clients.flatMap((c: Json) => c.sites.flatMap((s: Json) => s.hosts.map((h: Json) => h.hostname)));

describe('GET /api/v1/fleet', () => {
  it('lists clients, sites and hosts worst first, the CRITICAL host at the very top', async () => {
    const { status, body } = await get('/api/v1/fleet');
    expect(status).toBe(200);
    // Northside is critical, Eastside only warning: worst first beats the alphabet.
    expect(names(body.clients)).toEqual([NORTH, EAST]);
    const north = body.clients[0];
    expect(north.level).toBe('critical');
    expect(names(north.sites)).toEqual(['Main St', 'Annex']);
    const top = north.sites[0].hosts[0];
    expect(top).toMatchObject({
      agent_id: 'ag_emr',
      hostname: 'EMR-SRV01',
      status: 'online',
      level: 'critical',
      worst_alert: 'critical',
      open_alerts: 2,
      worst_check_status: 'CRITICAL',
      // The last batch arrived with the last sample of the cycle (D:, 3 s after the cycle began).
      last_seen: new Date(NOW + 3000).toISOString(),
    });
    expect(top.summary).toMatch(/Disk C: has 4.2 %/);
    expect(hostnames(body)).toEqual(['EMR-SRV01', 'FRONT-DESK', 'RECEPTION-PC', 'B-SRV', 'B-PC']);
  });

  it('counts hosts per level at every level, and shows a silent host as unknown', async () => {
    const { body } = await get('/api/v1/fleet');
    expect(body.counts).toEqual({
      clients: 2,
      sites: 3,
      hosts: 5,
      critical: 1,
      warning: 2,
      unknown: 1,
      ok: 1,
      open_alerts: 3,
    });
    const [north, east] = body.clients;
    expect(north.counts).toMatchObject({ hosts: 3, critical: 1, warning: 1, ok: 1, open_alerts: 2 });
    expect(east.sites[0].counts).toMatchObject({ hosts: 2, warning: 1, unknown: 1 });
    const bpc = east.sites[0].hosts[1];
    expect(bpc).toMatchObject({ hostname: 'B-PC', status: 'silent', level: 'unknown', open_alerts: 0 });
    expect(bpc.last_seen).toBe(new Date(NOW - DAY + 2000).toISOString());
  });

  it('searches hostname, site and client name, ignoring case', async () => {
    expect(hostnames((await get('/api/v1/fleet?q=front')).body)).toEqual(['FRONT-DESK']);
    expect(hostnames((await get('/api/v1/fleet?q=ANNEX')).body)).toEqual(['RECEPTION-PC']);
    const east = (await get('/api/v1/fleet?q=eastside')).body;
    expect(names(east.clients)).toEqual([EAST]);
    expect(hostnames(east)).toEqual(['B-SRV', 'B-PC']);
    const none = (await get('/api/v1/fleet?q=nothing-like-this')).body;
    expect(none.clients).toEqual([]);
    expect(none.counts.hosts).toBe(0);
  });

  it('filters by level and by agent status; retired hosts only when asked for', async () => {
    expect(hostnames((await get('/api/v1/fleet?status=critical,warning')).body)).toEqual([
      'EMR-SRV01',
      'RECEPTION-PC',
      'B-SRV',
    ]);
    expect(hostnames((await get('/api/v1/fleet?status=silent')).body)).toEqual(['B-PC']);
    expect(hostnames((await get('/api/v1/fleet')).body)).not.toContain('OLD-PC');
    const retired = (await get('/api/v1/fleet?status=retired')).body;
    expect(retired.clients[0].sites[0].hosts[0]).toMatchObject({ hostname: 'OLD-PC', status: 'retired' });
    expect(hostnames((await get(`/api/v1/fleet?client=${encodeURIComponent(EAST)}`)).body)).toEqual(['B-SRV', 'B-PC']);
  });

  it('answers 400 for an unknown status word', async () => {
    const { status, body } = await get('/api/v1/fleet?status=red');
    expect(status).toBe(400);
    expect(body.message).toMatch(/status/);
  });
});

describe('tenancy: a principal limited to one client', () => {
  it('never sees the other client in the fleet, even when searching for it or asking by name', async () => {
    const fleet = (await get('/api/v1/fleet', northViewer)).body;
    expect(names(fleet.clients)).toEqual([NORTH]);
    expect(JSON.stringify(fleet)).not.toMatch(/Eastside|B-SRV|B-PC|al_bsrv/);
    expect((await get('/api/v1/fleet?q=eastside', northViewer)).body.clients).toEqual([]);
    expect((await get(`/api/v1/fleet?client=${encodeURIComponent(EAST)}`, northViewer)).body.clients).toEqual([]);
  });

  it("answers 404 for the other client's host, series and disks, exactly as for a host that does not exist", async () => {
    const unknown = await get('/api/v1/hosts/ag_nosuch', northViewer);
    expect(unknown.status).toBe(404);
    for (const path of [
      '/api/v1/hosts/ag_bsrv',
      '/api/v1/hosts/ag_bsrv/series?check=cpu&metric=used_percent',
      '/api/v1/hosts/ag_bsrv/disks',
    ]) {
      const res = await get(path, northViewer);
      expect(res.status, path).toBe(404);
      expect(res.body).toEqual({ error: 'not_found', message: 'no host ag_bsrv' });
    }
    expect((await get('/api/v1/hosts/ag_bsrv')).status).toBe(200);
    expect((await get('/api/v1/hosts/ag_emr', northViewer)).status).toBe(200);
  });

  it('answers 401 without a key', async () => {
    expect((await get('/api/v1/fleet', null)).status).toBe(401);
    expect((await get('/api/v1/hosts/ag_emr/series?check=cpu&metric=used_percent', null)).status).toBe(401);
    expect((await get('/api/v1/hosts/ag_emr', 'vk_notakeywehaveeverissued0000000')).status).toBe(401);
  });
});

describe('GET /api/v1/hosts/:agent_id', () => {
  it('gives the host, every latest result worst first, its open alerts and its last 50 resolved ones', async () => {
    const { status, body } = await get('/api/v1/hosts/ag_emr');
    expect(status).toBe(200);
    expect(body.host).toMatchObject({
      agent_id: 'ag_emr',
      hostname: 'EMR-SRV01',
      client: NORTH,
      site: 'Main St',
      status: 'online',
      level: 'critical',
      facts: { platform: 'linux' },
    });
    expect(body.results.map((r: Json) => `${r.check} ${r.target} ${r.status}`)).toEqual([
      'disk D: CRITICAL',
      'cpu  OK',
      'disk C: OK',
      'memory  OK',
    ]);
    const d = body.results[0];
    expect(d.values.free_percent).toEqual({ value: 4, unit: 'percent' });
    expect(d.ts).toBe(new Date(NOW + 3000).toISOString());
    expect(body.alerts.open.map((a: Json) => a.id)).toEqual(['al_emr_d', 'al_emr_fc']);
    expect(body.alerts.resolved).toHaveLength(50);
    expect(body.alerts.resolved[0].id).toBe('al_emr_old_00');
    expect(body.alerts.resolved[49].id).toBe('al_emr_old_49');
  });
});

describe('GET /api/v1/hosts/:agent_id/series', () => {
  const series = (q: string, agent = 'ag_emr') => get(`/api/v1/hosts/${agent}/series?${q}`);

  it('reads a day from raw reports, downsampled to at most 1,000 points of [ts, avg, min, max]', async () => {
    const { status, body } = await series('check=cpu&metric=used_percent&range=24h');
    expect(status).toBe(200);
    expect(body).toMatchObject({ resolution: 'raw', unit: 'percent', from: NOW - DAY, to: NOW });
    // 1,441 samples of a minute into buckets of 87 s.
    expect(body.bucket_ms).toBe(87_000);
    expect(body.points.length).toBeLessThanOrEqual(1000);
    expect(body.points.length).toBeGreaterThan(950);
    for (const [ts, avg, min, max] of body.points) {
      expect(ts % body.bucket_ms).toBe(0);
      expect(ts).toBeGreaterThan(NOW - DAY - body.bucket_ms);
      expect(min).toBeLessThanOrEqual(avg);
      expect(avg).toBeLessThanOrEqual(max);
    }
    expect(body).not.toHaveProperty('forecast');
  });

  it('gives every sample of a short range as it is (avg = min = max)', async () => {
    const { body } = await series(`check=memory&metric=available_percent&from=${NOW - 2 * HOUR}&to=${NOW}`);
    expect(body.resolution).toBe('raw');
    expect(body.bucket_ms).toBe(8000);
    // Memory runs 1 s into each cycle: 09:30:01 is past `to`, 07:30:01 is the first in range.
    expect(body.points).toHaveLength(120);
    expect(body.points[0]).toEqual([NOW - 2 * HOUR, 40, 40, 40]);
    expect(body.points[1][0]).toBe(NOW - 2 * HOUR + MINUTE - 4000);
  });

  it('reads 14 days from hourly rollups, the current hour from raw reports', async () => {
    const { body } = await series('check=disk&target=D:&metric=free_bytes&range=14d');
    expect(body).toMatchObject({ resolution: 'hour', bucket_ms: HOUR, unit: 'bytes' });
    // 14 × 24 closed hours and the half hour since 09:00.
    expect(body.points).toHaveLength(14 * 24 + 1);
    const last = body.points.at(-1);
    expect(last[0]).toBe(NOW - 30 * MINUTE);
    expect(last[3]).toBeCloseTo(20e9 + (280e9 * 30 * MINUTE) / (14 * DAY), -7);
    const first = body.points[0];
    expect(first[0]).toBe(NOW - 14 * DAY - 30 * MINUTE);
    expect(first[3]).toBeCloseTo(300e9, -8);
  });

  it('merges hours into wider buckets for a year, still at most 1,000 points', async () => {
    const { body } = await series('check=cpu&metric=used_percent&range=400d');
    expect(body.resolution).toBe('hour');
    expect(body.bucket_ms).toBe(10 * HOUR);
    expect(body.points.length).toBeLessThanOrEqual(1000);
    expect(body.points.length).toBeGreaterThan(30);
  });

  it('falls back to rollups for a short range older than the raw reports', async () => {
    const from = NOW - 20 * DAY;
    const { body } = await series(`check=cpu&metric=used_percent&from=${from}&to=${from + DAY}`);
    expect(body).toMatchObject({ resolution: 'hour', points: [] });
  });

  it('adds the open disk_forecast alert forecast and its line in the chart metric', async () => {
    const { body } = await series('check=disk&target=D:&metric=free_percent&range=24h');
    expect(body.forecast).toMatchObject({
      source: 'alert',
      alert_id: 'al_emr_fc',
      at: NOW,
      full_at: NOW + DAY,
      hours_left: 24,
      full_in: 'about 24 hours',
      metric: 'free_percent',
    });
    expect(body.forecast.line).toEqual([
      [NOW, 4],
      [NOW + DAY, 0],
    ]);
  });

  it('fits a fresh forecast for a filling disk without an alert, and none for a flat one', async () => {
    const filling = (await series('check=disk&target=C:&metric=free_bytes', 'ag_front')).body.forecast;
    expect(filling).toMatchObject({ source: 'fit', alert_id: null, metric: 'free_bytes', full_in: 'about 12 days' });
    // 60 GB left at 5 GB a day; the last sample is at 09:30:02.
    expect(filling.full_at).toBeGreaterThan(NOW + 12 * DAY - HOUR);
    expect(filling.full_at).toBeLessThan(NOW + 12 * DAY + HOUR);
    expect(filling.line[0][1]).toBeCloseTo(60e9, -7);
    expect(filling.line[1]).toEqual([filling.full_at, 0]);
    const flat = (await series('check=disk&target=C:&metric=free_bytes')).body;
    expect(flat.points.length).toBeGreaterThan(900);
    expect(flat.forecast).toBeNull();
  });

  it('says what is wrong with a request: unknown check or metric, a bad time, a range too long', async () => {
    const check = await series('check=smart&metric=health');
    expect(check.status).toBe(404);
    expect(check.body.message).toBe('host EMR-SRV01 has no check "smart" with target ""');
    const metric = await series('check=cpu&metric=temperature');
    expect(metric.status).toBe(400);
    expect(metric.body.message).toMatch(/no value "temperature"; it has used_percent, cores/);
    expect((await series('check=cpu&metric=used_percent&from=yesterday')).body.message).toMatch(/from: must be/);
    expect((await series('check=cpu&metric=used_percent&range=500d')).body.message).toMatch(/at most 400 days/);
    expect((await series(`check=cpu&metric=used_percent&from=${NOW}&to=${NOW - 1}`)).status).toBe(400);
    expect((await series('check=cpu&metric=used.percent')).status).toBe(400);
  });
});

describe('GET /api/v1/hosts/:agent_id/disks', () => {
  it('gives each disk its latest free space and forecast', async () => {
    const { body } = await get('/api/v1/hosts/ag_emr/disks');
    expect(body.disks.map((d: Json) => d.target)).toEqual(['C:', 'D:']);
    const [c, d] = body.disks;
    expect(c).toMatchObject({ status: 'OK', size_bytes: 250e9, free_percent: 40, forecast: null });
    expect(d).toMatchObject({ status: 'CRITICAL', free_bytes: 20e9, size_bytes: 500e9, free_percent: 4 });
    expect(d.forecast).toMatchObject({
      source: 'alert',
      metric: 'free_bytes',
      line: [
        [NOW, 20e9],
        [NOW + DAY, 0],
      ],
    });
  });
});
