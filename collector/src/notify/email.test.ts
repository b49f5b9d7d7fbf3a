import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { notificationRecord } from '../fixtures/notifications.js';
import { freePort, startSmtp } from '../fixtures/receivers.js';
import { createEmailChannel, type EmailSettings, messageIdFor } from './email.js';
import { renderMessage } from './message.js';

const base: Omit<EmailSettings, 'port'> = {
  host: '127.0.0.1',
  secure: false,
  requireTLS: false,
  from: 'Vitals <alerts@msp.example>',
  to: ['oncall@msp.example'],
  timeoutMs: 5000,
};

let certDir: string;
beforeAll(() => {
  certDir = mkdtempSync(join(tmpdir(), 'vitals-smtp-tls-'));
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=localhost'],
      ...[
        '-addext',
        'subjectAltName=IP:127.0.0.1',
        '-keyout',
        join(certDir, 'key.pem'),
        '-out',
        join(certDir, 'cert.pem'),
      ],
    ],
    { stdio: 'ignore' },
  );
});
afterAll(() => {
  rmSync(certDir, { recursive: true, force: true });
});

describe('email channel', () => {
  it('sends one email with the subject, a text and an HTML body, and the idempotency key as Message-ID', async () => {
    const smtp = await startSmtp();
    const channel = createEmailChannel('ops-mail', { ...base, port: smtp.port });
    try {
      const n = notificationRecord();
      const outcome = await channel.send(n, renderMessage(n, { dashboardUrl: 'https://vitals.msp.example' }));
      expect(outcome).toMatchObject({ ok: true, response: expect.stringMatching(/^250 /) });
      expect(smtp.messages).toHaveLength(1);
      const mail = smtp.messages[0]!;
      expect(mail.to).toEqual(['oncall@msp.example']);
      expect(mail.headers.subject).toBe('[CRITICAL] Smith Family Practice / EMR-SRV01: Disk D: full in about 2 days');
      expect(mail.headers['message-id']).toBe('<ntf.al_disk_d.firing.1.ops-mail@vitals>');
      expect(mail.headers['x-vitals-idempotency-key']).toBe(n.idempotency_key);
      expect(mail.text).toContain('CRITICAL at Smith Family Practice / Main Office / EMR-SRV01');
      expect(mail.text).toContain('D: full in about 2 days at the current rate');
      expect(mail.text).toContain('Open EMR-SRV01 in the Vitals dashboard: https://vitals.msp.example/#/host/ag_emr01');
      expect(mail.html).toContain('<a href="https://vitals.msp.example/#/host/ag_emr01">');
      expect(mail.html).toContain('Check first');
    } finally {
      channel.close?.();
      await smtp.close();
    }
  });

  it('logs in over STARTTLS and verifies the server against a private CA', async () => {
    const tls = { key: readFileSync(join(certDir, 'key.pem')), cert: readFileSync(join(certDir, 'cert.pem')) };
    const smtp = await startSmtp({ tls, auth: { user: 'vitals', pass: 'correct horse' } });
    const ca = tls.cert.toString();
    const good = createEmailChannel('ops-mail', {
      ...base,
      port: smtp.port,
      requireTLS: true,
      auth: { user: 'vitals', pass: 'correct horse' },
      ca,
    });
    const untrusted = createEmailChannel('ops-mail', { ...base, port: smtp.port, requireTLS: true });
    try {
      const n = notificationRecord();
      expect(await good.send(n, renderMessage(n))).toMatchObject({ ok: true });
      expect(smtp.authed).toEqual(['vitals']);
      const refused = await untrusted.send(n, renderMessage(n));
      expect(refused).toMatchObject({ ok: false, permanent: false, error: expect.stringMatching(/certificate/i) });
      expect(smtp.messages).toHaveLength(1);
    } finally {
      good.close?.();
      untrusted.close?.();
      await smtp.close();
    }
  });

  it('reports a refused login as permanent without the password', async () => {
    const tls = { key: readFileSync(join(certDir, 'key.pem')), cert: readFileSync(join(certDir, 'cert.pem')) };
    const smtp = await startSmtp({ tls, auth: { user: 'vitals', pass: 'correct horse' } });
    const channel = createEmailChannel('ops-mail', {
      ...base,
      port: smtp.port,
      requireTLS: true,
      auth: { user: 'vitals', pass: 'wrong-password-123' },
      ca: tls.cert.toString(),
    });
    try {
      const n = notificationRecord();
      const outcome = await channel.send(n, renderMessage(n));
      expect(outcome).toMatchObject({ ok: false, permanent: true, error: expect.stringContaining('535') });
      expect(JSON.stringify(outcome)).not.toContain('wrong-password-123');
    } finally {
      channel.close?.();
      await smtp.close();
    }
  });

  it('reports a rejected recipient as permanent and a closed port as worth retrying', async () => {
    const smtp = await startSmtp({ reject: ['oncall@msp.example'] });
    const rejecting = createEmailChannel('ops-mail', { ...base, port: smtp.port });
    const down = createEmailChannel('ops-mail', { ...base, port: await freePort() });
    try {
      const n = notificationRecord();
      expect(await rejecting.send(n, renderMessage(n))).toMatchObject({
        ok: false,
        permanent: true,
        error: expect.stringContaining('550'),
      });
      expect(await down.send(n, renderMessage(n))).toMatchObject({
        ok: false,
        permanent: false,
        error: expect.stringContaining('ECONNREFUSED'),
      });
      expect(smtp.messages).toHaveLength(0);
    } finally {
      rejecting.close?.();
      down.close?.();
      await smtp.close();
    }
  });

  it('makes a valid Message-ID of any key, and different keys give different ids', () => {
    expect(messageIdFor('ntf.al_1.firing.1.ops')).toBe('<ntf.al_1.firing.1.ops@vitals>');
    expect(messageIdFor('a:b@c d')).toBe('<a=3Ab=40c=20d@vitals>');
    expect(messageIdFor('.a..b.')).toBe('<=2Ea.=2Eb=2E@vitals>');
    expect(messageIdFor('a=3A')).not.toBe(messageIdFor('a:'));
    expect(messageIdFor('é')).toBe('<=C3=A9@vitals>');
  });
});
