// The generic webhook channel: POSTs a documented JSON body (docs/notifications.md), signed with
// HMAC-SHA256 over "<timestamp>.<raw body>" so a receiver can check who sent it and refuse replays;
// the idempotency key rides in a header and in the body so a receiver can drop a repeat.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { DURATION_PATTERN } from '@vitals/shared';
import Type from 'typebox';
import type { NotificationRecord } from '../alerting/types.js';
import type { Channel } from './channel.js';
import { postJson } from './http-post.js';
import { type RenderedMessage, readingText } from './message.js';

export const WEBHOOK_PAYLOAD_VERSION = '1';

/** The keys of a `type: webhook` channel as written in the collector config. */
export const WebhookOptionsSchema = Type.Object(
  {
    type: Type.Literal('webhook'),
    url: Type.String({ minLength: 1, description: 'receiver URL (https://, or http:// to loopback)' }),
    secret: Type.Optional(
      Type.String({ minLength: 16, description: 'signing key (prefer secret_env or secret_file)' }),
    ),
    secret_env: Type.Optional(
      Type.String({ minLength: 1, description: 'environment variable holding the signing key' }),
    ),
    secret_file: Type.Optional(Type.String({ minLength: 1, description: 'file holding the signing key' })),
    insecure_http: Type.Optional(
      Type.Boolean({ default: false, description: 'allow plain http:// to a non-loopback receiver' }),
    ),
    timeout: Type.Optional(Type.String({ pattern: DURATION_PATTERN, default: '10s', description: 'per request' })),
  },
  { additionalProperties: false },
);

export interface WebhookSettings {
  url: string;
  /** The signing key; never logged. */
  secret: string;
  timeoutMs: number;
}

const iso = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/** The JSON body, times as ISO 8601 UTC; documented field by field in docs/notifications.md. */
export function webhookPayload(n: NotificationRecord, message: RenderedMessage) {
  const issue = n.channel_issue;
  return {
    version: WEBHOOK_PAYLOAD_VERSION,
    idempotency_key: n.idempotency_key,
    notification_id: n.id,
    kind: n.kind,
    created_at: iso(n.created_at),
    severity: n.severity,
    client: n.client,
    site: n.site,
    host: n.host,
    agent_id: n.agent_id,
    subject: message.subject,
    text: message.text,
    dashboard_url: message.link,
    alerts: n.alerts.map((a) => ({
      id: a.id,
      rule: a.rule,
      target: a.target,
      host: a.host,
      severity: a.severity,
      state: a.state,
      changed: a.changed,
      started_at: iso(a.started_at),
      resolved_at: iso(a.resolved_at),
      value: a.value,
      threshold: a.threshold,
      unit: a.unit,
      reading: readingText(a),
      summary: a.summary,
      forecast: a.forecast
        ? {
            full_at: iso(a.forecast.full_at),
            hours_left: a.forecast.hours_left,
            slope_bytes_per_hour: a.forecast.slope_bytes_per_hour,
          }
        : null,
      ack: a.ack ? { by: a.ack.by, at: iso(a.ack.at), comment: a.ack.comment } : null,
    })),
    channel_issue: issue
      ? {
          channel: issue.channel,
          failing_since: iso(issue.failing_since),
          consecutive_failures: issue.consecutive_failures,
          last_error: issue.last_error,
          recovered_at: iso(issue.recovered_at),
        }
      : null,
  };
}

/** `sha256=<hex HMAC-SHA256 of "<timestamp>.<raw body>">`; timestamp in unix seconds. */
export function signWebhook(secret: string, timestamp: number, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${rawBody}`).digest('hex')}`;
}

/**
 * What a receiver does (also the reference for docs/notifications.md): recompute the signature,
 * compare in constant time, refuse a timestamp more than `toleranceSeconds` away from its clock.
 */
export function verifyWebhookSignature(
  secret: string,
  headers: { timestamp: string | undefined; signature: string | undefined },
  rawBody: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): boolean {
  const ts = Number(headers.timestamp);
  if (!headers.signature || !Number.isInteger(ts) || Math.abs(nowSeconds - ts) > toleranceSeconds) return false;
  const expected = Buffer.from(signWebhook(secret, ts, rawBody));
  const given = Buffer.from(headers.signature);
  return expected.length === given.length && timingSafeEqual(expected, given);
}

export function createWebhookChannel(name: string, settings: WebhookSettings, clock: () => number = Date.now): Channel {
  return {
    name,
    type: 'webhook',
    async send(n, message) {
      const body = JSON.stringify(webhookPayload(n, message));
      // The time of this attempt, not of the notification: receivers refuse old timestamps as replays.
      const timestamp = Math.floor(clock() / 1000);
      return postJson(
        settings.url,
        body,
        {
          'x-vitals-idempotency-key': n.idempotency_key,
          'x-vitals-timestamp': String(timestamp),
          'x-vitals-signature': signWebhook(settings.secret, timestamp, body),
        },
        settings.timeoutMs,
        clock,
      );
    },
  };
}
