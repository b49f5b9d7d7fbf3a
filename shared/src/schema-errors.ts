// Turns schema validation errors into messages that name the key path a person would write
// ("checks[2].interval") and say what is wrong, instead of JSON pointers and keyword names.
import type { TSchema } from 'typebox';
import { Compile } from 'typebox/compile';
import { Settings } from 'typebox/system';
import { DURATION_PATTERN, SIZE_PATTERN } from './units.js';

export interface SchemaIssue {
  /** Key path in config notation: `collector.url`, `checks[2].interval`; "" for the root. */
  path: string;
  message: string;
}

/** `/checks/2/interval` → `checks[2].interval` */
export function pointerToPath(pointer: string): string {
  if (pointer === '' || pointer === '/') return '';
  let out = '';
  for (const raw of pointer.split('/').slice(1)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(part)) out += `[${part}]`;
    else out += out === '' ? part : `.${part}`;
  }
  return out;
}

interface RawError {
  keyword: string;
  instancePath: string;
  params: Record<string, unknown>;
  message: string;
}

const ANY_FORM = 'does not match any allowed form';

/** One raw error in words; `type`, `const` and `enum` are gathered per path by the caller. */
function describe(error: RawError): SchemaIssue | undefined {
  const path = pointerToPath(error.instancePath);
  switch (error.keyword) {
    case 'boolean':
      // The "schema is false" twin of additionalProperties; reported once, below, with the key name.
      return undefined;
    case 'additionalProperties': {
      const keys = (error.params.additionalProperties as string[] | undefined) ?? [];
      return keys.length === 0
        ? { path, message: 'has an unknown key' }
        : {
            path: keys.length === 1 ? joinPath(path, keys[0] as string) : path,
            message: keys.length === 1 ? 'is not a known key' : `unknown keys: ${keys.join(', ')}`,
          };
    }
    case 'required': {
      const keys = (error.params.requiredProperties as string[] | undefined) ?? [];
      return keys.length === 1
        ? { path: joinPath(path, keys[0] as string), message: 'is required' }
        : { path, message: `is missing required keys: ${keys.join(', ')}` };
    }
    case 'anyOf':
    case 'oneOf':
      return { path, message: ANY_FORM };
    case 'pattern':
      if (error.params.pattern === DURATION_PATTERN)
        return { path, message: 'must be a duration such as 30s, 15m, 6h or 7d' };
      if (error.params.pattern === SIZE_PATTERN) return { path, message: 'must be a size such as 500MB or 10GB' };
      return { path, message: error.message };
    default:
      return { path, message: error.message };
  }
}

function article(type: string): string {
  if (type === 'integer') return 'a whole number';
  if (type === 'object') return 'a mapping (key: value)';
  if (type === 'array') return 'a list';
  return `a ${type}`;
}

export function joinPath(base: string, key: string): string {
  if (/^\d+$/.test(key)) return `${base}[${key}]`;
  return base === '' ? key : `${base}.${key}`;
}

export interface SchemaValidator<T> {
  check(value: unknown): value is T;
  issues(value: unknown): SchemaIssue[];
}

// TypeBox stops at 8 errors, and a union of literals spends one per literal, so "must be one of"
// listed only some of the allowed values. 64 still bounds the work a hostile request can cause.
Settings.Set({ maxErrors: 64 });

/** Compiles a schema once; `issues` lists every problem with its key path, most specific first. */
export function compileSchema<T>(schema: TSchema): SchemaValidator<T> {
  const compiled = Compile(schema);
  return {
    check: (value: unknown): value is T => compiled.Check(value),
    issues(value: unknown): SchemaIssue[] {
      const out: SchemaIssue[] = [];
      const raw = [...compiled.Errors(value)] as unknown as RawError[];
      // Each member of a union reports its own mismatch ("must be equal to constant" once per
      // literal); gathered per path they say what is allowed: "must be one of: GET, HEAD".
      const allowed = new Map<string, unknown[]>();
      const types = new Map<string, string[]>();
      const gather = <T>(map: Map<string, T[]>, path: string, items: T[]) =>
        map.set(path, [...(map.get(path) ?? []), ...items]);
      for (const error of raw) {
        const path = pointerToPath(error.instancePath);
        if (error.keyword === 'const') gather(allowed, path, [error.params.allowedValue]);
        else if (error.keyword === 'enum') gather(allowed, path, (error.params.allowedValues as unknown[]) ?? []);
        else if (error.keyword === 'type') gather(types, path, [article(String(error.params.type))]);
        else {
          const issue = describe(error);
          if (issue) out.push(issue);
        }
      }
      for (const [path, values] of allowed)
        out.push({ path, message: `must be one of: ${[...new Set(values)].map(String).join(', ')}` });
      for (const [path, kinds] of types) out.push({ path, message: `must be ${[...new Set(kinds)].join(' or ')}` });
      // When a more specific issue exists at the same or a deeper path, the generic
      // "does not match any allowed form" only adds noise.
      const within = (inner: string, outer: string) =>
        outer === '' || inner === outer || inner.startsWith(`${outer}.`) || inner.startsWith(`${outer}[`);
      const seen = new Set<string>();
      return out
        .filter((i) => i.message !== ANY_FORM || !out.some((o) => o.message !== ANY_FORM && within(o.path, i.path)))
        .filter((i) => !seen.has(`${i.path}\u0000${i.message}`) && seen.add(`${i.path}\u0000${i.message}`))
        .sort((a, b) => b.path.length - a.path.length);
    },
  };
}
