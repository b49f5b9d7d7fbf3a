// Reads a YAML config file and reports every problem with the file, line, key path and what is
// wrong. Used by the agent and the collector, so both speak about config errors the same way.
import { readFileSync } from 'node:fs';
import { type Document, isMap, isNode, isScalar, isSeq, LineCounter, parseDocument } from 'yaml';
import type { SchemaIssue } from './schema-errors.js';

export interface ConfigIssue extends SchemaIssue {
  line?: number;
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly issues: ConfigIssue[],
  ) {
    super(formatConfigIssues(file, issues));
    this.name = 'ConfigError';
  }
}

export function formatConfigIssues(file: string, issues: ConfigIssue[]): string {
  const lines = issues.map((i) => {
    const where = i.line !== undefined ? `${file}:${i.line}` : file;
    return i.path === '' ? `${where}: ${i.message}` : `${where}: ${i.path}: ${i.message}`;
  });
  return `invalid config ${file}\n${lines.map((l) => `  ${l}`).join('\n')}`;
}

/** `checks[2].interval` → ['checks', 2, 'interval'] */
function pathSegments(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const match of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (match[2] !== undefined) out.push(Number(match[2]));
    else if (match[1] !== undefined) out.push(match[1]);
  }
  return out;
}

/**
 * Where the deepest part of the path that exists in the file starts. A key is found by its own
 * position, not its value's: `collector:` followed by an indented mapping, or a key with no value
 * (`interval:`), is reported on the key's line.
 */
function offsetOf(doc: Document, segments: (string | number)[]): number | undefined {
  for (let n = segments.length; n > 0; n--) {
    const parent = n === 1 ? doc.contents : doc.getIn(segments.slice(0, n - 1), true);
    const last = segments[n - 1];
    if (isMap(parent)) {
      const pair = parent.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === last);
      if (isNode(pair?.key) && pair.key.range) return pair.key.range[0];
    } else if (isSeq(parent) && typeof last === 'number') {
      const item = parent.items[last];
      if (isNode(item) && item.range) return item.range[0];
    }
  }
  return isNode(doc.contents) && doc.contents.range ? doc.contents.range[0] : undefined;
}

/**
 * Parses YAML text and validates it; `validate` returns issues for the parsed value.
 * Throws ConfigError with every issue found; returns the plain value otherwise.
 */
export function parseYamlConfig(file: string, text: string, validate: (value: unknown) => SchemaIssue[]): unknown {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      file,
      doc.errors.map((e) => ({
        path: '',
        // linePos is only filled with prettyErrors; an error at the end of the text (an unclosed
        // bracket) names the last line rather than one past it.
        line: Math.min(lineCounter.linePos(e.pos[0]).line, Math.max(1, text.trimEnd().split('\n').length)),
        message: `YAML syntax error: ${e.message.split('\n')[0]}`,
      })),
    );
  }
  // An empty file is a valid config that takes every default.
  const value = doc.toJS() ?? {};
  const issues = validate(value);
  if (issues.length > 0) {
    throw new ConfigError(
      file,
      issues
        .map((issue): ConfigIssue => {
          const offset = offsetOf(doc, pathSegments(issue.path));
          return offset === undefined ? issue : { ...issue, line: lineCounter.linePos(offset).line };
        })
        .sort((a, b) => (a.line ?? Number.POSITIVE_INFINITY) - (b.line ?? Number.POSITIVE_INFINITY)),
    );
  }
  return value;
}

export function loadYamlConfigFile(file: string, validate: (value: unknown) => SchemaIssue[]): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'file not found' : code === 'EACCES' ? 'permission denied' : String(error);
    throw new ConfigError(file, [{ path: '', message: `cannot read config: ${why}` }]);
  }
  return parseYamlConfig(file, text, validate);
}
