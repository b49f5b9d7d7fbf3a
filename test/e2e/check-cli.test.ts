// `vitals check` as a person or a monitoring tool runs it: the built CLI as a real process, with no
// config, with --only, as an unprivileged user, and against a real tmpfs filled to a threshold.
import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { type CheckResult, EXIT_CODE, type Status, worstStatus } from '@vitals/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AGENT_JS, cleanupAll, tempDir } from './harness.js';

interface Report {
  host: string;
  status: Status;
  exit_code: number;
  results: CheckResult[];
}

function vitals(args: string[], asUser?: 'nobody') {
  const command = asUser ? 'setpriv' : process.execPath;
  const argv = asUser
    ? ['--reuid=65534', '--regid=65534', '--clear-groups', process.execPath, AGENT_JS, ...args]
    : [AGENT_JS, ...args];
  // cwd "/" so a relative path or the repo's own config could not make this pass by accident.
  const r = spawnSync(command, argv, {
    cwd: '/',
    encoding: 'utf8',
    timeout: 30_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The exit code must be the Nagios code of the worst status in the document it printed. */
function expectConsistentExit(code: number | null, report: Report) {
  const worst = worstStatus(report.results.map((r) => r.status));
  expect(report.status).toBe(worst);
  expect(report.exit_code).toBe(EXIT_CODE[worst]);
  expect(code).toBe(report.exit_code);
}

beforeAll(() => {
  // test/global-setup.ts builds agent/dist once before any test file runs; building again here
  // would rewrite the bundle under other e2e files that are running it at the same time.
  expect(existsSync(AGENT_JS), `${AGENT_JS} missing: the global setup runs scripts/build.mjs`).toBe(true);
  // "No config file at all" only holds if this machine has none at the default location.
  expect(existsSync('/etc/vitals/agent.yaml')).toBe(false);
});

describe('vitals check with no config file', () => {
  it('prints one JSON document covering cpu, memory, disk and uptime, exiting with the worst status', () => {
    const r = vitals(['check', '--json']);
    const report = JSON.parse(r.stdout) as Report;
    expect(new Set(report.results.map((x) => x.kind))).toEqual(new Set(['cpu', 'memory', 'disk', 'uptime']));
    expect(report.results.find((x) => x.kind === 'disk' && x.target === '/')?.values.free_percent?.unit).toBe(
      'percent',
    );
    expectConsistentExit(r.code, report);
  });

  it('runs only cpu with --only cpu', () => {
    const r = vitals(['check', '--json', '--only', 'cpu']);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.results.map((x) => x.check)).toEqual(['cpu']);
    expectConsistentExit(r.code, report);
  });

  it('exits 3 and names the unknown check for --only nosuch', () => {
    const r = vitals(['check', '--only', 'nosuch']);
    expect(r.code).toBe(3);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/no check with id or kind "nosuch"; configured: cpu, memory, disk, uptime/);
  });

  it('works for an ordinary user (nobody) and still returns JSON', () => {
    // The repo lives under /work/main (mode 755 all the way down), so nobody can read the bundle;
    // assert that first, so a failure here means "vitals needs root", not "test set up wrong".
    const probe = spawnSync('setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'test', '-r', AGENT_JS]);
    expect(probe.status, `nobody cannot read ${AGENT_JS}`).toBe(0);
    const r = vitals(['check', '--json'], 'nobody');
    const report = JSON.parse(r.stdout) as Report;
    expect(new Set(report.results.map((x) => x.kind))).toEqual(new Set(['cpu', 'memory', 'disk', 'uptime']));
    // Nothing these checks read needs root: an unprivileged run must not degrade to UNKNOWN.
    expect(report.results.filter((x) => x.status === 'UNKNOWN')).toEqual([]);
    expectConsistentExit(r.code, report);
  });
});

describe('vitals check during a momentary CPU spike', () => {
  it('sees the spike in its samples, says what it measured, and does not call it CRITICAL', () => {
    // One busy loop per core: every sample they cover reads ~100 % of the whole machine.
    const loops: ChildProcess[] = os
      .cpus()
      .map(() => spawn(process.execPath, ['-e', 'const end = Date.now() + 3000; while (Date.now() < end);']));
    try {
      const r = vitals(['check', '--json', '--only', 'cpu']);
      const report = JSON.parse(r.stdout) as Report;
      const cpu = report.results[0]!;
      expect(cpu.values.samples?.value).toBe(5);
      expect(cpu.values.window_seconds?.value).toBe(5);
      expect(cpu.values.peak_percent?.value as number).toBeGreaterThan(90);
      expect(cpu.message).toMatch(/^CPU \d+ % of the whole machine \(\d+ cores; average of 5 samples over 5 s, peak/);
      expect(cpu.status).not.toBe('CRITICAL');
      expect(r.code).not.toBe(2);
      expectConsistentExit(r.code, report);
    } finally {
      for (const loop of loops) loop.kill('SIGKILL');
    }
  });
});

describe('vitals check on a real filled tmpfs', () => {
  const SIZE = 20 * 1024 * 1024;
  let mount: string;
  let config: string;

  beforeAll(() => {
    mount = mkdtempSync(join(os.tmpdir(), 'vitals-cli-disk-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=20m', 'tmpfs', mount]);
    config = join(tempDir(), 'agent.yaml');
    // A check with the built-in's id replaces the built-in disk check; JSON strings are valid YAML.
    writeFileSync(config, `checks:\n  - kind: disk\n    id: disk\n    mounts: [${JSON.stringify(mount)}]\n`);
    accessSync(config, constants.R_OK);
  });

  afterAll(() => {
    execFileSync('umount', [mount]);
    rmSync(mount, { recursive: true });
    cleanupAll();
  });

  const fillTo = (percent: number) =>
    writeFileSync(join(mount, 'fill'), Buffer.alloc(Math.round((SIZE * percent) / 100)));

  it('exits 2 with a "critically low" row at 97 % used', () => {
    fillTo(97);
    const r = vitals(['check', '--config', config, '--only', 'disk']);
    expect(r.code, r.stderr).toBe(2);
    const row = r.stdout.split('\n').find((line) => line.includes(`Disk ${mount} has`));
    expect(row).toMatch(new RegExp(`^CRITICAL\\s+disk ${mount}\\s+.*— critically low$`));
  });

  it('exits 1 with a "getting low" row at 86 % used', () => {
    fillTo(86);
    const r = vitals(['check', '--config', config, '--only', 'disk']);
    expect(r.code, r.stderr).toBe(1);
    expect(r.stdout).toMatch(new RegExp(`^WARNING\\s+disk ${mount}\\s+.*— getting low$`, 'm'));
  });

  it('does not report an unnamed tmpfs with the built-in checks', () => {
    fillTo(97);
    const r = vitals(['check', '--json', '--only', 'disk']);
    const report = JSON.parse(r.stdout) as Report;
    expect(report.results.map((x) => x.target)).not.toContain(mount);
    expect(report.results.map((x) => x.target)).toContain('/');
    expectConsistentExit(r.code, report);
  });
});
