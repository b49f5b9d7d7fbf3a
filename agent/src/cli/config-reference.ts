// Generates the config reference (Markdown) from the schemas themselves, so the README documents
// each key exactly once: where it is validated. `vitals config reference` prints it.
import { referenceRows as rows, referenceTable as table } from '@vitals/shared';
import type { TSchema } from 'typebox';
import { COMMON_CHECK_KEYS } from '../checks/check.js';
import { CHECK_REGISTRY } from '../checks/registry.js';
import { AgentConfigSchema } from '../config.js';

export function configReference(): string {
  const parts = [
    '### Agent config file (`agent.yaml`)',
    '',
    table(
      rows((AgentConfigSchema as unknown as { properties: Record<string, TSchema> }).properties).filter(
        (r) => r.key !== 'checks' && !r.key.startsWith('checks['),
      ),
    ),
    '',
    '### Keys of every check (`checks[]`)',
    '',
    table(rows(COMMON_CHECK_KEYS)),
  ];
  for (const kind of CHECK_REGISTRY) {
    parts.push(
      '',
      `### \`${kind.kind}\` — ${kind.summary}`,
      '',
      `Default interval ${kind.defaultInterval}, timeout ${kind.defaultTimeout}.`,
      '',
      table(rows(kind.options)),
    );
  }
  return `${parts.join('\n')}\n`;
}
