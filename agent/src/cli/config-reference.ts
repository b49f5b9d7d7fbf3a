// Generates the config reference (Markdown) from the schemas themselves, so the README documents
// each key exactly once: where it is validated. `vitals config reference` prints it.
import type { TSchema } from 'typebox';
import { COMMON_CHECK_KEYS } from '../checks/check.js';
import { CHECK_REGISTRY } from '../checks/registry.js';
import { AgentConfigSchema } from '../config.js';

interface Row {
  key: string;
  type: string;
  def: string;
  description: string;
}

function typeOf(schema: TSchema & Record<string, unknown>): string {
  if (Array.isArray(schema.anyOf)) {
    const consts = (schema.anyOf as Record<string, unknown>[]).map((s) => s.const);
    if (consts.every((c) => c !== undefined)) return consts.map((c) => `\`${String(c)}\``).join(' \\| ');
    return 'one of several forms';
  }
  if (schema.type === 'array') return `list of ${typeOf((schema.items ?? {}) as TSchema & Record<string, unknown>)}`;
  if (schema.type === 'integer') return 'whole number';
  return String(schema.type ?? 'any');
}

function rows(properties: Record<string, TSchema>, prefix = ''): Row[] {
  const out: Row[] = [];
  for (const [name, raw] of Object.entries(properties)) {
    const schema = raw as TSchema & Record<string, unknown>;
    const key = `${prefix}${name}`;
    if (schema.type === 'object' && schema.properties) {
      out.push(...rows(schema.properties as Record<string, TSchema>, `${key}.`));
      continue;
    }
    out.push({
      key,
      type: typeOf(schema),
      def: schema.default === undefined ? '' : `\`${JSON.stringify(schema.default)}\``,
      description: String(schema.description ?? ''),
    });
  }
  return out;
}

function table(list: Row[]): string {
  const lines = ['| key | type | default | meaning |', '|---|---|---|---|'];
  for (const r of list) lines.push(`| \`${r.key}\` | ${r.type} | ${r.def} | ${r.description.replace(/\|/g, '\\|')} |`);
  return lines.join('\n');
}

export function configReference(): string {
  const parts = [
    '### Agent config file (`agent.yaml`)',
    '',
    table(
      rows((AgentConfigSchema as unknown as { properties: Record<string, TSchema> }).properties).filter(
        (r) => r.key !== 'checks',
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
