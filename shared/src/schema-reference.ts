// Markdown reference tables generated from TypeBox schemas, so each config key is documented
// once: where it is validated. The agent's and the collector's `config reference` use them.
import type { TSchema } from 'typebox';

export interface ReferenceRow {
  key: string;
  type: string;
  def: string;
  description: string;
}

type Schema = TSchema & Record<string, unknown>;

function typeOf(schema: Schema): string {
  const members = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (Array.isArray(members)) {
    const consts = members.map((s) => s.const);
    if (consts.every((c) => c !== undefined)) return consts.map((c) => `\`${String(c)}\``).join(' \\| ');
    return [...new Set(members.map(typeOf))].join(' or ');
  }
  if (Array.isArray(schema.enum)) return (schema.enum as unknown[]).map((c) => `\`${String(c)}\``).join(' \\| ');
  if (schema.type === 'array') return `list of ${typeOf((schema.items ?? {}) as Schema)}`;
  if (schema.type === 'integer') return 'whole number';
  if (schema.type === 'object' && schema.patternProperties) return 'map of name → object';
  return String(schema.type ?? 'any');
}

/** One row per leaf key; objects and lists of objects are expanded (`sites[].time_zone`). */
export function referenceRows(properties: Record<string, TSchema>, prefix = ''): ReferenceRow[] {
  const out: ReferenceRow[] = [];
  for (const [name, raw] of Object.entries(properties)) {
    const schema = raw as Schema;
    const key = `${prefix}${name}`;
    if (schema.type === 'object' && schema.properties) {
      out.push(...referenceRows(schema.properties as Record<string, TSchema>, `${key}.`));
      continue;
    }
    const items = schema.items as Schema | undefined;
    if (schema.type === 'array' && items?.type === 'object' && items.properties) {
      out.push(...referenceRows(items.properties as Record<string, TSchema>, `${key}[].`));
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

export function referenceTable(list: readonly ReferenceRow[]): string {
  const lines = ['| key | type | default | meaning |', '|---|---|---|---|'];
  for (const r of list) lines.push(`| \`${r.key}\` | ${r.type} | ${r.def} | ${r.description.replace(/\|/g, '\\|')} |`);
  return lines.join('\n');
}
