import { gzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ingestRequest, range } from '../fixtures/reports.js';
import { answer, startTestServer, type TestServer } from '../fixtures/server.js';

let s: TestServer;
beforeEach(async () => {
  s = await startTestServer();
});
afterEach(async () => s.close());

const stored = () => (s.store.db.prepare('SELECT COUNT(*) AS n FROM report').get() as { n: number }).n;

describe('POST /api/v1/ingest', () => {
  it('stores a gzip batch and a plain batch and acks every seq', async () => {
    const { agent_id, secret } = await s.enroll();
    const gz = await s.post('/api/v1/ingest', ingestRequest(agent_id, range(1, 50)), { secret, gzip: true });
    expect(gz.status).toBe(200);
    expect(await answer(gz)).toEqual({ acked: range(1, 50), duplicates: 0 });
    const plain = await s.post('/api/v1/ingest', ingestRequest(agent_id, range(51, 60)), {
      secret,
      headers: { 'content-encoding': 'identity' },
    });
    expect(await answer(plain)).toEqual({ acked: range(51, 60), duplicates: 0 });
    expect(stored()).toBe(60);
  });

  it('answers a replayed batch with the same acks, counts duplicates and stores it once', async () => {
    const { agent_id, secret } = await s.enroll();
    const body = ingestRequest(agent_id, range(1, 20));
    const first = await answer(await s.post('/api/v1/ingest', body, { secret, gzip: true }));
    const again = await answer(await s.post('/api/v1/ingest', body, { secret, gzip: true }));
    expect(again.acked).toEqual(first.acked);
    expect(again.duplicates).toBe(20);
    expect(stored()).toBe(20);
  });

  it('rejects malformed JSON with 400 invalid_json', async () => {
    const { secret } = await s.enroll();
    const res = await s.post('/api/v1/ingest', '{"agent_id": "x", "reports": [', { secret });
    expect(res.status).toBe(400);
    expect((await answer(res)).error).toBe('invalid_json');
  });

  it('rejects a schema violation with 400 naming the field, storing nothing of the batch', async () => {
    const { agent_id, secret } = await s.enroll();
    const body = ingestRequest(agent_id, [1, 2, 3]);
    (body.reports[2]!.result as { ts: unknown }).ts = 1.5;
    const res = await s.post('/api/v1/ingest', body, { secret, gzip: true });
    expect(res.status).toBe(400);
    const err = await answer(res);
    expect(err.error).toBe('invalid_body');
    expect(err.message).toContain('reports[2].result.ts');
    expect(stored()).toBe(0);
  });

  it('answers 413 to a gzip bomb (50 MB of zeros) and stores nothing', async () => {
    const { agent_id, secret } = await s.enroll();
    const head = JSON.stringify(ingestRequest(agent_id, [1])).slice(0, -1);
    const bomb = gzipSync(
      Buffer.concat([Buffer.from(`${head},"pad":"`), Buffer.alloc(50 * 1024 * 1024, 0x30), Buffer.from('"}')]),
    );
    expect(bomb.length).toBeLessThan(200 * 1024);
    const res = await fetch(`${s.url}/api/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${secret}` },
      body: bomb,
    });
    expect(res.status).toBe(413);
    expect((await answer(res)).error).toBe('too_large');
    expect(stored()).toBe(0);
    // The server is still there and healthy.
    expect((await fetch(`${s.url}/healthz`)).status).toBe(200);
  });

  it('answers 413 to an oversized plain body', async () => {
    await s.close();
    s = await startTestServer({ bodyMaxBytes: 10_000 });
    const { agent_id, secret } = await s.enroll();
    const res = await s.post('/api/v1/ingest', ingestRequest(agent_id, range(1, 100)), { secret });
    expect(res.status).toBe(413);
    expect(stored()).toBe(0);
  });

  it('answers 415 to another content type or encoding', async () => {
    const { agent_id, secret } = await s.enroll();
    const body = ingestRequest(agent_id, [1]);
    const text = await s.post('/api/v1/ingest', body, { secret, headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    expect((await answer(text)).error).toBe('unsupported_media_type');
    const br = await s.post('/api/v1/ingest', body, { secret, headers: { 'content-encoding': 'br' } });
    expect(br.status).toBe(415);
    expect((await answer(br)).error).toBe('unsupported_encoding');
    expect(stored()).toBe(0);
  });

  it('answers 400 to a body that claims gzip but is not', async () => {
    const { agent_id, secret } = await s.enroll();
    const res = await fetch(`${s.url}/api/v1/ingest`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip', authorization: `Bearer ${secret}` },
      body: JSON.stringify(ingestRequest(agent_id, [1])),
    });
    expect(res.status).toBe(400);
    expect(stored()).toBe(0);
  });

  it('answers 401 without a secret, with a wrong one and for a retired agent', async () => {
    const { agent_id, secret } = await s.enroll();
    const body = ingestRequest(agent_id, [1]);
    expect((await s.post('/api/v1/ingest', body)).status).toBe(401);
    expect((await s.post('/api/v1/ingest', body, { secret: `${secret.slice(0, -2)}xx` })).status).toBe(401);
    expect((await s.post('/api/v1/ingest', body, { secret })).status).toBe(200);
    await s.store.retireAgent(agent_id, s.clock.now);
    const retired = await s.post('/api/v1/ingest', ingestRequest(agent_id, [2]), { secret });
    expect(retired.status).toBe(401);
    expect(await answer(retired)).toMatchObject({ error: 'unauthorized' });
    expect(stored()).toBe(1);
  });

  it("answers 404 when agent A sends with agent B's id, and stores nothing", async () => {
    const a = await s.enroll('PC-A');
    const b = await s.enroll('PC-B');
    const res = await s.post('/api/v1/ingest', ingestRequest(b.agent_id, [1, 2]), { secret: a.secret });
    expect(res.status).toBe(404);
    expect((await answer(res)).error).toBe('not_found');
    expect(stored()).toBe(0);
  });

  it('answers 429 past the per-agent rate limit, while another agent still gets through', async () => {
    await s.close();
    s = await startTestServer({ ratePerMinute: 3 });
    const a = await s.enroll('PC-A');
    const b = await s.enroll('PC-B');
    const statuses = [];
    for (let i = 1; i <= 4; i++) {
      statuses.push((await s.post('/api/v1/ingest', ingestRequest(a.agent_id, [i]), { secret: a.secret })).status);
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    expect((await s.post('/api/v1/ingest', ingestRequest(b.agent_id, [1]), { secret: b.secret })).status).toBe(200);
    expect(stored()).toBe(4);
  });

  it('survives a burst of garbage and reports the rejections in /metrics', async () => {
    const { agent_id, secret } = await s.enroll();
    const junk = ['', 'null', '[]', '{"agent_id":1}', '\u0000\u0001', '{"__proto__":{"x":1}}', '9'.repeat(1000)];
    for (const body of junk) {
      const res = await s.post('/api/v1/ingest', body, { secret });
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
    }
    await s.post('/api/v1/ingest', ingestRequest(agent_id, [1, 2]), { secret });
    const metrics = await (await fetch(`${s.url}/metrics`)).text();
    expect(metrics).toMatch(/vitals_ingested_reports_total 2\n/);
    expect(metrics).toMatch(/vitals_rejected_requests_total\{reason="invalid_body"\} [1-9]/);
    expect(metrics).toMatch(/vitals_ingest_duration_seconds_count 1\n/);
    expect(metrics).toMatch(/vitals_agents 1\n/);
  });
});

describe('POST /api/v1/ingest: values the store could not serve back', () => {
  it('refuses a ts far ahead of the clock or before 2000 with 400 naming the report, storing nothing', async () => {
    const { agent_id, secret } = await s.enroll();
    for (const ts of [1e20, s.clock.now + 25 * 3_600_000, Date.UTC(1999, 11, 31)]) {
      const body = ingestRequest(agent_id, [1, 2, 3, 4]);
      body.reports[3]!.result.ts = ts;
      const res = await s.post('/api/v1/ingest', body, { secret });
      expect(res.status).toBe(400);
      expect((await answer(res)).message).toContain('reports[3].result.ts');
    }
    expect(stored()).toBe(0);
    // Within the window (23 h ahead) is still accepted.
    const ok = ingestRequest(agent_id, [1]);
    ok.reports[0]!.result.ts = s.clock.now + 23 * 3_600_000;
    expect((await s.post('/api/v1/ingest', ok, { secret })).status).toBe(200);
    expect(stored()).toBe(1);
  });

  it('refuses seq above 2^53-1 as written in the raw JSON, negative or fractional, storing nothing', async () => {
    const { agent_id, secret } = await s.enroll();
    const raw = JSON.stringify(ingestRequest(agent_id, [1, 2]));
    for (const seq of ['9223372036854775807', '9007199254740992', '-1', '0', '2.5']) {
      const res = await s.post('/api/v1/ingest', raw.replace('"seq":2,', `"seq":${seq},`), { secret });
      expect(res.status, seq).toBe(400);
      expect((await answer(res)).message).toContain('reports[1].seq');
    }
    expect(stored()).toBe(0);
    const max = raw.replace('"seq":2,', `"seq":${Number.MAX_SAFE_INTEGER},`);
    const res = await s.post('/api/v1/ingest', max, { secret });
    expect(await answer(res)).toEqual({ acked: [1, Number.MAX_SAFE_INTEGER], duplicates: 0 });
  });
});
