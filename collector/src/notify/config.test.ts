import { ConfigError } from '@vitals/shared';
import { afterEach, describe, expect, it } from 'vitest';
import { N0, notificationRecord } from '../fixtures/notifications.js';
import { type HttpReceiver, startHttp } from '../fixtures/receivers.js';
import {
  DEFAULT_FAILING_AFTER,
  notificationsIssues,
  resolveChannelSettings,
  resolveChannels,
  resolveNotifications,
} from './config.js';
import { renderMessage } from './message.js';
import { verifyWebhookSignature } from './webhook.js';

const files: Record<string, string> = {
  '/run/secrets/hook-key': 'file-signing-key-0123456789\n',
  '/etc/vitals/ca.pem': '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n',
};
const readFile = (path: string) => {
  const text = files[path];
  if (text === undefined) throw Object.assign(new Error(`ENOENT: ${path}`), { code: 'ENOENT' });
  return text;
};
const env = { SMTP_PASSWORD: 'env-smtp-password', SLACK_URL: 'https://hooks.slack.com/services/T/B/slack-secret' };

function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

let rx: HttpReceiver | undefined;
afterEach(async () => {
  await rx?.close();
  rx = undefined;
});

describe('notification channels config', () => {
  it('reads each channel type with its secret from the file, an environment variable or a file of its own', () => {
    const settings = resolveChannelSettings(
      {
        'ops-mail': {
          type: 'email',
          smtp: {
            host: 'smtp.msp.example',
            user: 'vitals',
            password_env: 'SMTP_PASSWORD',
            ca_file: '/etc/vitals/ca.pem',
          },
          from: 'Vitals <alerts@msp.example>',
          to: ['oncall@msp.example'],
        },
        'local-relay': {
          type: 'email',
          smtp: { host: '127.0.0.1', port: 25 },
          from: 'v@x.example',
          to: ['a@x.example'],
        },
        smtps: {
          type: 'email',
          smtp: { host: 'smtp.msp.example', secure: true },
          from: 'v@x.example',
          to: ['a@x.example'],
        },
        'ops-hook': { type: 'webhook', url: 'https://psa.msp.example/vitals', secret_file: '/run/secrets/hook-key' },
        'ops-slack': { type: 'slack', url_env: 'SLACK_URL' },
        'ops-teams': { type: 'teams', url: 'https://msp.webhook.office.com/x', timeout: '5s' },
      },
      env,
      readFile,
    );
    expect(settings).toEqual([
      {
        name: 'ops-mail',
        type: 'email',
        email: {
          host: 'smtp.msp.example',
          port: 587,
          secure: false,
          requireTLS: true,
          auth: { user: 'vitals', pass: 'env-smtp-password' },
          ca: files['/etc/vitals/ca.pem'],
          from: 'Vitals <alerts@msp.example>',
          to: ['oncall@msp.example'],
          timeoutMs: 30_000,
        },
      },
      {
        name: 'local-relay',
        type: 'email',
        email: expect.objectContaining({ port: 25, secure: false, requireTLS: false }),
      },
      { name: 'smtps', type: 'email', email: expect.objectContaining({ port: 465, secure: true, requireTLS: false }) },
      {
        name: 'ops-hook',
        type: 'webhook',
        webhook: { url: 'https://psa.msp.example/vitals', secret: 'file-signing-key-0123456789', timeoutMs: 10_000 },
      },
      { name: 'ops-slack', type: 'slack', target: { url: env.SLACK_URL, timeoutMs: 10_000 } },
      { name: 'ops-teams', type: 'teams', target: { url: 'https://msp.webhook.office.com/x', timeoutMs: 5000 } },
    ]);
  });

  it('lists every problem with its key path and never the secret', () => {
    const error = errorOf(() =>
      resolveChannelSettings(
        {
          'ops-mail': {
            type: 'email',
            smtp: { host: 'smtp.msp.example', user: 'vitals', password_env: 'NOT_SET', ca_file: '/missing.pem' },
            from: 'v@x.example',
            to: ['nobody'],
          },
          'ops-hook': {
            type: 'webhook',
            url: 'http://psa.msp.example/hook',
            secret: 'literal-signing-key-1',
            secret_env: 'X',
          },
          'ops-slack': { type: 'slack', url: 'http://hooks.slack.com/services/T/B/plain-secret' },
          'ops-teams': { type: 'teams' },
        },
        env,
        readFile,
        { file: '/etc/vitals/collector.yaml' },
      ),
    );
    expect(error.issues).toEqual(
      expect.arrayContaining([
        {
          path: 'notifications.channels.ops-mail.smtp.password_env',
          message: 'environment variable NOT_SET is not set',
        },
        { path: 'notifications.channels.ops-mail.smtp.ca_file', message: 'cannot read /missing.pem: file not found' },
        { path: 'notifications.channels.ops-mail.to[0]', message: 'is not an email address' },
        {
          path: 'notifications.channels.ops-hook.url',
          message: expect.stringContaining('plain http:// is allowed only to loopback'),
        },
        { path: 'notifications.channels.ops-hook', message: 'give only one of secret, secret_env' },
        { path: 'notifications.channels.ops-slack.url', message: expect.stringContaining('plain http://') },
        { path: 'notifications.channels.ops-teams.url', message: 'is required (or url_env, or url_file)' },
      ]),
    );
    expect(error.message).toContain('/etc/vitals/collector.yaml');
    expect(error.message).not.toContain('literal-signing-key-1');
    expect(error.message).not.toContain('plain-secret');
  });

  it('checks each channel against the keys of its own type', () => {
    const error = errorOf(() =>
      resolveChannelSettings(
        {
          'ops mail': { type: 'email', smtp: { host: 'x', port: 'twenty-five' }, from: 'v@x.example', to: [] },
          fax: { type: 'fax' },
          'ops-hook': { type: 'webhook', url: 'https://x.example', secret: 'long-enough-key-123', colour: 'red' },
        },
        env,
        readFile,
      ),
    );
    expect(error.issues).toEqual(
      expect.arrayContaining([
        { path: 'notifications.channels.ops mail', message: expect.stringContaining('letters, digits') },
        { path: 'notifications.channels.ops mail.smtp.port', message: 'must be a whole number' },
        { path: 'notifications.channels.ops mail.to', message: expect.stringContaining('1') },
        { path: 'notifications.channels.fax.type', message: 'must be one of: email, webhook, slack, teams' },
        { path: 'notifications.channels.ops-hook.colour', message: 'is not a known key' },
      ]),
    );
  });

  it('takes the retry, failing and dashboard defaults, and refuses a first wait longer than the longest', () => {
    const settings = resolveNotifications({}, env, readFile);
    expect(settings).toEqual({
      channels: [],
      dashboardUrl: undefined,
      retry: { initialMs: 30_000, maxMs: 1_800_000, giveUpAfterMs: 86_400_000 },
      failingAfter: DEFAULT_FAILING_AFTER,
    });
    expect(resolveNotifications({ retry: { initial: '1m' }, failing_after: 5 }, env, readFile)).toMatchObject({
      retry: { initialMs: 60_000 },
      failingAfter: 5,
    });
    expect(notificationsIssues({ retry: { initial: '1h', max: '10m' }, dashboard_url: 'vitals.local' })).toEqual(
      expect.arrayContaining([
        { path: 'notifications.retry.initial', message: 'must not be longer than retry.max' },
        { path: 'notifications.dashboard_url', message: expect.any(String) },
      ]),
    );
  });

  it('builds a webhook channel that signs with the key read from its file', async () => {
    rx = await startHttp();
    const [channel] = resolveChannels(
      { 'ops-hook': { type: 'webhook', url: `${rx.url}/hook`, secret_file: '/run/secrets/hook-key' } },
      env,
      readFile,
      { clock: () => N0 },
    );
    const n = notificationRecord({ channel: 'ops-hook' });
    expect(await channel!.send(n, renderMessage(n))).toMatchObject({ ok: true });
    const req = rx.requests[0]!;
    const headers = {
      timestamp: req.headers['x-vitals-timestamp'] as string,
      signature: req.headers['x-vitals-signature'] as string,
    };
    expect(verifyWebhookSignature('file-signing-key-0123456789', headers, req.body, N0 / 1000)).toBe(true);
  });
});
