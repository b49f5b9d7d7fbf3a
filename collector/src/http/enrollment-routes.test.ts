import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { sha256 } from '../auth/credentials.js';
import { type AccessServer, type Session, startAccessServer } from '../fixtures/access.js';
import { hostFacts, T0 } from '../fixtures/reports.js';

let server: AccessServer;
let admin: Session;
let tech: Session;
let viewer: Session;
let northTech: Session;

interface Created {
  id: string;
  token: string;
  client: string;
  site: string;
  status: string;
  created_at: string;
  expires_at: string;
  revoked_at: string | null;
  uses: number;
  url: string;
  install: { linux: string; macos: string; windows: string };
}

beforeAll(async () => {
  server = await startAccessServer();
  await server.addUser({ email: 'admin@example.com', name: 'Ada Admin', role: 'admin' });
  await server.addUser({ email: 'dana@example.com', name: 'Dana Tech', role: 'technician' });
  await server.addUser({ email: 'owner@example.com', name: 'Olga Viewer', role: 'viewer' });
  await server.addUser({
    email: 'nina@northside.example',
    name: 'Nina North',
    role: 'technician',
    clients: ['Northside'],
  });
});
afterAll(() => server.close());

beforeEach(async () => {
  server.clock.now = T0;
  server.store.db.exec('DELETE FROM audit; DELETE FROM session; DELETE FROM agents; DELETE FROM tokens');
  admin = await server.login('admin@example.com');
  tech = await server.login('dana@example.com');
  viewer = await server.login('owner@example.com');
  northTech = await server.login('nina@northside.example');
});

const json = async <T>(res: Response) => (await res.json()) as T;
const create = (session: Session, body: unknown) =>
  server.request('/api/v1/enrollment-tokens', { method: 'POST', session, body });
const list = async (session: Session) =>
  (await json<{ tokens: Created[] }>(await server.request('/api/v1/enrollment-tokens', { session }))).tokens;
const revoke = (session: Session, id: string) =>
  server.request(`/api/v1/enrollment-tokens/${id}`, { method: 'DELETE', session });
const enroll = (token: string) =>
  fetch(`${server.url}/api/v1/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token, host: hostFacts('PC-NEW') }),
  });
const auditRows = () =>
  server.store.db
    .prepare(
      "SELECT action, actor_name, target, client, detail_json FROM audit WHERE action LIKE 'token.%' ORDER BY id",
    )
    .all();

describe('enrollment-token API', () => {
  it('creates a token answered once with the install commands, stores only its hash, audits it, and it enrolls', async () => {
    const res = await create(admin, { client: ' Northside ', site: 'Main St' });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = await json<Created>(res);
    expect(body).toEqual({
      id: expect.stringMatching(/^tk_/),
      token: expect.stringMatching(/^vt_[A-Za-z0-9_-]{32}$/),
      client: 'Northside',
      site: 'Main St',
      status: 'active',
      created_at: '2025-01-06T09:00:00.000Z',
      expires_at: '2025-01-13T09:00:00.000Z',
      revoked_at: null,
      uses: 0,
      url: server.url,
      install: expect.any(Object),
    });
    expect(body.install.linux).toBe(
      `curl -fsSL '${server.url}/install/linux.sh' | $([ "$(id -u)" = 0 ] || echo sudo) sh -s -- --url '${server.url}' --token '${body.token}'`,
    );
    expect(body.install.macos).toContain(`'${server.url}/install/macos.sh'`);
    expect(body.install.windows).toContain(`-Url '${server.url}' -Token '${body.token}'`);

    // Only the SHA-256 is stored; the listing never carries the secret.
    const row = server.store.db.prepare('SELECT * FROM tokens WHERE id = ?').get(body.id) as Record<string, unknown>;
    expect(row.hash).toBe(sha256(body.token));
    expect(JSON.stringify(server.store.db.prepare('SELECT * FROM tokens').all())).not.toContain(body.token);
    const listed = await list(admin);
    expect(listed.map((t) => t.id)).toEqual([body.id]);
    expect(JSON.stringify(listed)).not.toContain(body.token);
    expect(listed[0]).not.toHaveProperty('install');

    expect(auditRows()).toEqual([
      {
        action: 'token.create',
        actor_name: 'Ada Admin',
        target: body.id,
        client: 'Northside',
        detail_json: JSON.stringify({ site: 'Main St', expires_at: '2025-01-13T09:00:00.000Z' }),
      },
    ]);

    const enrolled = await enroll(body.token);
    expect(enrolled.status).toBe(200);
    expect(await enrolled.json()).toMatchObject({ client: 'Northside', site: 'Main St' });
    expect((await list(admin))[0]?.uses).toBe(1);
  });

  it('takes expires_in_hours and refuses a bad one, an empty client and unknown keys (400, nothing stored)', async () => {
    const short = await json<Created>(await create(tech, { client: 'Eastside', site: 'Lab', expires_in_hours: 1.5 }));
    expect(short.expires_at).toBe('2025-01-06T10:30:00.000Z');
    const bad = [
      await create(tech, { client: 'Eastside', site: 'Lab', expires_in_hours: 0 }),
      await create(tech, { client: 'Eastside', site: 'Lab', expires_in_hours: 100_000 }),
      await create(tech, { client: '  ', site: 'Lab' }),
      await create(tech, { client: 'Eastside' }),
      await create(tech, { client: 'Eastside', site: 'Lab', token: 'mine' }),
    ];
    expect(bad.map((r) => r.status)).toEqual([400, 400, 400, 400, 400]);
    expect((await json<{ message: string }>(bad[2] as Response)).message).toMatch(/client and site must not be empty/);
    expect((await list(admin)).map((t) => t.id)).toEqual([short.id]);
    // An expired token is listed as expired and no longer enrolls.
    server.clock.now = T0 + 2 * 3_600_000;
    expect((await list(admin))[0]?.status).toBe('expired');
    expect((await enroll(short.token)).status).toBe(401);
  });

  it('answers 403 to a viewer on list, create and revoke; technicians and API keys of that role may', async () => {
    const made = await json<Created>(await create(tech, { client: 'Eastside', site: 'Lab' }));
    const refused = [
      await server.request('/api/v1/enrollment-tokens', { session: viewer }),
      await create(viewer, { client: 'Eastside', site: 'Lab' }),
      await revoke(viewer, made.id),
    ];
    expect(refused.map((r) => r.status)).toEqual([403, 403, 403]);
    expect(await json(refused[1] as Response)).toEqual({
      error: 'forbidden',
      message: 'viewer Olga Viewer may not create enrollment tokens; that needs the role admin or technician',
    });
    expect((await list(tech)).map((t) => t.status)).toEqual(['active']);
    expect((await server.request('/api/v1/enrollment-tokens')).status).toBe(401);

    const key = server.access.create({ name: 'psa', role: 'technician', clients: null, now: T0 });
    const byKey = await server.request('/api/v1/enrollment-tokens', {
      method: 'POST',
      bearer: key.secret,
      body: { client: 'Westside', site: 'HQ' },
    });
    expect(byKey.status).toBe(201);
    expect(auditRows().at(-1)).toMatchObject({ action: 'token.create', actor_name: 'psa', client: 'Westside' });
  });

  it('needs the CSRF token to create or revoke with a session', async () => {
    const res = await server.request('/api/v1/enrollment-tokens', {
      method: 'POST',
      session: admin,
      csrf: false,
      body: { client: 'Eastside', site: 'Lab' },
    });
    expect(res.status).toBe(403);
    expect((await json<{ error: string }>(res)).error).toBe('csrf');
    expect(await list(admin)).toEqual([]);
  });

  it('limits a technician of some clients to creating for and seeing those; another client’s token is 404', async () => {
    const east = await json<Created>(await create(admin, { client: 'Eastside', site: 'Lab' }));
    const refused = await create(northTech, { client: 'Eastside', site: 'Lab' });
    expect(refused.status).toBe(404);
    expect(await json(refused)).toEqual({ error: 'not_found', message: 'no client Eastside' });
    expect((await list(admin)).map((t) => t.id)).toEqual([east.id]);
    server.clock.now = T0 + 1000;
    const north = await json<Created>(await create(northTech, { client: 'Northside', site: 'Main St' }));
    expect((await list(northTech)).map((t) => t.id)).toEqual([north.id]);
    expect((await list(admin)).map((t) => t.id)).toEqual([north.id, east.id]);

    const other = await revoke(northTech, east.id);
    expect(other.status).toBe(404);
    expect(await json(other)).toEqual({ error: 'not_found', message: `no enrollment token ${east.id}` });
    expect((await revoke(northTech, 'tk_unknown')).status).toBe(404);
    expect((await list(admin)).find((t) => t.id === east.id)?.status).toBe('active');
    expect((await revoke(northTech, north.id)).status).toBe(200);
  });

  it('revokes: the token stops enrolling, the audit row names who and the client and site; twice is 409', async () => {
    const made = await json<Created>(await create(admin, { client: 'Eastside', site: 'Lab' }));
    server.clock.now = T0 + 60_000;
    const res = await revoke(tech, made.id);
    expect(res.status).toBe(200);
    expect(await json(res)).toMatchObject({ id: made.id, status: 'revoked', revoked_at: '2025-01-06T09:01:00.000Z' });
    expect((await revoke(tech, made.id)).status).toBe(409);
    const refused = await enroll(made.token);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ message: `enrollment token ${made.id} was revoked` });
    expect(auditRows().at(-1)).toEqual({
      action: 'token.revoke',
      actor_name: 'Dana Tech',
      target: made.id,
      client: 'Eastside',
      detail_json: JSON.stringify({ site: 'Lab' }),
    });
    expect(auditRows()).toHaveLength(2);
  });

  it('builds the commands from the request: https behind a TLS proxy, and refuses a Host that is no URL', async () => {
    const proxied = await server.request('/api/v1/enrollment-tokens', {
      method: 'POST',
      session: admin,
      body: { client: 'Eastside', site: 'Lab' },
      headers: { 'x-forwarded-proto': 'https' },
    });
    const body = await json<Created>(proxied);
    expect(body.url).toBe(server.url.replace('http:', 'https:'));
    expect(body.install.linux).toContain(`--url '${body.url}'`);

    // A Host header no URL can be made of: 400, and no token is left behind.
    const port = new URL(server.url).port;
    const status = await new Promise<number>((resolve, reject) => {
      const payload = JSON.stringify({ client: 'Eastside', site: 'Odd' });
      const req = httpRequest(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/v1/enrollment-tokens',
          headers: {
            host: 'evil$host',
            cookie: admin.cookie,
            'x-csrf-token': admin.csrf,
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(payload),
          },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
    expect(status).toBe(400);
    expect((await list(admin)).map((t) => t.site)).toEqual(['Lab']);
  });
});

describe('enrollment-token API with public_url', () => {
  let configured: AccessServer;
  beforeAll(async () => {
    configured = await startAccessServer(undefined, { publicUrl: 'https://vitals.msp.example' });
    await configured.addUser({ email: 'admin@example.com', role: 'admin' });
  });
  afterAll(() => configured.close());

  it('puts the configured URL in every install command whatever Host the page used', async () => {
    const session = await configured.login('admin@example.com');
    const res = await configured.request('/api/v1/enrollment-tokens', {
      method: 'POST',
      session,
      body: { client: 'Northside', site: 'Main St' },
    });
    const body = await json<Created>(res);
    expect(body.url).toBe('https://vitals.msp.example');
    expect(body.install.linux).toBe(
      `curl -fsSL 'https://vitals.msp.example/install/linux.sh' | $([ "$(id -u)" = 0 ] || echo sudo) sh -s -- --url 'https://vitals.msp.example' --token '${body.token}'`,
    );
    expect(body.install.windows).toBe(
      'powershell -NoProfile -ExecutionPolicy Bypass -Command "& ([scriptblock]::Create((irm ' +
        `'https://vitals.msp.example/install/windows.ps1'))) -Url 'https://vitals.msp.example' -Token '${body.token}'"`,
    );
  });
});
