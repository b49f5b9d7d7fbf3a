// One alert, one value-against-threshold text everywhere (issue 13 item 6): the same alert
// record per unit the rules report in (percent, bytes, hours, days, minutes, count, ms, a state)
// is sent through real channels to real receivers (email to a real SMTP server, parsed with
// mailparser, text and HTML; the webhook, Slack and Teams to a real HTTP server) and read back
// from the real alerts API over HTTP; each says the value and threshold in the same words.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapshot } from '../../collector/src/alerting/route.js';
import { parseRoutingConfig } from '../../collector/src/alerting/routing-config.js';
import type { AlertRecord } from '../../collector/src/alerting/types.js';
import { alertRecord } from '../../collector/src/fixtures/alerts.js';
import { captureLogger, notificationRecord } from '../../collector/src/fixtures/notifications.js';
import { type HttpReceiver, type SmtpReceiver, startHttp, startSmtp } from '../../collector/src/fixtures/receivers.js';
import { buildServer } from '../../collector/src/http/server.js';
import { createEmailChannel } from '../../collector/src/notify/email.js';
import { escapeSlack, escapeTeams } from '../../collector/src/notify/escape.js';
import { renderMessage } from '../../collector/src/notify/message.js';
import { escapeHtml } from '../../collector/src/notify/message-layout.js';
import { createSlackChannel } from '../../collector/src/notify/slack.js';
import { createTeamsChannel } from '../../collector/src/notify/teams.js';
import { createWebhookChannel } from '../../collector/src/notify/webhook.js';
import { SqliteStore } from '../../collector/src/store/sqlite.js';
import { SqliteAccessStore } from '../../collector/src/store/sqlite-access.js';
import { SqliteAlertStore } from '../../collector/src/store/sqlite-alerts.js';

interface Case {
  unit: string;
  alert: Partial<AlertRecord>;
  /** The "Value" line every channel and the API must say. */
  reads: string;
}

const CASES: Case[] = [
  {
    unit: 'percent',
    alert: { rule: 'disk_space', value: 4.2, threshold: 5, unit: 'percent' },
    reads: '4.2 % (threshold 5 %)',
  },
  // The garbled case of the issue: a size threshold beside a percent value keeps its own unit.
  {
    unit: 'percent vs a size',
    alert: { rule: 'disk_space', target: 'D:', value: 10, threshold: '2.0 GB', unit: 'percent' },
    reads: '10 % (threshold 2.0 GB)',
  },
  {
    unit: 'bytes',
    alert: { rule: 'disk_space', target: 'E:', value: 1_500_000_000, threshold: 2_000_000_000, unit: 'bytes' },
    reads: '1.5 GB (threshold 2.0 GB)',
  },
  {
    unit: 'hours',
    alert: { rule: 'backup', target: 'nightly', value: 30.5, threshold: 26, unit: 'hours' },
    reads: '30.5 hours (threshold 26 hours)',
  },
  {
    unit: 'days',
    alert: { rule: 'endpoint', target: 'https://emr.example', value: 5, threshold: 14, unit: 'days' },
    reads: '5 days (threshold 14 days)',
  },
  {
    unit: 'minutes',
    alert: { rule: 'heartbeat', target: '', value: 14, threshold: 10, unit: 'minutes' },
    reads: '14 minutes (threshold 10 minutes)',
  },
  {
    unit: 'count',
    alert: { rule: 'smart', target: '/dev/sda', value: 12, threshold: 5, unit: 'count' },
    reads: '12 (threshold 5)',
  },
  {
    unit: 'ms',
    alert: { rule: 'endpoint', target: 'https://pacs.example', value: 850, threshold: 500, unit: 'ms' },
    reads: '850 ms (threshold 500 ms)',
  },
  {
    unit: 'state',
    alert: { rule: 'service', target: 'Spooler', value: 'stopped', threshold: 'running', unit: 'state' },
    reads: 'stopped (expected running)',
  },
];

const records = CASES.map((c, i) =>
  alertRecord({ id: `al_unit_${i}`, forecast: null, summary: `case ${c.unit}`, ...c.alert }),
);

let dir: string;
let store: SqliteStore;
let smtp: SmtpReceiver;
let http: HttpReceiver;
let apiUrl: string;
let apiKey: string;
let closeApi: () => Promise<void>;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vitals-units-'));
  store = SqliteStore.open(dir);
  const alerts = new SqliteAlertStore(store.db);
  for (const r of records) alerts.save(r);
  const access = new SqliteAccessStore(store.db);
  apiKey = access.create({ name: 'units', role: 'admin', clients: null, now: Date.now() }).secret;
  const app = await buildServer({
    store,
    logger: captureLogger().logger,
    limits: { bodyMaxBytes: 1024 * 1024, ratePerMinute: 600, enrollPerMinute: 120 },
    alerting: { alerts, access, routing: parseRoutingConfig({}) },
    dashboard: { silentAfterMs: 600_000 },
  });
  apiUrl = await app.listen({ host: '127.0.0.1', port: 0 });
  closeApi = () => app.close();
  smtp = await startSmtp();
  http = await startHttp();
});

afterAll(async () => {
  await closeApi?.();
  await smtp?.close();
  await http?.close();
  await store?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('value and threshold, the same words in every channel and the API', () => {
  it('says each unit alike in email (text, HTML), webhook, Slack, Teams and the alerts API', async () => {
    const n = notificationRecord({ alerts: records.map((r) => snapshot(r, true)) });
    const message = renderMessage(n);
    const channels = [
      createEmailChannel('mail', {
        host: '127.0.0.1',
        port: smtp.port,
        secure: false,
        requireTLS: false,
        from: 'vitals@msp.example',
        to: ['oncall@msp.example'],
        timeoutMs: 10_000,
      }),
      createWebhookChannel('hook', { url: `${http.url}/hook`, secret: 'whsec-0123456789abcdef', timeoutMs: 10_000 }),
      createSlackChannel('slack', { url: `${http.url}/slack/T0/B0/x`, timeoutMs: 10_000 }),
      createTeamsChannel('teams', { url: `${http.url}/teams`, timeoutMs: 10_000 }),
    ];
    for (const channel of channels) {
      expect(await channel.send(n, message), channel.name).toMatchObject({ ok: true });
      channel.close?.();
    }
    const mail = await simpleParser(smtp.messages[0]?.raw ?? '');
    const body = (path: string) => JSON.parse(http.requests.find((r) => r.path.startsWith(path))?.body ?? 'null');
    const hook = body('/hook') as { text: string; alerts: { id: string; reading: string }[] };
    const slack = JSON.stringify(body('/slack'));
    const teams = JSON.stringify(body('/teams'));
    const api = (await (
      await fetch(`${apiUrl}/api/v1/alerts?limit=100`, { headers: { authorization: `Bearer ${apiKey}` } })
    ).json()) as { alerts: { id: string; reading: string }[] };

    for (const [i, c] of CASES.entries()) {
      const id = `al_unit_${i}`;
      const what = `${c.unit}: ${c.reads}`;
      expect(mail.text, what).toMatch(new RegExp(`Value: +${c.reads.replace(/[().]/g, '\\$&')}\\n`));
      expect(mail.html || '', what).toContain(`>Value</td><td style="padding:2px 0">${escapeHtml(c.reads)}</td>`);
      expect(hook.alerts.find((a) => a.id === id)?.reading, what).toBe(c.reads);
      expect(hook.text, what).toContain(c.reads);
      expect(slack, what).toContain(JSON.stringify(`*Value:* ${escapeSlack(c.reads)}`).slice(1, -1));
      expect(teams, what).toContain(JSON.stringify({ title: 'Value', value: escapeTeams(c.reads) }));
      expect(api.alerts.find((a) => a.id === id)?.reading, what).toBe(c.reads);
    }
    // Never a threshold with the value's unit stuck onto its own.
    for (const text of [mail.text ?? '', mail.html || '', JSON.stringify(hook), slack, teams, JSON.stringify(api)]) {
      expect(text).not.toMatch(/GB percent|percent\)|expected 2\.0 GB/);
    }
  });
});
