import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseRoutingConfig } from '../alerting/routing-config.js';
import { issueToken } from '../auth/issue-token.js';
import type { Role } from '../auth/principal.js';
import { alertRecord, silenceRecord } from '../fixtures/alerts.js';
import { hostFacts, T0 } from '../fixtures/reports.js';
import { SqliteStore } from '../store/sqlite.js';
import { SqliteAccessStore } from '../store/sqlite-access.js';
import { SqliteAlertStore } from '../store/sqlite-alerts.js';
import { buildServer } from './server.js';

const MINUTE = 60_000;
const HOUR = 3600_000;

let dir: string;
let store: SqliteStore;
let alerts: SqliteAlertStore;
let access: SqliteAccessStore;
let app: FastifyInstance;
let url: string;
const clock = { now: T0 };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vitals-alerts-api-'));
  store = SqliteStore.open(dir);
  alerts = new SqliteAlertStore(store.db);
  access = new SqliteAccessStore(store.db);
  const routing = parseRoutingConfig({
    alerting: {
      maintenance_windows: [
        { name: 'backup hour', client: 'Northside', start: '08:30', duration: '1h' },
        { name: 'east patching', client: 'Eastside', days: ['sun'], start: '02:00', duration: '3h' },
      ],
    },
  });
  app = await buildServer({
    store,
    logger: pino({ level: 'silent' }),
    limits: { bodyMaxBytes: 1024 * 1024, ratePerMinute: 600, enrollPerMinute: 120 },
    now: () => clock.now,
    alerting: { alerts, access, routing },
  });
  url = await app.listen({ host: '127.0.0.1', port: 0 });
  // The hosts the alerts below belong to: a limited principal may only silence its own clients' hosts.
  for (const [client, hostname] of [
    ['Northside', 'EMR-SRV01'],
    ['Eastside', 'PC-1'],
  ] as const) {
    const token = await issueToken(store, { client, site: 'Main St', now: T0 });
    await store.createAgent({
      id: `ag_${hostname}`,
      tokenId: token.id,
      secretHash: `h_${hostname}`,
      facts: hostFacts(hostname),
      now: T0,
    });
  }
});
afterAll(async () => {
  await app.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

// Each test starts from the same alerts and no silences (ids are fixed, so rows are replaced).
beforeEach(() => {
  clock.now = T0;
  store.db.exec('DELETE FROM alert; DELETE FROM silence');
  alerts.save(alertRecord({ id: 'al_north_c', target: 'C:', pending_since: T0 - 2 * HOUR }));
  alerts.save(alertRecord({ id: 'al_north_d', target: 'D:', severity: 'warning', pending_since: T0 - HOUR }));
  alerts.save(
    alertRecord({ id: 'al_north_pending', target: 'E:', state: 'pending', started_at: null, pending_since: T0 }),
  );
  alerts.save(
    alertRecord({
      id: 'al_north_old',
      target: 'F:',
      state: 'resolved',
      pending_since: T0 - 9 * HOUR,
      started_at: T0 - 8 * HOUR,
      resolved_at: T0 - 7 * HOUR,
    }),
  );
  alerts.save(
    alertRecord({
      id: 'al_east',
      client: 'Eastside',
      agent_id: 'ag_east',
      host: 'PC-1',
      pending_since: T0 - 30 * MINUTE,
    }),
  );
});

function key(role: Role, clients: string[] | null = null, name = `${role} key`): string {
  return access.create({ name, role, clients, now: T0 }).secret;
}

interface Answer {
  status: number;
  body: Record<string, unknown> & { error?: string; message?: string };
  headers: Headers;
}

async function call(method: string, path: string, secret?: string, body?: unknown): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (secret) headers.authorization = `Bearer ${secret}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${url}${path}`, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Answer['body'], headers: res.headers };
}

const ids = (answer: Answer, field = 'alerts') => (answer.body[field] as { id: string }[]).map((a) => a.id);

describe('alerts API authentication', () => {
  it('answers 401 with WWW-Authenticate when there is no key, and says how to send one', async () => {
    const res = await call('GET', '/api/v1/alerts');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="vitals"');
    expect(res.body).toMatchObject({ error: 'unauthorized' });
    expect(res.body.message).toMatch(/Authorization: Bearer <API key>/);
  });

  it('answers 401 for an unknown key, a malformed header and an agent secret', async () => {
    expect((await call('GET', '/api/v1/alerts', 'vk_notakeywehaveeverissued0000000')).status).toBe(401);
    const basic = await fetch(`${url}/api/v1/alerts`, { headers: { authorization: 'Basic dXNlcjpwYXNz' } });
    expect(basic.status).toBe(401);
    const res = await call('GET', '/api/v1/alerts', 'vs_anagentsecretisnotanapikey0000');
    expect(res.body).toEqual({ error: 'unauthorized', message: 'API key is not valid' });
  });

  it('answers 401 for a revoked key, saying it was revoked', async () => {
    const secret = key('admin');
    expect((await call('GET', '/api/v1/alerts', secret)).status).toBe(200);
    const [revoked] = access.list().slice(-1);
    access.revoke(revoked!.id, T0 + 1);
    const res = await call('GET', '/api/v1/alerts', secret);
    expect(res.status).toBe(401);
    expect(res.body.message).toBe(`API key ${revoked!.id} was revoked at ${new Date(T0 + 1).toISOString()}`);
  });

  it('does not answer a silences or maintenance request without a key either', async () => {
    expect((await call('GET', '/api/v1/silences')).status).toBe(401);
    expect((await call('POST', '/api/v1/silences', undefined, { matchers: ['host=x'], reason: 'r' })).status).toBe(401);
    expect((await call('GET', '/api/v1/maintenance-windows')).status).toBe(401);
  });
});

describe('GET /api/v1/alerts', () => {
  it('lists open alerts newest first by default and resolved ones too with state=all', async () => {
    const admin = key('admin');
    const open = await call('GET', '/api/v1/alerts', admin);
    expect(open.status).toBe(200);
    expect(ids(open)).toEqual(['al_north_pending', 'al_east', 'al_north_d', 'al_north_c']);
    const all = await call('GET', '/api/v1/alerts?state=all&client=Northside', admin);
    expect(ids(all)).toEqual(['al_north_pending', 'al_north_d', 'al_north_c', 'al_north_old']);
    expect((all.body.alerts as Record<string, unknown>[])[3]).toMatchObject({
      state: 'resolved',
      resolved_at: new Date(T0 - 7 * HOUR).toISOString(),
      silenced_by: null,
      ack: null,
    });
    const two = await call('GET', '/api/v1/alerts?limit=2', admin);
    expect(ids(two)).toEqual(['al_north_pending', 'al_east']);
  });

  it('shows a technician limited to Northside only Northside, whatever it asks for', async () => {
    const tech = key('technician', ['Northside']);
    expect(ids(await call('GET', '/api/v1/alerts?state=all', tech))).toEqual([
      'al_north_pending',
      'al_north_d',
      'al_north_c',
      'al_north_old',
    ]);
    expect(ids(await call('GET', '/api/v1/alerts?limit=1', tech))).toEqual(['al_north_pending']);
    const other = await call('GET', '/api/v1/alerts?client=Eastside', tech);
    expect(other.status).toBe(200);
    expect(ids(other)).toEqual([]);
  });

  it('refuses an unknown state, an unknown parameter and a limit out of range with 400 naming the field', async () => {
    const admin = key('admin');
    const state = await call('GET', '/api/v1/alerts?state=closed', admin);
    expect(state.status).toBe(400);
    expect(state.body).toMatchObject({ error: 'invalid_request' });
    expect(state.body.message).toBe('request query string does not match the schema: state: must be one of: open, all');
    const typo = await call('GET', '/api/v1/alerts?states=all', admin);
    expect(typo.body.message).toMatch(/states: is not a known key/);
    const limit = await call('GET', '/api/v1/alerts?limit=5000', admin);
    expect(limit.status).toBe(400);
    expect(limit.body.message).toMatch(/limit: must be between 1 and 1000/);
  });
});

describe('GET /api/v1/alerts/:id and POST /api/v1/alerts/:id/ack', () => {
  it('answers 404 for another tenant’s alert exactly as for an unknown one', async () => {
    const tech = key('technician', ['Northside']);
    expect((await call('GET', '/api/v1/alerts/al_north_c', tech)).body).toMatchObject({ id: 'al_north_c' });
    const theirs = await call('GET', '/api/v1/alerts/al_east', tech);
    expect(theirs.status).toBe(404);
    expect(theirs.body).toEqual({ error: 'not_found', message: 'no alert al_east' });
    const ack = await call('POST', '/api/v1/alerts/al_east/ack', tech, { comment: 'mine now' });
    expect(ack.status).toBe(404);
    expect(alerts.get('al_east')?.ack).toBeNull();
    expect((await call('GET', '/api/v1/alerts/al_nothing', tech)).body).toEqual({
      error: 'not_found',
      message: 'no alert al_nothing',
    });
  });

  it('acknowledges a firing alert as the key’s name, after which the list shows the acknowledgement', async () => {
    const tech = key('technician', ['Northside'], 'night shift');
    clock.now = T0 + 5 * MINUTE;
    const res = await call('POST', '/api/v1/alerts/al_north_c/ack', tech, { comment: ' new disk ordered ' });
    expect(res.status).toBe(200);
    const ack = { by: 'night shift', at: new Date(T0 + 5 * MINUTE).toISOString(), comment: 'new disk ordered' };
    expect(res.body).toMatchObject({ id: 'al_north_c', state: 'firing', ack });
    const listed = (await call('GET', '/api/v1/alerts', tech)).body.alerts as { id: string; ack: unknown }[];
    expect(listed.find((a) => a.id === 'al_north_c')?.ack).toEqual(ack);
    expect(alerts.get('al_north_c')?.ack).toEqual({ by: 'night shift', at: T0 + 5 * MINUTE, comment: ack.comment });
  });

  it('acknowledges without a body (no comment)', async () => {
    const res = await call('POST', '/api/v1/alerts/al_north_d/ack', key('admin'));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ack: { by: 'admin key', comment: '' } });
  });

  it('answers 403 to a viewer who acknowledges an alert it can see', async () => {
    const viewer = key('viewer', ['Northside'], 'practice owner');
    expect((await call('GET', '/api/v1/alerts/al_north_c', viewer)).status).toBe(200);
    const res = await call('POST', '/api/v1/alerts/al_north_c/ack', viewer, {});
    expect(res.status).toBe(403);
    expect(res.body).toEqual({
      error: 'forbidden',
      message: 'viewer practice owner may not acknowledge alerts; that needs the role admin or technician',
    });
    expect(alerts.get('al_north_c')?.ack).toBeNull();
  });

  it('answers 409 when the alert is resolved or still pending', async () => {
    const admin = key('admin');
    const resolved = await call('POST', '/api/v1/alerts/al_north_old/ack', admin, {});
    expect(resolved.status).toBe(409);
    expect(resolved.body).toEqual({
      error: 'conflict',
      message: 'alert al_north_old is resolved; only a firing alert can be acknowledged',
    });
    expect((await call('POST', '/api/v1/alerts/al_north_pending/ack', admin, {})).status).toBe(409);
  });

  it('refuses an unknown body key and a body that is not JSON with 400', async () => {
    const admin = key('admin');
    const extra = await call('POST', '/api/v1/alerts/al_north_c/ack', admin, { comment: 'x', by: 'someone else' });
    expect(extra.status).toBe(400);
    expect(extra.body.message).toBe('request body does not match the schema: by: is not a known key');
    const res = await fetch(`${url}/api/v1/alerts/al_north_c/ack`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: '{"comment":',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe('invalid_json');
  });
});

describe('silences API', () => {
  it('creates, lists, marks the alert, expires and lists again a silence', async () => {
    const tech = key('technician', null, 'sam');
    const created = await call('POST', '/api/v1/silences', tech, {
      matchers: ['host=EMR-SRV01', 'rule=~"disk_.*"'],
      duration: '2h',
      reason: 'disk swap tonight',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      status: 'active',
      matchers: ['host=EMR-SRV01', 'rule=~disk_.*'],
      starts_at: new Date(T0).toISOString(),
      ends_at: new Date(T0 + 2 * HOUR).toISOString(),
      reason: 'disk swap tonight',
      author: 'sam',
      expired_at: null,
    });
    const id = created.body.id as string;
    expect(id).toMatch(/^si_/);
    expect(ids(await call('GET', '/api/v1/silences', tech), 'silences')).toEqual([id]);
    expect((await call('GET', '/api/v1/alerts/al_north_c', tech)).body.silenced_by).toBe(id);

    clock.now = T0 + 10 * MINUTE;
    const expired = await call('DELETE', `/api/v1/silences/${id}`, tech);
    expect(expired.status).toBe(200);
    expect(expired.body).toMatchObject({ id, status: 'expired', expired_at: new Date(clock.now).toISOString() });
    expect(ids(await call('GET', '/api/v1/silences', tech), 'silences')).toEqual([]);
    const all = await call('GET', '/api/v1/silences?all=true', tech);
    expect(all.body.silences).toMatchObject([{ id, status: 'expired' }]);
    expect((await call('GET', '/api/v1/alerts/al_north_c', tech)).body.silenced_by).toBeNull();
    const again = await call('DELETE', `/api/v1/silences/${id}`, tech);
    expect(again.status).toBe(409);
    expect(again.body.message).toBe(`silence ${id} is already over (expired)`);
  });

  it('ends a silence at ends_at (no zone = UTC) and refuses an end in the past', async () => {
    const tech = key('technician');
    const created = await call('POST', '/api/v1/silences', tech, {
      matchers: ['client=Eastside'],
      ends_at: '2025-01-06T17:30',
      reason: 'move',
    });
    expect(created.status).toBe(201);
    expect(created.body.ends_at).toBe('2025-01-06T17:30:00.000Z');
    const past = await call('POST', '/api/v1/silences', tech, {
      matchers: ['client=Eastside'],
      ends_at: '2025-01-06T08:00:00Z',
      reason: 'move',
    });
    expect(past.status).toBe(400);
    expect(past.body.message).toBe('ends_at: must be in the future (now is 2025-01-06T09:00:00.000Z)');
  });

  it('requires a principal limited to clients to pin the silence to one of them', async () => {
    const tech = key('technician', ['Northside'], 'north tech');
    const unpinned = await call('POST', '/api/v1/silences', tech, {
      matchers: ['host=EMR-SRV01'],
      duration: '1h',
      reason: 'reboot',
    });
    expect(unpinned.status).toBe(403);
    expect(unpinned.body.message).toBe(
      'north tech is limited to the clients Northside: a silence must include a matcher client=<one of them>, ' +
        'e.g. client=Northside',
    );
    const other = await call('POST', '/api/v1/silences', tech, {
      matchers: ['client=Eastside', 'host=PC-1'],
      duration: '1h',
      reason: 'reboot',
    });
    expect(other.status).toBe(404);
    expect(other.body).toEqual({ error: 'not_found', message: 'no client Eastside' });
    const pinned = await call('POST', '/api/v1/silences', tech, {
      matchers: ['client=Northside', 'host=EMR-SRV01'],
      duration: '1h',
      reason: 'reboot',
    });
    expect(pinned.status).toBe(201);
    expect(alerts.listSilences({ now: T0 })).toHaveLength(1);
  });

  it('hides silences not pinned to the principal’s clients: not listed, 404 on expire', async () => {
    alerts.addSilence(
      silenceRecord({ id: 'si_east', matchers: [{ label: 'client', op: '=', value: 'Eastside' }], author: 'ops' }),
    );
    alerts.addSilence(silenceRecord({ id: 'si_global', author: 'ops' }));
    alerts.addSilence(
      silenceRecord({ id: 'si_north', matchers: [{ label: 'client', op: '=', value: 'Northside' }], author: 'ops' }),
    );
    const tech = key('technician', ['Northside']);
    expect(ids(await call('GET', '/api/v1/silences', tech), 'silences')).toEqual(['si_north']);
    expect(ids(await call('GET', '/api/v1/silences', key('admin')), 'silences')).toHaveLength(3);
    for (const id of ['si_east', 'si_global', 'si_unknown']) {
      const res = await call('DELETE', `/api/v1/silences/${id}`, tech);
      expect(res.status).toBe(404);
      expect(res.body).toEqual({ error: 'not_found', message: `no silence ${id}` });
    }
    expect(alerts.getSilence('si_east')?.expired_at).toBeNull();
    expect((await call('DELETE', '/api/v1/silences/si_north', tech)).status).toBe(200);
  });

  it('answers 403 to a viewer who creates or expires a silence', async () => {
    alerts.addSilence(silenceRecord({ id: 'si_north', matchers: [{ label: 'client', op: '=', value: 'Northside' }] }));
    const viewer = key('viewer', ['Northside'], 'owner');
    const body = { matchers: ['client=Northside'], duration: '1h', reason: 'x' };
    const create = await call('POST', '/api/v1/silences', viewer, body);
    expect(create.status).toBe(403);
    expect(create.body.message).toMatch(/^viewer owner may not create silences/);
    expect((await call('DELETE', '/api/v1/silences/si_north', viewer)).status).toBe(403);
    expect(alerts.getSilence('si_north')?.expired_at).toBeNull();
  });

  it('refuses a bad matcher, a missing end and a missing reason with 400 naming the field', async () => {
    const admin = key('admin');
    const post = (body: unknown) => call('POST', '/api/v1/silences', admin, body);
    const bad = await post({ matchers: ['client=Northside', 'hostname=EMR-SRV01'], duration: '1h', reason: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ error: 'invalid_body' });
    expect(bad.body.message).toMatch(/^matchers\[1\]: matcher "hostname=EMR-SRV01": unknown label "hostname"/);
    const regex = await post({ matchers: ['rule=~disk_(('], duration: '1h', reason: 'x' });
    expect(regex.body.message).toMatch(/^matchers\[0\]: .*invalid regular expression/);
    const noEnd = await post({ matchers: ['host=a'], reason: 'x' });
    expect(noEnd.status).toBe(400);
    expect(noEnd.body.message).toMatch(/^duration: give exactly one of duration/);
    const both = await post({ matchers: ['host=a'], duration: '1h', ends_at: '2030-01-01T00:00Z', reason: 'x' });
    expect(both.body.message).toMatch(/^duration: give exactly one of/);
    const noReason = await post({ matchers: ['host=a'], duration: '1h' });
    expect(noReason.body.message).toBe('request body does not match the schema: reason: is required');
    const blank = await post({ matchers: ['host=a'], duration: '1h', reason: '   ' });
    expect(blank.body.message).toBe('reason: must say why the alerts are muted');
    const duration = await post({ matchers: ['host=a'], duration: 'soon', reason: 'x' });
    expect(duration.body.message).toMatch(/duration: must be a duration such as/);
    const none = await post({ matchers: [], duration: '1h', reason: 'x' });
    expect(none.body.message).toMatch(/matchers: /);
    expect(alerts.listSilences({ now: T0 })).toEqual([]);
  });
});

describe('GET /api/v1/maintenance-windows', () => {
  it('lists the windows of the principal’s clients with whether each is open and when that changes', async () => {
    const tech = key('technician', ['Northside']);
    const res = await call('GET', '/api/v1/maintenance-windows', tech);
    expect(res.status).toBe(200);
    expect(res.body.maintenance_windows).toEqual([
      expect.objectContaining({
        name: 'backup hour',
        client: 'Northside',
        time_zone: 'UTC',
        active: true,
        next_change: 'ends',
        next_change_at: '2025-01-06T09:30:00Z',
      }),
    ]);
    const all = await call('GET', '/api/v1/maintenance-windows', key('viewer'));
    expect(all.body.maintenance_windows).toMatchObject([
      { name: 'backup hour' },
      { name: 'east patching', active: false, next_change: 'starts', next_change_at: '2025-01-12T02:00:00Z' },
    ]);
  });
});
