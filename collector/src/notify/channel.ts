// The one shape every notification channel has (email, webhook, Slack, Teams: one file each):
// send one outbox record, already rendered, and say whether it arrived, or why not and whether
// trying again can help.
import type { NotificationRecord } from '../alerting/types.js';
import type { RenderedMessage } from './message.js';

export type ChannelType = 'email' | 'webhook' | 'slack' | 'teams';
export const CHANNEL_TYPES: readonly ChannelType[] = ['email', 'webhook', 'slack', 'teams'];

/**
 * ok: what the receiver answered (SMTP reply line, HTTP status and body excerpt).
 * Not ok: `permanent` when sending the same thing again cannot help (a webhook's 4xx other than
 * 408/429, an SMTP 5xx such as a rejected recipient); transient otherwise (refused connection,
 * timeout, 5xx, 429). `retryAfterMs` when the receiver said how long to wait (HTTP Retry-After).
 * Errors never contain a secret (password, signing key, the secret path of a Slack/Teams URL).
 */
export type SendOutcome =
  | { ok: true; response: string }
  | { ok: false; permanent: boolean; error: string; retryAfterMs?: number };

export interface Channel {
  /** The key under `notifications.channels`. */
  name: string;
  type: ChannelType;
  send(n: NotificationRecord, message: RenderedMessage): Promise<SendOutcome>;
  /** Frees connections (SMTP); optional. */
  close?(): void;
}
