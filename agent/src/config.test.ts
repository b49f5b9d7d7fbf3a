// The agent config file: what a malformed file is told (line, key path, what is wrong), and what a
// valid one becomes (built-in checks, replacements, defaults filled).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { ConfigError, type ConfigIssue, parseYamlConfig } from '@vitals/shared';
import { afterAll, describe, expect, it } from 'vitest';
import {
  type AgentConfigFile,
  BUILTIN_CHECK_IDS,
  configIssues,
  defaultConfigPath,
  defaultStateDir,
  loadAgentConfig,
  resolveConfig,
} from './config.js';

const dir = mkdtempSync(join(os.tmpdir(), 'vitals-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The issues a YAML text is rejected with; fails the test when it is accepted. */
function rejected(text: string): { issues: ConfigIssue[]; message: string } {
  try {
    parseYamlConfig('agent.yaml', text, configIssues);
  } catch (error) {
    if (error instanceof ConfigError) return { issues: error.issues, message: error.message };
    throw error;
  }
  throw new Error('the config was accepted');
}

function load(text: string) {
  const file = join(dir, `agent-${Math.random().toString(36).slice(2)}.yaml`);
  writeFileSync(file, text);
  return loadAgentConfig(file);
}

describe('malformed config files', () => {
  it('reports a YAML syntax error with its line', () => {
    const { issues, message } = rejected('hostname: pc1\nchecks:\n  - kind: cpu\n    warn_percent: [90\n');
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toMatch(/^YAML syntax error: /);
    expect(issues[0]?.line).toBe(4);
    expect(message).toContain('agent.yaml:4: YAML syntax error');
  });

  it('treats a key written twice as a syntax error on the second line', () => {
    const { issues } = rejected('hostname: a\nlog_level: info\nhostname: b\n');
    expect(issues[0]).toMatchObject({ line: 3, message: expect.stringMatching(/^YAML syntax error: .*unique/) });
  });

  it('names an unknown top-level key and its line', () => {
    const { issues, message } = rejected('hostname: pc1\nhostnme: pc2\n');
    expect(issues).toEqual([{ path: 'hostnme', message: 'is not a known key', line: 2 }]);
    expect(message).toBe('invalid config agent.yaml\n  agent.yaml:2: hostnme: is not a known key');
  });

  it('names an unknown key inside a check by its full key path', () => {
    const { issues, message } = rejected(
      'checks:\n  - kind: cpu\n  - kind: cpu\n    id: cpu-tight\n    warn_precent: 50\n',
    );
    expect(issues).toEqual([{ path: 'checks[1].warn_precent', message: 'is not a known key', line: 5 }]);
    expect(message).toContain('agent.yaml:5: checks[1].warn_precent: is not a known key');
  });

  it('points at the key itself when its value is a nested mapping', () => {
    const { issues } = rejected('hostname: pc1\ncolector:\n  url: https://c.example\n');
    expect(issues).toEqual([{ path: 'colector', message: 'is not a known key', line: 2 }]);
    const nested = rejected('collector:\n  url: https://c.example\n  tls:\n    verify: false\n');
    expect(nested.issues).toEqual([{ path: 'collector.tls', message: 'is not a known key', line: 3 }]);
  });

  it('says which type a key must have', () => {
    expect(rejected('buffer:\n  batch_size: 1.5\n').issues).toEqual([
      { path: 'buffer.batch_size', message: 'must be a whole number', line: 2 },
    ]);
    expect(rejected('builtin_checks: "no"\n').issues).toEqual([
      { path: 'builtin_checks', message: 'must be a boolean', line: 1 },
    ]);
    expect(rejected('checks:\n  kind: cpu\n').issues).toEqual([{ path: 'checks', message: 'must be a list', line: 1 }]);
    expect(rejected('buffer:\n  max_size: lots\n').issues).toEqual([
      { path: 'buffer.max_size', message: 'must be a size such as 500MB or 10GB', line: 2 },
    ]);
  });

  it('rejects a negative or zero interval and names the check', () => {
    const { issues } = rejected(
      'checks:\n  - kind: cpu\n    interval: -5s\n  - kind: cpu\n    id: cpu2\n    interval: 0s\n    timeout: 0ms\n',
    );
    expect(issues).toEqual([
      { path: 'checks[0].interval', message: 'must be a duration such as 30s, 15m, 6h or 7d', line: 3 },
      { path: 'checks[1].interval', message: 'must be longer than 0', line: 6 },
      { path: 'checks[1].timeout', message: 'must be longer than 0', line: 7 },
    ]);
  });

  it('reports file-level and check-level problems together, in line order', () => {
    const { issues } = rejected('checks:\n  - kind: cpu\n    interval: 0s\nbogus: true\n');
    expect(issues.map((i) => [i.line, i.path])).toEqual([
      [3, 'checks[0].interval'],
      [4, 'bogus'],
    ]);
  });

  it('names an unknown kind and lists the known ones', () => {
    const { issues } = rejected('checks:\n  - kind: cpu\n  - kind: ping\n');
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ path: 'checks[1].kind', line: 3 });
    expect(issues[0]?.message).toMatch(/^unknown check kind "ping"; known kinds: .*\bcpu\b.*/);
    expect(issues[0]?.message).toContain('endpoint');
  });

  it('rejects two checks with the same id, including the implicit id of the kind', () => {
    const { issues } = rejected('checks:\n  - kind: cpu\n  - kind: cpu\n    warn_percent: 50\n');
    expect(issues).toEqual([
      {
        path: 'checks[1].id',
        message: '"cpu" is already used by checks[0]; give each check its own id',
        line: 3,
      },
    ]);
    const explicit = rejected('checks:\n  - kind: cpu\n    id: a\n  - kind: endpoint\n    id: a\n    url: http://x\n');
    expect(explicit.issues[0]).toMatchObject({ path: 'checks[1].id', line: 5 });
  });

  it('says what a check is missing', () => {
    expect(rejected('checks:\n  - kind: endpoint\n    id: emr\n').issues).toEqual([
      { path: 'checks[0]', message: 'needs url (http:// or https://) or host and port', line: 2 },
    ]);
    expect(rejected('checks:\n  - id: emr\n').issues).toEqual([
      { path: 'checks[0].kind', message: 'is required', line: 2 },
    ]);
  });

  it('rejects an option value outside its range', () => {
    expect(rejected('checks:\n  - kind: cpu\n    warn_percent: 150\n').issues).toEqual([
      { path: 'checks[0].warn_percent', message: expect.stringContaining('100'), line: 3 },
    ]);
  });

  it('rejects a file that is not a mapping', () => {
    expect(rejected('- cpu\n- disk\n').issues).toEqual([
      { path: '', message: 'must be a mapping (key: value)', line: 1 },
    ]);
  });

  it('says so when an explicit config file does not exist', () => {
    const missing = join(dir, 'nope.yaml');
    expect(() => loadAgentConfig(missing)).toThrow(ConfigError);
    expect(() => loadAgentConfig(missing)).toThrow(`${missing}: cannot read config: file not found`);
  });
});

describe('valid config files', () => {
  it('takes an empty file as valid, giving the built-in checks', () => {
    expect(load('').checks.map((c) => c.id)).toEqual([...BUILTIN_CHECK_IDS]);
    expect(load('# nothing to change here\n').checks.map((c) => c.id)).toEqual([...BUILTIN_CHECK_IDS]);
  });

  it('replaces a built-in check by a configured check with its id', () => {
    const config = load('checks:\n  - kind: cpu\n    warn_percent: 50\n    interval: 90s\n');
    const cpus = config.checks.filter((c) => c.id === 'cpu');
    expect(cpus).toHaveLength(1);
    expect(cpus[0]?.options.warn_percent).toBe(50);
    expect(cpus[0]?.intervalMs).toBe(90_000);
    expect(config.checks.map((c) => c.id).sort()).toEqual([...BUILTIN_CHECK_IDS].sort());
  });

  it('keeps the built-ins beside configured checks with other ids', () => {
    const config = load('checks:\n  - kind: endpoint\n    id: emr\n    url: https://emr.example:8443\n');
    expect(config.checks.map((c) => c.id)).toEqual([...BUILTIN_CHECK_IDS, 'emr']);
  });

  it('drops the built-in checks with builtin_checks: false', () => {
    const config = load('builtin_checks: false\nchecks:\n  - kind: cpu\n    id: cpu-only\n');
    expect(config.checks.map((c) => c.id)).toEqual(['cpu-only']);
    expect(load('builtin_checks: false\n').checks).toEqual([]);
  });

  it('fills every default', () => {
    const file = join(dir, 'defaults', 'agent.yaml');
    const config = resolveConfig(
      { builtin_checks: false, checks: [{ kind: 'cpu' }] } as unknown as AgentConfigFile,
      file,
    );
    const [cpu] = config.checks;
    expect(cpu?.options).toEqual({ samples: 5, warn_percent: 90, crit_percent: 98, sample: 1 });
    expect(cpu).toMatchObject({ id: 'cpu', intervalMs: 60_000, timeoutMs: 15_000, enabled: true });
    expect(config.buffer).toEqual({ maxBytes: 64_000_000, maxAgeMs: 8 * 86_400_000, batchSize: 500 });
    expect(config.collector).toMatchObject({
      url: undefined,
      caFile: undefined,
      pinSha256: [],
      insecureHttp: false,
      timeoutMs: 30_000,
    });
    expect(config.logLevel).toBe('info');
    expect(config.stateDir).toBe(join(dir, 'defaults', 'state'));
  });

  it('keeps a disabled check configured but marked disabled', () => {
    const config = load('builtin_checks: false\nchecks:\n  - kind: cpu\n    enabled: false\n');
    expect(config.checks).toHaveLength(1);
    expect(config.checks[0]?.enabled).toBe(false);
  });

  it('reads sizes and durations as people write them', () => {
    const config = load(
      'builtin_checks: false\nbuffer:\n  max_size: 10 MiB\n  max_age: 2d\ncollector:\n  timeout: 1m\n',
    );
    expect(config.buffer.maxBytes).toBe(10 * 1024 * 1024);
    expect(config.buffer.maxAgeMs).toBe(2 * 86_400_000);
    expect(config.collector.timeoutMs).toBe(60_000);
  });
});

describe('config and state locations', () => {
  it('uses each OS its own default config path', () => {
    expect(defaultConfigPath('linux')).toBe('/etc/vitals/agent.yaml');
    expect(defaultConfigPath('darwin')).toBe('/Library/Application Support/Vitals/agent.yaml');
    expect(defaultConfigPath('win32')).toMatch(/Vitals[\\/]agent\.yaml$/);
  });

  it('keeps state in /var/lib/vitals on Linux, and beside any other config file', () => {
    expect(defaultStateDir(undefined, 'linux')).toBe('/var/lib/vitals');
    expect(defaultStateDir('/etc/vitals/agent.yaml', 'linux')).toBe('/var/lib/vitals');
    expect(defaultStateDir('/opt/site/agent.yaml', 'linux')).toBe('/opt/site/state');
    expect(defaultStateDir(undefined, 'darwin')).toBe('/Library/Application Support/Vitals/state');
  });
});
