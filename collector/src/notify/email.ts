// The email channel: SMTP through nodemailer (implicit TLS or STARTTLS, certificates verified,
// optional private CA), plain-text and HTML bodies, and a Message-ID made from the idempotency key
// so a mail system or client can drop the rare repeat after a crash between send and mark.
import { DURATION_PATTERN } from '@vitals/shared';
import nodemailer from 'nodemailer';
import Type from 'typebox';
import type { Channel } from './channel.js';

/** The keys of a `type: email` channel as written in the collector config. */
export const EmailOptionsSchema = Type.Object(
  {
    type: Type.Literal('email'),
    smtp: Type.Object(
      {
        host: Type.String({ minLength: 1, description: 'SMTP server (relay or submission server)' }),
        port: Type.Optional(
          Type.Integer({ minimum: 1, maximum: 65535, description: 'default 465 with secure, else 587' }),
        ),
        secure: Type.Optional(Type.Boolean({ default: false, description: 'TLS from the first byte (port 465)' })),
        starttls: Type.Optional(
          Type.Boolean({
            description:
              'refuse to send unless the server upgrades the connection with STARTTLS; default true unless ' +
              'the host is loopback or secure is on',
          }),
        ),
        user: Type.Optional(Type.String({ minLength: 1, description: 'login; needs a password' })),
        password: Type.Optional(Type.String({ minLength: 1, description: 'prefer password_env or password_file' })),
        password_env: Type.Optional(
          Type.String({ minLength: 1, description: 'environment variable holding the password' }),
        ),
        password_file: Type.Optional(Type.String({ minLength: 1, description: 'file holding the password' })),
        ca_file: Type.Optional(Type.String({ minLength: 1, description: 'PEM file of a private CA to trust' })),
        timeout: Type.Optional(
          Type.String({ pattern: DURATION_PATTERN, default: '30s', description: 'connect, greeting and idle' }),
        ),
      },
      { additionalProperties: false },
    ),
    from: Type.String({ minLength: 3, description: 'sender, e.g. "Vitals <alerts@msp.example>"' }),
    to: Type.Array(Type.String({ minLength: 3 }), { minItems: 1, description: 'recipients' }),
  },
  { additionalProperties: false },
);

export interface EmailSettings {
  host: string;
  port: number;
  /** Implicit TLS. */
  secure: boolean;
  /** Fail unless STARTTLS upgrades the connection. */
  requireTLS: boolean;
  /** Never logged. */
  auth?: { user: string; pass: string };
  /** PEM text of a CA to trust in addition to the system's. */
  ca?: string;
  from: string;
  to: string[];
  timeoutMs: number;
}

// RFC 5322 atext without '=', which escapes everything else (=XX per UTF-8 byte): keys stay
// readable and two different keys never give the same Message-ID.
const ATEXT = /^[A-Za-z0-9!#$%&'*+\-/?^_`{|}~]$/;

/** `<key@vitals>`, with what a Message-ID may not hold escaped. */
export function messageIdFor(key: string, domain = 'vitals'): string {
  let out = '';
  for (const ch of key) {
    if (ATEXT.test(ch) || (ch === '.' && out !== '' && !out.endsWith('.'))) out += ch;
    else for (const b of Buffer.from(ch, 'utf8')) out += `=${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (out.endsWith('.')) out = `${out.slice(0, -1)}=2E`;
  return `<${out}@${domain}>`;
}

interface SmtpError {
  message?: string;
  code?: string;
  responseCode?: number;
  permanent?: boolean;
}

export function createEmailChannel(name: string, settings: EmailSettings): Channel {
  const transport = nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    requireTLS: settings.requireTLS,
    ...(settings.auth ? { auth: { user: settings.auth.user, pass: settings.auth.pass } } : {}),
    tls: { rejectUnauthorized: true, ...(settings.ca ? { ca: settings.ca } : {}) },
    connectionTimeout: settings.timeoutMs,
    greetingTimeout: settings.timeoutMs,
    socketTimeout: settings.timeoutMs,
  });
  return {
    name,
    type: 'email',
    async send(n, message) {
      const only = n.alerts.length === 1 ? n.alerts[0] : undefined;
      try {
        const info = await transport.sendMail({
          from: settings.from,
          to: settings.to,
          subject: message.subject,
          text: message.text,
          html: message.html,
          messageId: messageIdFor(n.idempotency_key),
          // A resolve then threads under its alert's first email in most mail clients.
          ...(only ? { references: [messageIdFor(only.id, 'alert.vitals')] } : {}),
          headers: { 'X-Vitals-Idempotency-Key': n.idempotency_key, 'X-Vitals-Kind': n.kind },
        });
        const rejected = (info.rejected ?? []).map(String);
        const response = String(info.response ?? '').trim();
        return { ok: true, response: rejected.length ? `${response} (rejected: ${rejected.join(', ')})` : response };
      } catch (error) {
        const e = error as SmtpError;
        // SMTP 5xx is a permanent negative reply (rejected recipient, refused login): the same
        // message will be refused again. Connection trouble, timeouts and 4xx are worth retrying.
        const permanent = e.permanent ?? (e.responseCode !== undefined && e.responseCode >= 500);
        return { ok: false, permanent, error: e.message ?? String(error) };
      }
    },
    close: () => transport.close(),
  };
}
