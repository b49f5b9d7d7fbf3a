// Reading YAML config files: syntax errors and schema issues come back with file, line and key path.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  type ConfigIssue,
  formatConfigIssues,
  loadYamlConfigFile,
  parseYamlConfig,
} from './config-file.js';
import type { SchemaIssue } from './schema-errors.js';

const valid = (): SchemaIssue[] => [];
/** A validator that reports the given paths, whatever the value. */
const reporting =
  (...paths: string[]) =>
  (): SchemaIssue[] =>
    paths.map((path) => ({ path, message: 'is wrong' }));

function issuesOf(text: string, validate: (value: unknown) => SchemaIssue[]): ConfigIssue[] {
  try {
    parseYamlConfig('f.yaml', text, validate);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('accepted');
}

describe('parseYamlConfig', () => {
  it('returns the parsed value when the validator finds nothing', () => {
    expect(parseYamlConfig('f.yaml', 'a: 1\nb: [x, y]\n', valid)).toEqual({ a: 1, b: ['x', 'y'] });
  });

  it('treats an empty file, or one with only comments, as an empty mapping', () => {
    expect(parseYamlConfig('f.yaml', '', valid)).toEqual({});
    expect(parseYamlConfig('f.yaml', '# all defaults\n\n', valid)).toEqual({});
  });

  it('gives the validator the parsed value', () => {
    const seen: unknown[] = [];
    parseYamlConfig('f.yaml', 'x: 1\n', (v) => {
      seen.push(v);
      return [];
    });
    expect(seen).toEqual([{ x: 1 }]);
  });

  it('reports a syntax error with its line, without running the validator', () => {
    let ran = false;
    const issues = issuesOf('a: 1\nb: "unterminated\nc: 3\n', () => {
      ran = true;
      return [];
    });
    expect(ran).toBe(false);
    expect(issues[0]?.message).toMatch(/^YAML syntax error: /);
    expect(issues[0]?.line).toBeGreaterThanOrEqual(2);
  });

  it('names the last line, not one past it, for an error found at the end of the text', () => {
    const issues = issuesOf('a: 1\nb: [1, 2\n', valid);
    expect(issues[0]?.line).toBe(2);
  });

  it('reports a bad indentation on its line', () => {
    const issues = issuesOf('a:\n  b: 1\n c: 2\n', valid);
    expect(issues[0]).toMatchObject({ path: '', line: 3 });
  });

  it('places each issue on the line of its key', () => {
    const text = 'top: 1\nouter:\n  inner:\n    leaf: 2\n  empty:\nlist:\n  - a: 1\n  - b: 2\n';
    const issues = issuesOf(text, reporting('top', 'outer', 'outer.inner.leaf', 'outer.empty', 'list[1]', 'list[1].b'));
    const line = (path: string) => issues.find((i) => i.path === path)?.line;
    expect(line('top')).toBe(1);
    expect(line('outer')).toBe(2);
    expect(line('outer.inner.leaf')).toBe(4);
    expect(line('outer.empty')).toBe(5);
    expect(line('list[1]')).toBe(8);
    expect(line('list[1].b')).toBe(8);
  });

  it('falls back to the deepest part of the path present in the file', () => {
    const issues = issuesOf('a: 1\nouter:\n  x: 1\n', reporting('outer.missing', 'gone.too'));
    expect(issues.find((i) => i.path === 'outer.missing')?.line).toBe(2);
    expect(issues.find((i) => i.path === 'gone.too')?.line).toBe(1);
  });

  it('sorts issues by line', () => {
    const issues = issuesOf('a: 1\nb: 2\nc: 3\n', reporting('c', 'a', 'b'));
    expect(issues.map((i) => i.path)).toEqual(['a', 'b', 'c']);
  });
});

describe('formatConfigIssues', () => {
  it('writes one line per issue with file:line and key path', () => {
    const text = formatConfigIssues('/etc/vitals/agent.yaml', [
      { path: 'buffer.batch_size', message: 'must be a whole number', line: 7 },
      { path: '', message: 'cannot read config: file not found' },
    ]);
    expect(text).toBe(
      'invalid config /etc/vitals/agent.yaml\n' +
        '  /etc/vitals/agent.yaml:7: buffer.batch_size: must be a whole number\n' +
        '  /etc/vitals/agent.yaml: cannot read config: file not found',
    );
  });

  it('is the ConfigError message, and the error keeps file and issues', () => {
    const issues = [{ path: 'x', message: 'is wrong', line: 1 }];
    const error = new ConfigError('f.yaml', issues);
    expect(error.name).toBe('ConfigError');
    expect(error.message).toBe(formatConfigIssues('f.yaml', issues));
    expect(error).toMatchObject({ file: 'f.yaml', issues });
  });
});

describe('loadYamlConfigFile', () => {
  const dir = mkdtempSync(join(os.tmpdir(), 'vitals-config-file-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('reads and validates a file', () => {
    const file = join(dir, 'ok.yaml');
    writeFileSync(file, 'hostname: pc1\n');
    expect(loadYamlConfigFile(file, valid)).toEqual({ hostname: 'pc1' });
  });

  it('says "file not found" for a missing file', () => {
    const file = join(dir, 'missing.yaml');
    expect(() => loadYamlConfigFile(file, valid)).toThrow(`${file}: cannot read config: file not found`);
  });

  it('names the file in every issue', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(file, 'a: 1\nb: 2\n');
    expect(() => loadYamlConfigFile(file, reporting('b'))).toThrow(`${file}:2: b: is wrong`);
  });
});
