// Generates the collector's config reference (Markdown) from the schemas that validate the file:
// the top-level keys, each channel type, and every alert rule's options with their defaults.
// `vitals-collector config reference` prints it; the README carries it (a test keeps them equal).
import { referenceRows, referenceTable } from '@vitals/shared';
import type { TSchema } from 'typebox';
import { RULES } from '../alerting/rules/registry.js';
import { CollectorConfigSchema } from '../config.js';
import { EmailOptionsSchema } from '../notify/email.js';
import { SlackOptionsSchema } from '../notify/slack.js';
import { TeamsOptionsSchema } from '../notify/teams.js';
import { WebhookOptionsSchema } from '../notify/webhook.js';

const propertiesOf = (schema: TSchema) => (schema as unknown as { properties: Record<string, TSchema> }).properties;

// Rule options and channel settings get their own tables below instead of one row per rule key.
const ELSEWHERE = /^(alerting\.rules\.|alerting\.overrides\[\]\.rules\.|notifications\.channels)/;

export function collectorConfigReference(): string {
  const parts = [
    '### Collector config file (`--config collector.yaml`)',
    '',
    referenceTable(referenceRows(propertiesOf(CollectorConfigSchema)).filter((r) => !ELSEWHERE.test(r.key))),
    '',
    '`alerting.overrides[].rules` takes the same keys as `alerting.rules` (below); closest wins per key:',
    'defaults ← `alerting.rules` ← client ← site ← host.',
  ];
  const channels: [string, TSchema][] = [
    ['email', EmailOptionsSchema],
    ['webhook', WebhookOptionsSchema],
    ['slack', SlackOptionsSchema],
    ['teams', TeamsOptionsSchema],
  ];
  for (const [type, schema] of channels) {
    parts.push('', `### Channel \`type: ${type}\` (\`notifications.channels.NAME\`)`, '');
    parts.push(referenceTable(referenceRows(propertiesOf(schema))));
  }
  for (const rule of RULES) {
    parts.push('', `### Rule \`${rule.name}\` — ${rule.summary}`, '');
    parts.push(referenceTable(referenceRows(propertiesOf(rule.options), `alerting.rules.${rule.name}.`)));
  }
  return `${parts.join('\n')}\n`;
}
