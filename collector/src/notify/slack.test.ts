import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { notificationRecord, notifiedAlert } from '../fixtures/notifications.js';
import { type HttpReceiver, startHttp } from '../fixtures/receivers.js';
import { renderMessage } from './message.js';
import { createSlackChannel, slackPayload } from './slack.js';

let rx: HttpReceiver;
beforeEach(async () => {
  rx = await startHttp();
});
afterEach(async () => {
  await rx.close();
});

describe('Slack channel', () => {
  it('posts an incoming-webhook message: text for the preview, blocks for the body', async () => {
    const n = notificationRecord({ channel: 'ops-slack' });
    const channel = createSlackChannel('ops-slack', { url: `${rx.url}/services/T0/B0/secret`, timeoutMs: 5000 });
    const outcome = await channel.send(n, renderMessage(n, { dashboardUrl: 'https://vitals.msp.example' }));
    expect(outcome).toEqual({ ok: true, response: 'HTTP 200 ok' });
    expect(rx.requests).toHaveLength(1);
    expect(rx.requests[0]?.path).toBe('/services/T0/B0/secret');
    const body = JSON.parse(rx.requests[0]!.body);
    expect(Object.keys(body).sort()).toEqual(['blocks', 'text']);
    expect(body.text).toBe('CRITICAL: Smith Family Practice / EMR-SRV01: Disk D: full in about 2 days');
    expect(body.blocks.map((b: { type: string }) => b.type)).toEqual([
      'header',
      'section',
      'divider',
      'section',
      'actions',
      'context',
    ]);
    expect(body.blocks[0].text).toEqual({ type: 'plain_text', text: body.text, emoji: true });
    expect(body.blocks[1].fields).toContainEqual({ type: 'mrkdwn', text: '*Host*\nEMR-SRV01' });
    expect(body.blocks[3].text.type).toBe('mrkdwn');
    expect(body.blocks[3].text.text).toContain('*Forecast:* D: full in about 2 days at the current rate');
    expect(body.blocks[4].elements[0]).toMatchObject({
      type: 'button',
      url: 'https://vitals.msp.example/#/host/ag_emr01',
    });
  });

  it("keeps within Slack's limits and escapes its markup characters", () => {
    const alerts = Array.from({ length: 60 }, (_, i) => notifiedAlert({ id: `a${i}`, summary: `Disk <${i}> & more` }));
    const payload = slackPayload(renderMessage(notificationRecord({ alerts })));
    expect(payload.blocks.length).toBeLessThanOrEqual(50);
    expect((payload.blocks[0] as { text: { text: string } }).text.text.length).toBeLessThanOrEqual(150);
    expect(JSON.stringify(payload.blocks)).toContain('Disk &lt;0&gt; &amp; more');
    expect(JSON.stringify(payload.blocks)).toContain('and 20 more');
  });
});

describe('Slack escaping of agent-provided text', () => {
  it('neutralises <!channel>, <!here> and <url|label> from a hostile hostname and target, in text and blocks', async () => {
    const host = 'PC<!channel><!here><https://evil.example|Click me>&';
    const alert = notifiedAlert({ host, target: '<https://evil.example|D:>' });
    const n = notificationRecord({ channel: 'ops-slack', host, alerts: [alert] });
    const channel = createSlackChannel('ops-slack', { url: `${rx.url}/hook`, timeoutMs: 5000 });
    await channel.send(n, renderMessage(n, { dashboardUrl: 'https://vitals.msp.example' }));
    const body = JSON.parse(rx.requests[0]!.body) as { text: string; blocks: { type: string }[] };
    const mrkdwn = [body.text];
    JSON.stringify(body.blocks, (_key, value) => {
      if (typeof value === 'object' && value?.type === 'mrkdwn') mrkdwn.push(value.text);
      return value;
    });
    expect(body.text).toContain('PC&lt;!channel&gt;&lt;!here&gt;&lt;https://evil.example|Click me&gt;&amp;');
    for (const text of mrkdwn) {
      expect(text).not.toMatch(/<!|<https?:/);
      expect(text.replace(/&(amp|lt|gt);/g, '')).not.toMatch(/[<>&]/);
    }
    // text, the lead, the where fields (host among them), the alert section, the footer.
    expect(mrkdwn.length).toBeGreaterThan(5);
  });
});
