import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { verifyPassword } from '../auth/password.js';
import { type AccessServer, type Session, startAccessServer } from '../fixtures/access.js';
import { alertRecord } from '../fixtures/alerts.js';
import { T0 } from '../fixtures/reports.js';

let server: AccessServer;
let admin: Session;
let tech: Session;
let viewer: Session;

beforeAll(async () => {
  server = await startAccessServer();
  await server.addUser({ email: 'admin@example.com', name: 'Ada Admin', role: 'admin' });
  await server.addUser({ email: 'dana@example.com', name: 'Dana Tech', role: 'technician' });
  await server.addUser({
    email: 'owner@northside.example',
    name: 'North Owner',
    role: 'viewer',
    clients: ['Northside'],
  });
});
afterAll(() => server.close());

beforeEach(async () => {
  server.clock.now = T0;
  server.store.db.exec('DELETE FROM audit; DELETE FROM session');
  admin = await server.login('admin@example.com');
  tech = await server.login('dana@example.com');
  viewer = await server.login('owner@northside.example');
});

const json = async <T>(res: Response) => (await res.json()) as T;
const addUser = (session: Session, body: unknown) => server.request('/api/v1/users', { method: 'POST', session, body });

describe('users and audit API', () => {
  it('answers 403 to a technician or viewer on users and the audit log, with a session or an API key', async () => {
    const key = server.access.create({ name: 'psa', role: 'technician', clients: null, now: T0 });
    const refused = [
      await server.request('/api/v1/users', { session: tech }),
      await server.request('/api/v1/users', { session: viewer }),
      await server.request('/api/v1/audit', { session: tech }),
      await server.request('/api/v1/audit', { session: viewer }),
      await server.request('/api/v1/audit', { bearer: key.secret }),
      await addUser(tech, { email: 'x@example.com', role: 'admin' }),
      await server.request('/api/v1/users/us_000000000000/disable', { method: 'POST', session: viewer }),
    ];
    expect(refused.map((r) => r.status)).toEqual([403, 403, 403, 403, 403, 403, 403]);
    expect(await json<{ message: string }>(refused[2] as Response)).toEqual({
      error: 'forbidden',
      message: 'technician Dana Tech may not read the audit log; that needs the role admin',
    });
    expect(server.users.findByEmail('x@example.com')).toBeUndefined();
  });

  it('lets an admin add a user: the generated password is answered once and stored only as a scrypt hash', async () => {
    const res = await addUser(admin, {
      email: 'Sam@Eastside.example',
      role: 'technician',
      clients: ['Eastside'],
      name: 'Sam',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await json<{ user: Record<string, unknown>; password: string }>(res);
    expect(body.password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(body.user).toEqual({
      id: expect.stringMatching(/^us_/),
      email: 'Sam@Eastside.example',
      name: 'Sam',
      role: 'technician',
      clients: ['Eastside'],
      status: 'active',
      created_at: '2025-01-06T09:00:00.000Z',
      last_login_at: null,
      disabled_at: null,
    });
    const row = server.store.db.prepare('SELECT * FROM user WHERE id = ?').get(body.user.id) as Record<string, string>;
    expect(row.password_hash).toMatch(/^scrypt\$32768\$8\$1\$/);
    expect(JSON.stringify(row)).not.toContain(body.password);
    expect(await verifyPassword(body.password, row.password_hash as string)).toBe(true);

    // The new user logs in with it and sees only Eastside.
    server.alerts.save(alertRecord({ id: 'al_north', client: 'Northside' }));
    server.alerts.save(alertRecord({ id: 'al_east', client: 'Eastside', agent_id: 'ag_east', host: 'PC-1' }));
    const sam = await server.login('sam@eastside.example', body.password);
    const list = await json<{ alerts: { id: string }[] }>(await server.request('/api/v1/alerts', { session: sam }));
    expect(list.alerts.map((a) => a.id)).toEqual(['al_east']);

    const users = await json<{ users: { email: string }[] }>(await server.request('/api/v1/users', { session: admin }));
    expect(users.users.map((u) => u.email)).toContain('Sam@Eastside.example');
    expect(JSON.stringify(users)).not.toMatch(/scrypt|password/);
  });

  it('refuses a duplicate email (409), an admin limited to clients and a bad email (400)', async () => {
    const dup = await addUser(admin, { email: 'DANA@example.com', role: 'viewer' });
    expect(dup.status).toBe(409);
    expect((await json<{ message: string }>(dup)).message).toMatch(/already exists/);
    const limitedAdmin = await addUser(admin, { email: 'a2@example.com', role: 'admin', clients: ['Northside'] });
    expect(limitedAdmin.status).toBe(400);
    expect((await json<{ message: string }>(limitedAdmin)).message).toMatch(/clients: an admin sees every client/);
    const badEmail = await addUser(admin, { email: 'not an email', role: 'viewer' });
    expect(badEmail.status).toBe(400);
    const badRole = await addUser(admin, { email: 'r@example.com', role: 'owner' });
    expect(badRole.status).toBe(400);
  });

  it('adding a user needs the CSRF token with a session', async () => {
    const res = await server.request('/api/v1/users', {
      method: 'POST',
      session: admin,
      csrf: false,
      body: { email: 'csrf@example.com', role: 'viewer' },
    });
    expect(res.status).toBe(403);
    expect((await json<{ error: string }>(res)).error).toBe('csrf');
  });

  it('disables a user: their session answers 401 at once and they cannot log in; not oneself, not twice', async () => {
    const added = await json<{ user: { id: string }; password: string }>(
      await addUser(admin, { email: 'leaver@example.com', role: 'technician' }),
    );
    const leaver = await server.login('leaver@example.com', added.password);
    const res = await server.request(`/api/v1/users/${added.user.id}/disable`, { method: 'POST', session: admin });
    expect(res.status).toBe(200);
    expect((await json<{ user: { status: string; disabled_at: string } }>(res)).user).toMatchObject({
      status: 'disabled',
      disabled_at: '2025-01-06T09:00:00.000Z',
    });
    expect((await server.request('/api/v1/alerts', { session: leaver })).status).toBe(401);
    await expect(server.login('leaver@example.com', added.password)).rejects.toThrow(/401/);
    const again = await server.request(`/api/v1/users/${added.user.id}/disable`, { method: 'POST', session: admin });
    expect(again.status).toBe(409);
    const self = server.users.findByEmail('admin@example.com')?.id;
    const own = await server.request(`/api/v1/users/${self}/disable`, { method: 'POST', session: admin });
    expect(own.status).toBe(409);
    expect((await json<{ message: string }>(own)).message).toMatch(/cannot disable yourself/);
    const none = await server.request('/api/v1/users/us_000000000000/disable', { method: 'POST', session: admin });
    expect(none.status).toBe(404);
  });

  it('resets a password: a new one answered once, the old one and every session end, audited; admin only', async () => {
    const added = await json<{ user: { id: string }; password: string }>(
      await addUser(admin, { email: 'forgot@example.com', role: 'viewer' }),
    );
    const before = await server.login('forgot@example.com', added.password);
    const path = `/api/v1/users/${added.user.id}/password`;
    expect((await server.request(path, { method: 'POST', session: tech })).status).toBe(403);
    expect((await server.request(path, { method: 'POST', session: admin, csrf: false })).status).toBe(403);
    const res = await server.request(path, { method: 'POST', session: admin });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await json<{ user: { email: string }; password: string }>(res);
    expect(body.password).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(body.password).not.toBe(added.password);
    expect(body.user.email).toBe('forgot@example.com');
    expect((await server.request('/api/v1/session', { session: before })).status).toBe(401);
    await expect(server.login('forgot@example.com', added.password)).rejects.toThrow(/401/);
    await server.login('forgot@example.com', body.password);
    const row = server.store.db.prepare('SELECT * FROM user WHERE id = ?').get(added.user.id) as Record<string, string>;
    expect(JSON.stringify(row)).not.toContain(body.password);
    const { audit } = await json<{ audit: { action: string; actor: { name: string }; target: string }[] }>(
      await server.request('/api/v1/audit', { session: admin }),
    );
    expect(audit.find((r) => r.action === 'user.passwd')).toMatchObject({
      actor: { name: 'Ada Admin' },
      target: added.user.id,
    });
    expect(
      (await server.request('/api/v1/users/us_000000000000/password', { method: 'POST', session: admin })).status,
    ).toBe(404);
  });

  it('shows the audit log newest first to an admin, with since and limit', async () => {
    server.alerts.save(alertRecord({ id: 'al_north', client: 'Northside', ack: null }));
    server.clock.now = T0 + 60_000;
    const acked = await server.request('/api/v1/alerts/al_north/ack', {
      method: 'POST',
      session: tech,
      body: { comment: 'replacing the disk' },
    });
    expect(acked.status).toBe(200);
    const res = await server.request('/api/v1/audit', { session: admin });
    expect(res.status).toBe(200);
    const { audit } = await json<{ audit: { action: string; at: string; actor: unknown; detail: unknown }[] }>(res);
    expect(audit[0]).toEqual({
      id: expect.any(Number),
      at: '2025-01-06T09:01:00.000Z',
      actor: { kind: 'user', id: expect.stringMatching(/^us_/), name: 'Dana Tech' },
      action: 'alert.ack',
      target: 'al_north',
      client: 'Northside',
      detail: { comment: 'replacing the disk', rule: 'disk_space', host: 'EMR-SRV01', target: 'C:' },
    });
    expect(audit.slice(1).map((r) => r.action)).toEqual(['login', 'login', 'login']);
    const since = await server.request('/api/v1/audit?since=2025-01-06T09:00:30Z&limit=5', { session: admin });
    expect((await json<{ audit: unknown[] }>(since)).audit).toHaveLength(1);
    const limited = await server.request('/api/v1/audit?limit=2', { session: admin });
    expect((await json<{ audit: unknown[] }>(limited)).audit).toHaveLength(2);
    const bad = await server.request('/api/v1/audit?since=yesterday', { session: admin });
    expect(bad.status).toBe(400);
    expect((await json<{ message: string }>(bad)).message).toMatch(/since: must be an ISO time/);
    expect((await server.request('/api/v1/audit?limit=0', { session: admin })).status).toBe(400);
  });

  it('audits users added and disabled through the API with the admin as actor', async () => {
    const added = await json<{ user: { id: string } }>(
      await addUser(admin, { email: 'temp@example.com', role: 'viewer' }),
    );
    await server.request(`/api/v1/users/${added.user.id}/disable`, { method: 'POST', session: admin });
    const { audit } = await json<{
      audit: { action: string; actor: { name: string }; target: string; detail: unknown }[];
    }>(await server.request('/api/v1/audit', { session: admin }));
    expect(audit.slice(0, 2)).toMatchObject([
      {
        action: 'user.disable',
        actor: { name: 'Ada Admin' },
        target: added.user.id,
        detail: { email: 'temp@example.com' },
      },
      {
        action: 'user.add',
        actor: { name: 'Ada Admin' },
        target: added.user.id,
        detail: { email: 'temp@example.com', role: 'viewer', clients: null },
      },
    ]);
  });
});
