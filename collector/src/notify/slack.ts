// The Slack channel: an incoming-webhook message, `text` for the notification preview and
// `blocks` for the body (header, where, one section per alert, a dashboard button).
import { DURATION_PATTERN } from '@vitals/shared';
import Type from 'typebox';
import type { Channel } from './channel.js';
import { escapeSlack } from './escape.js';
import { type HttpTarget, postJson } from './http-post.js';
import type { RenderedMessage } from './message.js';

/** The keys of a `type: slack` channel. The webhook URL is a secret: give it once, as url, url_env or url_file. */
export const SlackOptionsSchema = Type.Object(
  {
    type: Type.Literal('slack'),
    url: Type.Optional(Type.String({ minLength: 1, description: 'incoming webhook URL (a secret)' })),
    url_env: Type.Optional(Type.String({ minLength: 1, description: 'environment variable holding the URL' })),
    url_file: Type.Optional(Type.String({ minLength: 1, description: 'file holding the URL' })),
    timeout: Type.Optional(Type.String({ pattern: DURATION_PATTERN, default: '10s', description: 'per request' })),
  },
  { additionalProperties: false },
);

/** Slack refuses a header over 150 characters and a section over 3000; 50 blocks at most. */
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const ITEMS_MAX = 40;

function cut(s: string, max: number): string {
  return s.length > max ? `${s.slice(0, max - 1)}…` : s;
}

const esc = escapeSlack;

const ICON = {
  critical: ':red_circle:',
  warning: ':large_orange_circle:',
  good: ':large_green_circle:',
  info: ':information_source:',
};

export function slackPayload(message: RenderedMessage) {
  const blocks: Record<string, unknown>[] = [
    { type: 'header', text: { type: 'plain_text', text: cut(message.short, HEADER_MAX), emoji: true } },
    {
      type: 'section',
      text: { type: 'mrkdwn', text: cut(`${ICON[message.tone]} ${esc(message.lead)}`, SECTION_MAX) },
      ...(message.where.length > 0
        ? { fields: message.where.map(([k, v]) => ({ type: 'mrkdwn', text: cut(`*${esc(k)}*\n${esc(v)}`, 2000) })) }
        : {}),
    },
  ];
  const shown = message.items.slice(0, ITEMS_MAX);
  if (shown.length > 0) blocks.push({ type: 'divider' });
  for (const item of shown) {
    const lines = [`${ICON[item.tone]} *${esc(item.title)}*`, ...item.facts.map(([k, v]) => `*${esc(k)}:* ${esc(v)}`)];
    if (item.advice) lines.push(`*Check first:* ${esc(item.advice)}`);
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: cut(lines.join('\n'), SECTION_MAX) } });
  }
  if (message.items.length > shown.length) {
    const more = message.items.length - shown.length;
    blocks.push({
      type: 'context',
      elements: [{ type: 'mrkdwn', text: `…and ${more} more; see the email or dashboard` }],
    });
  }
  if (message.link) {
    blocks.push({
      type: 'actions',
      elements: [{ type: 'button', text: { type: 'plain_text', text: cut(message.linkLabel, 75) }, url: message.link }],
    });
  }
  blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: cut(esc(message.footer), SECTION_MAX) }] });
  // The top-level text is mrkdwn too (the notification preview): escaped like the blocks.
  return { text: esc(message.short), blocks };
}

export function createSlackChannel(name: string, settings: HttpTarget): Channel {
  return {
    name,
    type: 'slack',
    send: (_n, message) => postJson(settings.url, JSON.stringify(slackPayload(message)), {}, settings.timeoutMs),
  };
}
