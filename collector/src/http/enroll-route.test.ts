import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hostFacts } from '../fixtures/reports.js';
import { answer, startTestServer, type TestServer } from '../fixtures/server.js';

let s: TestServer;
beforeEach(async () => {
  s = await startTestServer();
});
afterEach(async () => s.close());

describe('POST /api/v1/enroll', () => {
  it('exchanges a token for an agent id and a 256-bit secret, storing only its hash', async () => {
    const res = await s.enroll('EMR-SRV01');
    expect(res.agent_id).toMatch(/^ag_/);
    expect(Buffer.from(res.secret.slice(3), 'base64url').length).toBe(32);
    expect(res).toMatchObject({ client: 'Northside Family Practice', site: 'Main St' });
    const row = s.store.db.prepare('SELECT * FROM agents').get() as Record<string, unknown>;
    expect(row.hostname).toBe('EMR-SRV01');
    expect(JSON.stringify(row)).not.toContain(res.secret);
    expect(JSON.stringify(s.store.db.prepare('SELECT * FROM tokens').all())).not.toContain('vt_');
  });

  it('answers 401 for an unknown, an expired and a revoked token', async () => {
    const unknown = await s.post('/api/v1/enroll', { token: 'vt_not-a-real-token-at-all', host: hostFacts() });
    expect(unknown.status).toBe(401);
    expect(await answer(unknown)).toMatchObject({ error: 'unauthorized' });

    const shortLived = await s.token({ lifetimeMs: 60_000 });
    s.clock.now += 60_001;
    const expired = await s.post('/api/v1/enroll', { token: shortLived, host: hostFacts() });
    expect(expired.status).toBe(401);
    expect((await answer(expired)).message).toMatch(/expired/);

    const token = await s.token();
    const [record] = (await s.store.listTokens()).slice(-1);
    await s.store.revokeToken(record!.id, s.clock.now);
    const revoked = await s.post('/api/v1/enroll', { token, host: hostFacts() });
    expect(revoked.status).toBe(401);
    expect((await answer(revoked)).message).toMatch(/revoked/);
    expect(s.store.db.prepare('SELECT COUNT(*) AS n FROM agents').get()).toEqual({ n: 0 });
  });

  it('answers 400 naming the field when host facts are missing', async () => {
    const res = await s.post('/api/v1/enroll', { token: await s.token(), host: { hostname: 'x' } });
    expect(res.status).toBe(400);
    const body = await answer(res);
    expect(body.error).toBe('invalid_body');
    expect(body.message).toContain('host: is missing required keys: platform');
  });
});
