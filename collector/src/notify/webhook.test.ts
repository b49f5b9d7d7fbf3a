import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { N0, notificationRecord } from '../fixtures/notifications.js';
import { type HttpAnswer, type HttpReceiver, startHttp } from '../fixtures/receivers.js';
import { renderMessage } from './message.js';
import { createWebhookChannel, signWebhook, verifyWebhookSignature } from './webhook.js';

const SECRET = 'whsec-0123456789abcdef';
const clock = () => N0 + 90_000;

let rx: HttpReceiver;
beforeEach(async () => {
  rx = await startHttp();
});
afterEach(async () => {
  await rx.close();
});

function channel(timeoutMs = 5000) {
  return createWebhookChannel('ops-hook', { url: `${rx.url}/vitals`, secret: SECRET, timeoutMs }, clock);
}

describe('webhook channel', () => {
  it('posts the documented JSON with the idempotency key in a header and the body, signed so it verifies', async () => {
    const n = notificationRecord({ channel: 'ops-hook' });
    const outcome = await channel().send(n, renderMessage(n, { dashboardUrl: 'https://vitals.msp.example' }));
    expect(outcome).toEqual({ ok: true, response: 'HTTP 200 ok' });
    expect(rx.requests).toHaveLength(1);
    const req = rx.requests[0]!;
    expect(req).toMatchObject({ method: 'POST', path: '/vitals' });
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.headers['x-vitals-idempotency-key']).toBe(n.idempotency_key);
    expect(req.headers['x-vitals-timestamp']).toBe(String((N0 + 90_000) / 1000));
    const signature = req.headers['x-vitals-signature'] as string;
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    const headers = { timestamp: req.headers['x-vitals-timestamp'] as string, signature };
    expect(verifyWebhookSignature(SECRET, headers, req.body, (N0 + 90_000) / 1000)).toBe(true);
    // A receiver refuses a changed body, another key, and a replay outside its tolerance.
    expect(verifyWebhookSignature(SECRET, headers, req.body.replace('critical', 'warning'), N0 / 1000 + 90)).toBe(
      false,
    );
    expect(verifyWebhookSignature('another-key-0000000', headers, req.body, N0 / 1000 + 90)).toBe(false);
    expect(verifyWebhookSignature(SECRET, headers, req.body, N0 / 1000 + 90 + 301)).toBe(false);
    const body = JSON.parse(req.body);
    expect(body).toMatchObject({
      version: '1',
      idempotency_key: n.idempotency_key,
      notification_id: n.id,
      kind: 'firing',
      created_at: new Date(N0).toISOString(),
      severity: 'critical',
      client: 'Smith Family Practice',
      site: 'Main Office',
      host: 'EMR-SRV01',
      agent_id: 'ag_emr01',
      subject: '[CRITICAL] Smith Family Practice / EMR-SRV01: Disk D: full in about 2 days',
      dashboard_url: 'https://vitals.msp.example/#/host/ag_emr01',
      channel_issue: null,
    });
    expect(body.alerts[0]).toMatchObject({
      id: 'al_disk_d',
      rule: 'disk_forecast',
      target: 'D:',
      state: 'firing',
      started_at: new Date(N0 - 7_200_000).toISOString(),
      value: 4.2,
      threshold: 5,
      unit: 'percent',
      forecast: { full_at: new Date(N0 + 50 * 3_600_000).toISOString(), hours_left: 50 },
    });
    expect(body.text).toContain('What is wrong:');
  });

  it('signs "<timestamp>.<raw body>" with HMAC-SHA256, as the README shows', () => {
    // Same value as: printf '1700000000.{"a":1}' | openssl dgst -sha256 -hmac key
    expect(signWebhook('key', 1_700_000_000, '{"a":1}')).toBe(
      'sha256=a438e398bfafc57e4396bb7fc2304422f0f768e965d073ca313cb52e22e6ad03',
    );
  });

  it('gives up on a 4xx, tries again after a 5xx, a 408 or a 429 (with its Retry-After)', async () => {
    const n = notificationRecord({ channel: 'ops-hook' });
    const m = renderMessage(n);
    const answers: HttpAnswer[] = [
      { status: 404, body: 'no such hook' },
      { status: 503, body: 'maintenance' },
      { status: 408 },
      { status: 429, headers: { 'retry-after': '120' } },
      { status: 301, headers: { location: 'https://elsewhere.example/' } },
    ];
    rx.answer((_req, i) => answers[i] ?? { status: 200 });
    const c = channel();
    expect(await c.send(n, m)).toEqual({ ok: false, permanent: true, error: 'HTTP 404 no such hook' });
    expect(await c.send(n, m)).toEqual({ ok: false, permanent: false, error: 'HTTP 503 maintenance' });
    expect(await c.send(n, m)).toMatchObject({ ok: false, permanent: false, error: 'HTTP 408' });
    expect(await c.send(n, m)).toEqual({ ok: false, permanent: false, error: 'HTTP 429', retryAfterMs: 120_000 });
    expect(await c.send(n, m)).toMatchObject({
      ok: false,
      permanent: true,
      error: expect.stringContaining('redirects'),
    });
    expect(rx.requests).toHaveLength(5);
  });

  it('tries again after a timeout or a refused connection, without the URL in the error', async () => {
    const n = notificationRecord({ channel: 'ops-hook' });
    rx.answer(() => ({ status: 200, delayMs: 1000 }));
    expect(await channel(200).send(n, renderMessage(n))).toEqual({
      ok: false,
      permanent: false,
      error: 'no answer within 0.2 s',
    });
    await rx.close();
    const refused = await channel().send(n, renderMessage(n));
    expect(refused).toMatchObject({ ok: false, permanent: false, error: expect.stringContaining('ECONNREFUSED') });
    expect(JSON.stringify(refused)).not.toContain('/vitals');
    rx = await startHttp();
  });
});
