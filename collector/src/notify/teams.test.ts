import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { notificationRecord } from '../fixtures/notifications.js';
import { type HttpReceiver, startHttp } from '../fixtures/receivers.js';
import { renderMessage } from './message.js';
import { createTeamsChannel } from './teams.js';

let rx: HttpReceiver;
beforeEach(async () => {
  // Teams Workflows webhooks answer 202 Accepted.
  rx = await startHttp(() => ({ status: 202 }));
});
afterEach(async () => {
  await rx.close();
});

describe('Teams channel', () => {
  it('posts a message with one Adaptive Card: headline, where, the alerts as facts, a dashboard button', async () => {
    const n = notificationRecord({ channel: 'ops-teams' });
    const channel = createTeamsChannel('ops-teams', { url: `${rx.url}/workflows/abc`, timeoutMs: 5000 });
    const outcome = await channel.send(n, renderMessage(n, { dashboardUrl: 'https://vitals.msp.example' }));
    expect(outcome).toEqual({ ok: true, response: 'HTTP 202' });
    const body = JSON.parse(rx.requests[0]!.body);
    expect(body.type).toBe('message');
    expect(body.attachments).toHaveLength(1);
    const [attachment] = body.attachments;
    expect(attachment.contentType).toBe('application/vnd.microsoft.card.adaptive');
    const card = attachment.content;
    expect(card).toMatchObject({ type: 'AdaptiveCard', version: '1.4' });
    expect(card.body[0]).toMatchObject({
      type: 'TextBlock',
      text: 'CRITICAL: Smith Family Practice / EMR-SRV01: Disk D: full in about 2 days',
      weight: 'Bolder',
      color: 'Attention',
    });
    const factSets = card.body.filter((b: { type: string }) => b.type === 'FactSet');
    expect(factSets[0].facts).toContainEqual({ title: 'Practice', value: 'Smith Family Practice' });
    expect(factSets[1].facts.map((f: { title: string }) => f.title)).toEqual([
      'Since',
      'Value',
      'Forecast',
      'Check first',
    ]);
    expect(card.actions).toEqual([
      {
        type: 'Action.OpenUrl',
        title: 'Open EMR-SRV01 in the Vitals dashboard',
        url: 'https://vitals.msp.example/#/host/ag_emr01',
      },
    ]);
  });
});

describe('Teams escaping of agent-provided text', () => {
  it('leaves no markdown link, emphasis or list from a hostile hostname in any TextBlock or fact', async () => {
    const host = '[Click me](https://evil.example) **urgent** _x_';
    const n = notificationRecord({ channel: 'ops-teams', host });
    const channel = createTeamsChannel('ops-teams', { url: `${rx.url}/hook`, timeoutMs: 5000 });
    await channel.send(n, renderMessage(n, { dashboardUrl: 'https://vitals.msp.example' }));
    const card = JSON.parse(rx.requests[0]!.body).attachments[0].content;
    const texts: string[] = [];
    JSON.stringify(card.body, (key, value) => {
      if ((key === 'text' || key === 'value' || key === 'title') && typeof value === 'string') texts.push(value);
      return value;
    });
    const withHost = texts.filter((t) => t.includes('evil.example'));
    expect(withHost.length).toBeGreaterThan(0);
    for (const text of withHost) {
      expect(text).toContain('\\[Click me\\]\\(https://evil.example\\) \\*\\*urgent\\*\\* \\_x\\_');
      // No unescaped markup character is left.
      expect(text.replace(/\\./g, '')).not.toMatch(/[[\]()*_]/);
    }
  });
});
