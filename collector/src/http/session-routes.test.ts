import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { issueToken } from '../auth/issue-token.js';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS, sessionId } from '../auth/session.js';
import { type AccessServer, PASSWORD, type Session, startAccessServer } from '../fixtures/access.js';
import { alertRecord } from '../fixtures/alerts.js';
import { hostFacts, T0 } from '../fixtures/reports.js';
import { SqliteAuditStore } from '../store/sqlite-audit.js';
import { LOGIN_FAILED_MESSAGE } from './session-routes.js';

const MINUTE = 60_000;
const HOUR = 3600_000;

let server: AccessServer;

beforeAll(async () => {
  server = await startAccessServer();
  await server.addUser({ email: 'dana@example.com', name: 'Dana Tech', role: 'technician' });
  await server.addUser({
    email: 'owner@northside.example',
    name: 'North Owner',
    role: 'viewer',
    clients: ['Northside'],
  });
  await server.addUser({ email: 'admin@example.com', name: 'Ada Admin', role: 'admin' });
});
afterAll(() => server.close());

beforeEach(() => {
  server.clock.now = T0;
  server.store.db.exec('DELETE FROM alert; DELETE FROM silence; DELETE FROM session; DELETE FROM audit');
  server.alerts.save(alertRecord({ id: 'al_north', client: 'Northside' }));
  server.alerts.save(alertRecord({ id: 'al_east', client: 'Eastside', agent_id: 'ag_east', host: 'PC-1' }));
});

const json = async <T>(res: Response) => (await res.json()) as T;
const alertIds = async (res: Response) => (await json<{ alerts: { id: string }[] }>(res)).alerts.map((a) => a.id);
const auditRows = () => new SqliteAuditStore(server.store.db).list({ limit: 100 });
const ack = (session: Session, id: string, csrf: boolean | string = true) =>
  server.request(`/api/v1/alerts/${id}/ack`, { method: 'POST', session, csrf, body: { comment: 'on it' } });

describe('POST /api/v1/session (login)', () => {
  it('sets an HttpOnly SameSite=Strict cookie for / and answers the user and a CSRF token', async () => {
    const res = await server.request('/api/v1/session', {
      method: 'POST',
      body: { email: 'Dana@Example.com', password: PASSWORD },
    });
    expect(res.status).toBe(200);
    const cookie = res.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/^vitals_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=604800$/);
    // Plain HTTP on loopback: not Secure, or a browser would never send it back over http.
    expect(cookie).not.toContain('Secure');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await json<Record<string, unknown>>(res);
    expect(body).toEqual({
      user: expect.objectContaining({
        email: 'dana@example.com',
        name: 'Dana Tech',
        role: 'technician',
        clients: null,
        status: 'active',
        last_login_at: '2025-01-06T09:00:00.000Z',
      }),
      csrf_token: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      expires_at: '2025-01-13T09:00:00.000Z',
      idle_timeout_seconds: 43_200,
    });
    // Only the token's hash is stored.
    const token = /vitals_session=([^;]+)/.exec(cookie)?.[1] as string;
    const rows = server.store.db.prepare('SELECT id FROM session').all() as { id: string }[];
    expect(rows).toEqual([{ id: sessionId(token) }]);
    expect(auditRows()[0]).toMatchObject({ action: 'login', actor: { kind: 'user', name: 'Dana Tech' } });
  });

  it('marks the cookie Secure when a TLS proxy forwarded the request', async () => {
    const res = await server.request('/api/v1/session', {
      method: 'POST',
      body: { email: 'dana@example.com', password: PASSWORD },
      headers: { 'x-forwarded-proto': 'https' },
    });
    expect(res.headers.get('set-cookie')).toMatch(/; Secure$/);
  });

  it('gives the same answer for an unknown email, a wrong password and a disabled user, and audits each', async () => {
    const disabled = await server.addUser({ email: `gone-${Date.now()}@example.com`, role: 'viewer' });
    server.users.disable(disabled.id, T0);
    const attempts = [
      { email: 'nobody@example.com', password: PASSWORD },
      { email: 'dana@example.com', password: 'wrong password!' },
      { email: disabled.email, password: PASSWORD },
    ];
    const answers = [];
    for (const body of attempts) {
      const res = await server.request('/api/v1/session', { method: 'POST', body });
      answers.push({ status: res.status, body: await res.json(), cookie: res.headers.get('set-cookie') });
    }
    const expected = { status: 401, body: { error: 'login_failed', message: LOGIN_FAILED_MESSAGE }, cookie: null };
    expect(answers).toEqual([expected, expected, expected]);
    const failed = auditRows().filter((r) => r.action === 'login.failed');
    expect(failed.map((r) => [r.target, r.detail?.reason])).toEqual([
      [disabled.email, 'user is disabled'],
      ['dana@example.com', 'wrong password'],
      ['nobody@example.com', 'unknown email'],
    ]);
    expect(failed[0]?.actor).toEqual({ kind: 'anonymous', id: '127.0.0.1', name: '127.0.0.1' });
    // No password in the audit log.
    expect(JSON.stringify(auditRows())).not.toContain('wrong password!');
    expect(JSON.stringify(auditRows())).not.toContain(PASSWORD);
  });

  it('refuses a sixth attempt within 15 minutes after 5 wrong passwords, even the right one, with Retry-After', async () => {
    const email = 'ratelimit@example.com';
    await server.addUser({ email, role: 'technician' });
    for (let i = 0; i < 5; i++) {
      server.clock.now = T0 + i * MINUTE;
      const res = await server.request('/api/v1/session', { method: 'POST', body: { email, password: `wrong ${i}` } });
      expect(res.status).toBe(401);
    }
    server.clock.now = T0 + 5 * MINUTE;
    const sixth = await server.request('/api/v1/session', { method: 'POST', body: { email, password: PASSWORD } });
    expect(sixth.status).toBe(429);
    expect(sixth.headers.get('retry-after')).toBe('600');
    expect(sixth.headers.get('set-cookie')).toBeNull();
    expect(await sixth.json()).toEqual({
      error: 'rate_limited',
      message: 'too many failed logins for this email; try again in 600 s',
    });
    expect(auditRows().filter((r) => r.action === 'login.failed')).toHaveLength(5);
    expect(
      auditRows()
        .filter((r) => r.action === 'login.blocked')
        .map((r) => r.target),
    ).toEqual([email]);
    // Another user from the same address is not locked out by it.
    await expect(server.login('dana@example.com')).resolves.toMatchObject({ csrf: expect.any(String) });
    // Once the first failure is 15 minutes old, the right password works again.
    server.clock.now = T0 + 15 * MINUTE;
    await expect(server.login(email)).resolves.toMatchObject({ csrf: expect.any(String) });
  });

  it('answers a body that is not JSON with 415, so a cross-site form cannot log anyone in', async () => {
    const res = await fetch(`${server.url}/api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `email=dana%40example.com&password=${encodeURIComponent(PASSWORD)}`,
    });
    expect(res.status).toBe(415);
  });
});

describe('the session cookie as a credential', () => {
  it('lists alerts, and GET /api/v1/session gives the same user and CSRF token after a page reload', async () => {
    const session = await server.login('dana@example.com');
    expect(await alertIds(await server.request('/api/v1/alerts', { session, csrf: false }))).toEqual([
      'al_north',
      'al_east',
    ]);
    const res = await server.request('/api/v1/session', { session, csrf: false });
    expect(res.status).toBe(200);
    const body = await json<{ user: { email: string }; csrf_token: string }>(res);
    expect(body.user.email).toBe('dana@example.com');
    expect(body.csrf_token).toBe(session.csrf);
  });

  it('refuses a state change without X-CSRF-Token or with a wrong one (403 csrf), and allows it with the token', async () => {
    const session = await server.login('dana@example.com');
    const missing = await ack(session, 'al_north', false);
    expect(missing.status).toBe(403);
    expect(await missing.json()).toEqual({
      error: 'csrf',
      message: expect.stringMatching(/^POST with the session cookie needs the header X-CSRF-Token/),
    });
    const other = await server.login('admin@example.com');
    expect((await ack(session, 'al_north', other.csrf)).status).toBe(403);
    expect(server.alerts.get('al_north')?.ack).toBeNull();

    const ok = await ack(session, 'al_north');
    expect(ok.status).toBe(200);
    expect((await json<{ ack: { by: string } }>(ok)).ack.by).toBe('Dana Tech');
  });

  it('needs no CSRF token with an API key (no cookie a browser would send by itself)', async () => {
    const key = server.access.create({ name: 'psa', role: 'technician', clients: null, now: T0 });
    const res = await server.request('/api/v1/alerts/al_north/ack', { method: 'POST', bearer: key.secret, body: {} });
    expect(res.status).toBe(200);
    expect(auditRows()[0]).toMatchObject({ action: 'alert.ack', actor: { kind: 'api_key', id: key.id, name: 'psa' } });
  });

  it('shows a viewer limited to Northside only Northside; Eastside answers 404 and acting answers 403', async () => {
    const session = await server.login('owner@northside.example');
    expect(await alertIds(await server.request('/api/v1/alerts', { session }))).toEqual(['al_north']);
    expect(await alertIds(await server.request('/api/v1/alerts?client=Eastside', { session }))).toEqual([]);
    const east = await server.request('/api/v1/alerts/al_east', { session });
    expect(east.status).toBe(404);
    expect(await east.json()).toEqual({ error: 'not_found', message: 'no alert al_east' });
    expect((await ack(session, 'al_east')).status).toBe(404);
    const own = await ack(session, 'al_north');
    expect(own.status).toBe(403);
    expect((await json<{ message: string }>(own)).message).toMatch(/^viewer North Owner may not acknowledge alerts/);
  });

  it("serves the dashboard's fleet and host pages to the session with the same tenant rules", async () => {
    for (const [client, hostname] of [
      ['Northside', 'EMR-SRV01'],
      ['Eastside', 'PC-1'],
    ] as const) {
      const token = await issueToken(server.store, { client, site: 'Main St', now: T0 });
      await server.store.createAgent({
        id: `ag_${hostname}`,
        tokenId: token.id,
        secretHash: `hash-${hostname}`,
        facts: hostFacts(hostname),
        now: T0,
      });
    }
    const session = await server.login('owner@northside.example');
    const fleet = await server.request('/api/v1/fleet', { session });
    expect(fleet.status).toBe(200);
    const body = await json<{ clients: { name: string }[] }>(fleet);
    expect(body.clients.map((c) => c.name)).toEqual(['Northside']);
    expect((await server.request('/api/v1/hosts/ag_EMR-SRV01', { session })).status).toBe(200);
    expect((await server.request('/api/v1/hosts/ag_PC-1', { session })).status).toBe(404);
    expect((await server.request('/api/v1/fleet')).status).toBe(401);
  });

  it('writes acknowledgements and silences made through a session to the audit log with the user name', async () => {
    const session = await server.login('dana@example.com');
    expect((await ack(session, 'al_north')).status).toBe(200);
    const added = await server.request('/api/v1/silences', {
      method: 'POST',
      session,
      body: { matchers: ['client=Northside', 'host=EMR-SRV01'], duration: '2h', reason: 'disk swap' },
    });
    expect(added.status).toBe(201);
    const { id } = await json<{ id: string }>(added);
    expect((await server.request(`/api/v1/silences/${id}`, { method: 'DELETE', session })).status).toBe(200);
    const dana = { kind: 'user', name: 'Dana Tech' };
    expect(auditRows().filter((r) => r.action !== 'login')).toMatchObject([
      { action: 'silence.expire', actor: dana, target: id, client: 'Northside' },
      {
        action: 'silence.add',
        actor: dana,
        target: id,
        client: 'Northside',
        detail: {
          matchers: ['client=Northside', 'host=EMR-SRV01'],
          reason: 'disk swap',
          ends_at: '2025-01-06T11:00:00.000Z',
        },
      },
      { action: 'alert.ack', actor: dana, target: 'al_north', client: 'Northside', detail: { comment: 'on it' } },
    ]);
  });

  it('ends a session idle for 12 hours, and any session 7 days after login however busy (401)', async () => {
    const idle = await server.login('dana@example.com');
    server.clock.now = T0 + SESSION_IDLE_MS - MINUTE;
    expect((await server.request('/api/v1/alerts', { session: idle })).status).toBe(200);
    server.clock.now += SESSION_IDLE_MS - MINUTE;
    expect((await server.request('/api/v1/alerts', { session: idle })).status).toBe(200);
    server.clock.now += SESSION_IDLE_MS;
    const over = await server.request('/api/v1/alerts', { session: idle });
    expect(over.status).toBe(401);
    expect(await over.json()).toEqual({
      error: 'unauthorized',
      message: 'the session was idle since 2025-01-07T08:58:00.000Z; log in again (POST /api/v1/session)',
    });

    server.clock.now = T0;
    const busy = await server.login('dana@example.com');
    for (let t = T0; t < T0 + SESSION_ABSOLUTE_MS; t += 11 * HOUR) {
      server.clock.now = t;
      expect((await server.request('/api/v1/alerts', { session: busy })).status).toBe(200);
    }
    server.clock.now = T0 + SESSION_ABSOLUTE_MS;
    const ended = await server.request('/api/v1/alerts', { session: busy });
    expect(ended.status).toBe(401);
    expect((await json<{ message: string }>(ended)).message).toMatch(/^the session ended at 2025-01-13T09:00:00.000Z/);
  });

  it('refuses a session of a user disabled after login, and a made-up cookie, with 401', async () => {
    const user = await server.addUser({ email: `temp-${Date.now()}@example.com`, role: 'technician' });
    const session = await server.login(user.email);
    server.users.disable(user.id, T0);
    expect((await server.request('/api/v1/alerts', { session })).status).toBe(401);
    const fake = { cookie: `vitals_session=${'A'.repeat(43)}`, csrf: 'x' };
    const res = await server.request('/api/v1/alerts', { session: fake });
    expect(res.status).toBe(401);
    expect((await json<{ message: string }>(res)).message).toMatch(/^the session is not valid/);
  });

  it('without any credential, says both ways to send one', async () => {
    const res = await server.request('/api/v1/alerts');
    expect(res.status).toBe(401);
    expect((await json<{ message: string }>(res)).message).toBe(
      'send Authorization: Bearer <API key> (vk_…, from `vitals-collector apikey create`) or ' +
        'a vitals_session cookie (log in with POST /api/v1/session)',
    );
  });
});

describe('DELETE /api/v1/session (logout)', () => {
  it('needs the CSRF token, ends the session, clears the cookie and is audited', async () => {
    const session = await server.login('dana@example.com');
    const forged = await server.request('/api/v1/session', { method: 'DELETE', session, csrf: false });
    expect(forged.status).toBe(403);
    expect((await server.request('/api/v1/alerts', { session })).status).toBe(200);

    const res = await server.request('/api/v1/session', { method: 'DELETE', session });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ logged_out: true });
    expect(res.headers.get('set-cookie')).toBe('vitals_session=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0');
    expect((await server.request('/api/v1/alerts', { session })).status).toBe(401);
    expect((await server.request('/api/v1/session', { session })).status).toBe(401);
    expect(auditRows()[0]).toMatchObject({
      action: 'logout',
      actor: { name: 'Dana Tech' },
      target: 'dana@example.com',
    });
  });
});
