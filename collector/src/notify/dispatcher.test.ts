import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { captureLogger, N0, newNotification, type TempOutbox, tempOutbox } from '../fixtures/notifications.js';
import { freePort, type HttpReceiver, type SmtpReceiver, startHttp, startSmtp } from '../fixtures/receivers.js';
import type { Channel } from './channel.js';
import { startDispatcher } from './dispatcher.js';
import { createEmailChannel } from './email.js';
import { renderMessage } from './message.js';
import { createSlackChannel } from './slack.js';
import { createTeamsChannel } from './teams.js';
import { createWebhookChannel, verifyWebhookSignature } from './webhook.js';

const SECRET = 'whsec-dispatcher-test-key';
const SLACK_PATH = '/services/T000/B000/slack-url-secret';
const retry = { initialMs: 30_000, maxMs: 30 * 60_000, giveUpAfterMs: 24 * 3_600_000 };
const LEASE = 60_000;

let t: TempOutbox;
let clock: number;
const now = () => clock;
const cleanups: (() => Promise<void> | void)[] = [];

beforeEach(() => {
  t = tempOutbox();
  clock = N0;
});
afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn();
  await t.close();
});

async function http(respond?: Parameters<typeof startHttp>[0]): Promise<HttpReceiver> {
  const rx = await startHttp(respond);
  cleanups.push(() => rx.close());
  return rx;
}
async function smtp(port?: number): Promise<SmtpReceiver> {
  const rx = await startSmtp(port ? { port } : {});
  cleanups.push(() => rx.close());
  return rx;
}
function email(port: number): Channel {
  const c = createEmailChannel('ops-mail', {
    host: '127.0.0.1',
    port,
    secure: false,
    requireTLS: false,
    from: 'Vitals <alerts@msp.example>',
    to: ['oncall@msp.example'],
    timeoutMs: 5000,
  });
  cleanups.push(() => c.close?.());
  return c;
}
function webhook(rx: HttpReceiver): Channel {
  return createWebhookChannel('ops-hook', { url: `${rx.url}/hook`, secret: SECRET, timeoutMs: 5000 }, now);
}

function dispatcher(channels: Channel[], extra: Partial<Parameters<typeof startDispatcher>[0]> = {}) {
  const log = captureLogger();
  const d = startDispatcher({
    outbox: t.outbox,
    channels,
    logger: log.logger,
    now,
    random: () => 0.5,
    intervalMs: 0,
    retry,
    failingAfter: 3,
    leaseMs: LEASE,
    renderOptions: { dashboardUrl: 'https://vitals.msp.example' },
    ...extra,
  });
  cleanups.push(() => d.stop());
  return { d, log };
}

function queue(channel: string, key = `ntf.al_disk_d.firing.1.${channel}`) {
  t.outbox.insert([newNotification({ channel, idempotency_key: key, created_at: clock })], clock);
  return t.outbox.byKey(key)!;
}

describe('dispatcher', () => {
  it('delivers an alert as one email, one signed webhook, one Slack and one Teams message, and logs no secret', async () => {
    const mail = await smtp();
    const hook = await http();
    const slackRx = await http();
    const teamsRx = await http(() => ({ status: 202 }));
    const channels = [
      email(mail.port),
      webhook(hook),
      createSlackChannel('ops-slack', { url: `${slackRx.url}${SLACK_PATH}`, timeoutMs: 5000 }),
      createTeamsChannel('ops-teams', { url: `${teamsRx.url}/workflows/x`, timeoutMs: 5000 }),
    ];
    for (const c of channels) queue(c.name);
    const { d, log } = dispatcher(channels);
    expect(await d.runOnce()).toBe(4);
    expect(await d.runOnce()).toBe(0);
    expect(mail.messages).toHaveLength(1);
    expect(mail.messages[0]?.headers.subject).toBe(
      '[CRITICAL] Smith Family Practice / EMR-SRV01: Disk D: full in about 2 days',
    );
    expect(hook.requests).toHaveLength(1);
    const h = hook.requests[0]!;
    const signed = {
      timestamp: h.headers['x-vitals-timestamp'] as string,
      signature: h.headers['x-vitals-signature'] as string,
    };
    expect(verifyWebhookSignature(SECRET, signed, h.body, N0 / 1000)).toBe(true);
    expect(JSON.parse(slackRx.requests[0]!.body).blocks.length).toBeGreaterThan(2);
    expect(JSON.parse(teamsRx.requests[0]!.body).attachments[0].content.type).toBe('AdaptiveCard');
    expect(t.outbox.stats()).toEqual({ queued: 0, sending: 0, delivered: 4, failed: 0 });
    const delivered = log.lines.filter((l) => l.msg === 'notification delivered');
    expect(delivered.map((l) => l.channel).sort()).toEqual(['ops-hook', 'ops-mail', 'ops-slack', 'ops-teams']);
    expect(delivered.find((l) => l.channel === 'ops-mail')?.response).toMatch(/^250 /);
    const raw = log.raw.join('\n');
    expect(raw).not.toContain(SECRET);
    expect(raw).not.toContain('slack-url-secret');
    expect(raw).not.toContain('Check first');
  });

  it('delivers an email exactly once when the SMTP server is down for a while and comes back', async () => {
    const port = await freePort();
    const { d } = dispatcher([email(port)]);
    const row = queue('ops-mail');
    expect(await d.runOnce()).toBe(1);
    expect(t.outbox.get(row.id)).toMatchObject({
      status: 'queued',
      attempts: 1,
      next_attempt_at: N0 + 30_000,
      last_error: expect.stringContaining('ECONNREFUSED'),
    });
    clock = N0 + 30_000;
    expect(await d.runOnce()).toBe(1);
    expect(t.outbox.get(row.id)).toMatchObject({ status: 'queued', attempts: 2, next_attempt_at: N0 + 90_000 });
    const mail = await smtp(port);
    clock = N0 + 60_000;
    expect(await d.runOnce()).toBe(0);
    clock = N0 + 90_000;
    expect(await d.runOnce()).toBe(1);
    clock = N0 + 3_600_000;
    expect(await d.runOnce()).toBe(0);
    expect(mail.messages).toHaveLength(1);
    expect(mail.messages[0]?.headers['message-id']).toBe(`<${row.idempotency_key}@vitals>`);
    expect(t.outbox.get(row.id)).toMatchObject({ status: 'delivered', attempts: 3, delivered_at: N0 + 90_000 });
  });

  it('retries a webhook answering 500 with growing waits, then delivers it once', async () => {
    const hook = await http((_req, i) => (i < 3 ? { status: 500, body: 'oops' } : { status: 200, body: 'thanks' }));
    const { d, log } = dispatcher([webhook(hook)], { failingAfter: 10 });
    const row = queue('ops-hook');
    expect(await d.runOnce()).toBe(1);
    const waits: number[] = [];
    for (let i = 0; i < 3; i++) {
      const due = t.outbox.get(row.id)!.next_attempt_at;
      waits.push(due - clock);
      clock = due - 1;
      expect(await d.runOnce()).toBe(0);
      clock = due;
      expect(await d.runOnce()).toBe(1);
    }
    expect(waits).toEqual([30_000, 60_000, 120_000]);
    expect(hook.requests).toHaveLength(4);
    expect(new Set(hook.requests.map((r) => r.headers['x-vitals-idempotency-key']))).toEqual(
      new Set([row.idempotency_key]),
    );
    expect(t.outbox.get(row.id)).toMatchObject({ status: 'delivered', attempts: 4, last_error: 'HTTP 500 oops' });
    clock += 86_400_000;
    expect(await d.runOnce()).toBe(0);
    expect(hook.requests).toHaveLength(4);
    expect(log.lines.filter((l) => l.msg === 'send failed')).toHaveLength(3);
  });

  it('waits for a failing channel once per run instead of trying each queued row', async () => {
    const hook = await http(() => ({ status: 503 }));
    const { d } = dispatcher([webhook(hook)]);
    const rows = ['a', 'b', 'c'].map((k) => queue('ops-hook', k));
    expect(await d.runOnce()).toBe(3);
    expect(hook.requests).toHaveLength(1);
    expect(rows.map((r) => t.outbox.get(r.id))).toMatchObject([
      { status: 'queued', attempts: 1, next_attempt_at: N0 + 30_000 },
      { status: 'queued', attempts: 0, next_attempt_at: N0 + 30_000 },
      { status: 'queued', attempts: 0, next_attempt_at: N0 + 30_000 },
    ]);
  });

  it('stops retrying on a 4xx, and tells the other channels once when the channel keeps failing', async () => {
    const hook = await http(() => ({ status: 400, body: 'bad payload' }));
    const mail = await smtp();
    const slackRx = await http();
    const failing: string[] = [];
    const channels = [
      webhook(hook),
      email(mail.port),
      createSlackChannel('ops-slack', { url: `${slackRx.url}${SLACK_PATH}`, timeoutMs: 5000 }),
    ];
    const { d, log } = dispatcher(channels, { onChannelFailing: (_h, c) => failing.push(c.name) });
    const rows = ['k1', 'k2', 'k3'].map((k) => queue('ops-hook', k));
    expect(await d.runOnce()).toBe(3);
    expect(hook.requests).toHaveLength(3);
    expect(rows.map((r) => t.outbox.get(r.id)?.status)).toEqual(['failed', 'failed', 'failed']);
    expect(t.outbox.get(rows[0]!.id)?.last_error).toBe('HTTP 400 bad payload');
    expect(failing).toEqual(['ops-hook']);
    const notices = t.outbox.list({ status: 'queued' });
    expect(notices.map((n) => [n.kind, n.channel]).sort()).toEqual([
      ['channel_failing', 'ops-mail'],
      ['channel_failing', 'ops-slack'],
    ]);
    expect(notices[0]?.channel_issue).toMatchObject({
      channel: 'ops-hook',
      failing_since: N0,
      consecutive_failures: 3,
    });
    expect(await d.runOnce()).toBe(2);
    expect(mail.messages[0]?.headers.subject).toBe(
      '[CHANNEL FAILING] Vitals: notifications through "ops-hook" are failing',
    );
    expect(JSON.parse(slackRx.requests[0]!.body).text).toContain('CHANNEL FAILING');
    expect(log.lines.filter((l) => l.msg === 'notification channel is failing')).toHaveLength(1);
    // No retries of a permanent failure, and no second notice in the same run of failures.
    clock = N0 + 3_600_000;
    queue('ops-hook', 'k4');
    expect(await d.runOnce()).toBe(1);
    expect(hook.requests).toHaveLength(4);
    expect(t.outbox.list({ status: 'queued' })).toEqual([]);
    expect(t.outbox.channelHealthOf('ops-hook')).toMatchObject({ consecutive_failures: 4, failing_since: N0 });
    // The channel works again: its state clears and the others hear so.
    hook.answer(() => ({ status: 200 }));
    queue('ops-hook', 'k5');
    expect(await d.runOnce()).toBe(1);
    expect(t.outbox.channelHealthOf('ops-hook')).toMatchObject({ consecutive_failures: 0, failing_since: null });
    expect(await d.runOnce()).toBe(2);
    expect(mail.messages[1]?.headers.subject).toBe('[RESOLVED] Vitals: notifications through "ops-hook" work again');
  });

  it('fails a notification still undelivered after give_up_after', async () => {
    const hook = await http(() => ({ status: 502 }));
    const { d, log } = dispatcher([webhook(hook)], { retry: { ...retry, giveUpAfterMs: 60_000 } });
    const row = queue('ops-hook');
    await d.runOnce();
    clock = N0 + 30_000;
    await d.runOnce();
    expect(t.outbox.get(row.id)).toMatchObject({ status: 'queued', next_attempt_at: N0 + 60_000 });
    clock = N0 + 60_000;
    await d.runOnce();
    expect(t.outbox.get(row.id)).toMatchObject({
      status: 'failed',
      attempts: 3,
      last_error: 'gave up after 1 minute: HTTP 502',
    });
    expect(log.lines.find((l) => l.msg === 'notification failed')).toMatchObject({
      channel: 'ops-hook',
      permanent: false,
    });
  });

  it('sends again, with the same idempotency key, a row a crashed dispatcher left in flight', async () => {
    const hook = await http();
    const channel = webhook(hook);
    queue('ops-hook');
    // The crashed collector claimed the row and sent it, then died before marking it delivered.
    const [inFlight] = t.outbox.claim(clock, 10, LEASE);
    await channel.send(inFlight!, renderMessage(inFlight!));
    const { d } = dispatcher([channel]);
    clock = N0 + LEASE - 1;
    expect(await d.runOnce()).toBe(0);
    clock = N0 + LEASE;
    expect(await d.runOnce()).toBe(1);
    expect(hook.requests).toHaveLength(2);
    const keys = hook.requests.map((r) => [r.headers['x-vitals-idempotency-key'], JSON.parse(r.body).idempotency_key]);
    expect(keys).toEqual([
      [inFlight!.idempotency_key, inFlight!.idempotency_key],
      [inFlight!.idempotency_key, inFlight!.idempotency_key],
    ]);
    expect(t.outbox.get(inFlight!.id)).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('fails rows for a channel that is no longer configured', async () => {
    const { d, log } = dispatcher([]);
    const row = queue('removed-channel');
    await d.runOnce();
    expect(t.outbox.get(row.id)).toMatchObject({
      status: 'failed',
      last_error: expect.stringContaining('not configured'),
    });
    expect(log.lines.some((l) => l.msg === 'notification failed')).toBe(true);
  });

  it('runs on its own timer until stopped', async () => {
    const hook = await http();
    queue('ops-hook');
    const { d } = dispatcher([webhook(hook)], { intervalMs: 10 });
    for (let i = 0; i < 200 && hook.requests.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await d.stop();
    expect(hook.requests).toHaveLength(1);
    queue('ops-hook', 'after-stop');
    await new Promise((r) => setTimeout(r, 50));
    expect(hook.requests).toHaveLength(1);
  });
});
