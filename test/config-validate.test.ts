// `vitals config validate` and `vitals check --config` through the built CLI: a malformed file
// exits 3 and stderr names the file, the line and the key path.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const AGENT_JS = fileURLToPath(new URL('../agent/dist/vitals.js', import.meta.url));
const dir = mkdtempSync(join(os.tmpdir(), 'vitals-validate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function vitals(...args: string[]) {
  const r = spawnSync(process.execPath, [AGENT_JS, ...args], { encoding: 'utf8', timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const MALFORMED: [name: string, text: string, where: string][] = [
  ['syntax.yaml', 'checks:\n  - kind: cpu\n    warn_percent: [90\n', ':3: YAML syntax error'],
  ['top-level.yaml', 'hostname: pc1\nhostnmae: pc2\n', ':2: hostnmae: is not a known key'],
  [
    'check-key.yaml',
    'checks:\n  - kind: cpu\n  - kind: cpu\n    id: cpu2\n    warn_precent: 50\n',
    ':5: checks[1].warn_precent: is not a known key',
  ],
  ['type.yaml', 'buffer:\n  batch_size: many\n', ':2: buffer.batch_size: must be a whole number'],
  ['negative.yaml', 'checks:\n  - kind: cpu\n    interval: -5s\n', ':3: checks[0].interval: must be a duration'],
  ['zero.yaml', 'checks:\n  - kind: cpu\n    interval: 0s\n', ':3: checks[0].interval: must be longer than 0'],
  ['kind.yaml', 'checks:\n  - kind: ping\n', ':2: checks[0].kind: unknown check kind "ping"'],
  ['duplicate.yaml', 'checks:\n  - kind: cpu\n  - kind: cpu\n', ':3: checks[1].id: "cpu" is already used'],
  ['missing.yaml', 'checks:\n  - kind: endpoint\n', ':2: checks[0]: needs url'],
];

describe('vitals config validate', () => {
  it('exits 0 for a valid file and lists its checks', () => {
    const path = file('valid.yaml', 'checks:\n  - kind: endpoint\n    id: emr\n    url: https://emr.example:8443\n');
    const r = vitals('config', 'validate', path);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.startsWith(`${path} is valid: `)).toBe(true);
    expect(r.stdout).toMatch(/^ {2}emr +endpoint +every 1 min$/m);
  });

  it('exits 0 for an empty file', () => {
    expect(vitals('config', 'validate', file('empty.yaml', '')).code).toBe(0);
  });

  it.each(MALFORMED)('exits 3 for %s and names the line and key path', (name, text, where) => {
    const path = file(name, text);
    const r = vitals('config', 'validate', path);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`invalid config ${path}`);
    expect(r.stderr).toContain(`${path}${where}`);
  });

  it('prints the issues as JSON with --json', () => {
    const path = file('json.yaml', 'buffer:\n  batch_size: 0\n');
    const r = vitals('config', 'validate', '--json', path);
    expect(r.code).toBe(3);
    const doc = JSON.parse(r.stdout) as { file: string; valid: boolean; issues: { path: string; line: number }[] };
    expect(doc).toMatchObject({ file: path, valid: false });
    expect(doc.issues).toEqual([expect.objectContaining({ path: 'buffer.batch_size', line: 2 })]);
  });

  it('exits 3 with "file not found" for a file that does not exist', () => {
    const path = join(dir, 'nope.yaml');
    const r = vitals('config', 'validate', path);
    expect(r.code).toBe(3);
    expect(r.stderr).toContain(`${path}: cannot read config: file not found`);
  });
});

describe('vitals check with a malformed config', () => {
  it('exits 3 before running any check and says what is wrong where', () => {
    const path = file('check-bad.yaml', 'checks:\n  - kind: cpu\n    warn_precent: 50\n');
    const r = vitals('check', '--config', path);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain(`${path}:3: checks[0].warn_precent: is not a known key`);
  });
});
