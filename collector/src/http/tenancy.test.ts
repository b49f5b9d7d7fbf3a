// Tenancy over real HTTP with dashboard sessions: a technician of one client naming another client,
// its host, alert, silence or token gets 404 and nothing is stored; a viewer of the other client sees
// nothing of the first client's silences, comments or free text.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AccessServer, type Session, startAccessServer } from '../fixtures/access.js';
import { alertRecord, silenceRecord } from '../fixtures/alerts.js';
import { hostFacts, T0 } from '../fixtures/reports.js';

let server: AccessServer;
let techA: Session;
let viewerB: Session;
let eastTokenId: string;

const count = (table: string) =>
  (server.store.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

beforeAll(async () => {
  server = await startAccessServer();
  await server.addUser({ email: 'tech@a.example', role: 'technician', clients: ['Northside'], name: 'Tia A' });
  await server.addUser({ email: 'owner@b.example', role: 'viewer', clients: ['Eastside'] });
  await server.addUser({ email: 'ops@msp.example', role: 'admin' });
  techA = await server.login('tech@a.example');
  viewerB = await server.login('owner@b.example');
  const admin = await server.login('ops@msp.example');
  for (const [client, host] of [
    ['Northside', 'EMR-SRV01'],
    ['Eastside', 'PC-1'],
  ] as const) {
    const made = await server.request('/api/v1/enrollment-tokens', {
      method: 'POST',
      session: admin,
      body: { client, site: 'Main St' },
    });
    const created = (await made.json()) as { id: string; token: string };
    if (client === 'Eastside') eastTokenId = created.id;
    const enrolled = await server.request('/api/v1/enroll', {
      method: 'POST',
      body: { token: created.token, host: hostFacts(host) },
    });
    expect(enrolled.status).toBe(200);
  }
  server.alerts.save(alertRecord({ id: 'al_north', client: 'Northside', host: 'EMR-SRV01' }));
  server.alerts.save(alertRecord({ id: 'al_east', client: 'Eastside', host: 'PC-1', agent_id: 'ag_east' }));
  server.alerts.addSilence(
    silenceRecord({ id: 'si_east', matchers: [{ label: 'client', op: '=', value: 'Eastside' }], author: 'ops' }),
  );
});
afterAll(async () => {
  await server.close();
});

describe('a technician of Northside naming Eastside', () => {
  it('answers 404 on every write and stores nothing (no row, no audit entry)', async () => {
    const before = { silence: count('silence'), token: count('tokens'), audit: count('audit') };
    const writes: [string, string, unknown][] = [
      ['POST', '/api/v1/silences', { matchers: ['client=Eastside'], duration: '1h', reason: 'A was here' }],
      ['POST', '/api/v1/silences', { matchers: ['client=Northside', 'host=PC-1'], duration: '1h', reason: 'x' }],
      ['DELETE', '/api/v1/silences/si_east', undefined],
      ['POST', '/api/v1/alerts/al_east/ack', { comment: 'mine' }],
      ['POST', '/api/v1/enrollment-tokens', { client: 'Eastside', site: 'Main St' }],
      ['DELETE', `/api/v1/enrollment-tokens/${eastTokenId}`, undefined],
    ];
    for (const [method, path, body] of writes) {
      const res = await server.request(path, { method, session: techA, body });
      expect([method, path, res.status]).toEqual([method, path, 404]);
    }
    expect({ silence: count('silence'), token: count('tokens'), audit: count('audit') }).toEqual(before);
    expect(server.alerts.get('al_east')?.ack).toBeNull();
    expect(server.alerts.getSilence('si_east')?.expired_at).toBeNull();
  });

  it('cannot make a silence naming both clients, which Eastside’s viewer would have seen', async () => {
    const res = await server.request('/api/v1/silences', {
      method: 'POST',
      session: techA,
      body: { matchers: ['client=Northside', 'client=Eastside'], duration: '1h', reason: 'Tia says hi' },
    });
    expect(res.status).toBe(400);
    expect(server.alerts.listSilences({ now: T0 }).map((s) => s.id)).toEqual(['si_east']);
  });
});

describe('a viewer of Eastside', () => {
  it('sees none of Northside’s silences, acks or free text', async () => {
    const own = await server.request('/api/v1/silences', {
      method: 'POST',
      session: techA,
      body: { matchers: ['client=Northside', 'host=EMR-SRV01'], duration: '1h', reason: 'Northside reboot' },
    });
    expect(own.status).toBe(201);
    const ack = await server.request('/api/v1/alerts/al_north/ack', {
      method: 'POST',
      session: techA,
      body: { comment: 'Northside secret' },
    });
    expect(ack.status).toBe(200);
    const texts: string[] = [];
    for (const path of ['/api/v1/silences?all=true', '/api/v1/alerts?state=all', '/api/v1/fleet']) {
      const res = await server.request(path, { session: viewerB });
      expect(res.status).toBe(200);
      texts.push(await res.text());
    }
    const seen = texts.join('\n');
    expect(seen).toContain('si_east');
    for (const secret of ['Northside', 'Tia A', 'EMR-SRV01', 'al_north']) expect(seen).not.toContain(secret);
    const alert = await server.request('/api/v1/alerts/al_north', { session: viewerB });
    expect(alert.status).toBe(404);
  });
});
