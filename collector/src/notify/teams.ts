// The Microsoft Teams channel: a message carrying one Adaptive Card (what Teams incoming webhooks
// and Workflows webhooks accept), with the alerts as fact sets and a button to the dashboard.
import { DURATION_PATTERN } from '@vitals/shared';
import Type from 'typebox';
import type { Channel } from './channel.js';
import { escapeTeams as esc } from './escape.js';
import { type HttpTarget, postJson } from './http-post.js';
import type { RenderedMessage, Tone } from './message.js';

/** The keys of a `type: teams` channel. The webhook URL is a secret: give it once, as url, url_env or url_file. */
export const TeamsOptionsSchema = Type.Object(
  {
    type: Type.Literal('teams'),
    url: Type.Optional(Type.String({ minLength: 1, description: 'incoming webhook / Workflows URL (a secret)' })),
    url_env: Type.Optional(Type.String({ minLength: 1, description: 'environment variable holding the URL' })),
    url_file: Type.Optional(Type.String({ minLength: 1, description: 'file holding the URL' })),
    timeout: Type.Optional(Type.String({ pattern: DURATION_PATTERN, default: '10s', description: 'per request' })),
  },
  { additionalProperties: false },
);

const COLOR: Record<Tone, string> = { critical: 'Attention', warning: 'Warning', good: 'Good', info: 'Default' };
/** Teams refuses cards over about 28 KB; 40 alerts with their facts stay well below. */
const ITEMS_MAX = 40;

const facts = (pairs: [string, string][]) => ({
  type: 'FactSet',
  facts: pairs.map(([title, value]) => ({ title: esc(title), value: esc(value) })),
});

export function teamsPayload(message: RenderedMessage) {
  const body: Record<string, unknown>[] = [
    {
      type: 'TextBlock',
      text: esc(message.short),
      weight: 'Bolder',
      size: 'Medium',
      color: COLOR[message.tone],
      wrap: true,
    },
    { type: 'TextBlock', text: esc(message.lead), wrap: true },
  ];
  if (message.where.length > 0) body.push(facts(message.where));
  const shown = message.items.slice(0, ITEMS_MAX);
  for (const item of shown) {
    body.push({
      type: 'TextBlock',
      text: esc(item.title),
      weight: 'Bolder',
      color: COLOR[item.tone],
      wrap: true,
      separator: true,
    });
    body.push(facts(item.advice ? [...item.facts, ['Check first', item.advice]] : item.facts));
  }
  if (message.items.length > shown.length) {
    body.push({ type: 'TextBlock', text: `…and ${message.items.length - shown.length} more`, wrap: true });
  }
  body.push({ type: 'TextBlock', text: esc(message.footer), isSubtle: true, size: 'Small', wrap: true });
  return {
    type: 'message',
    attachments: [
      {
        contentType: 'application/vnd.microsoft.card.adaptive',
        contentUrl: null,
        content: {
          $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
          type: 'AdaptiveCard',
          version: '1.4',
          body,
          actions: message.link ? [{ type: 'Action.OpenUrl', title: message.linkLabel, url: message.link }] : [],
          msteams: { width: 'Full' },
        },
      },
    ],
  };
}

export function createTeamsChannel(name: string, settings: HttpTarget): Channel {
  return {
    name,
    type: 'teams',
    send: (_n, message) => postJson(settings.url, JSON.stringify(teamsPayload(message)), {}, settings.timeoutMs),
  };
}
