// install-scripts/linux/install.sh for real, into a temporary root (--root), against a real
// collector: files, modes, config and enrolled identity; the installed unit's command delivers; a
// re-run upgrades in place keeping identity, buffer and config byte for byte; uninstall leaves
// nothing; the unit passes `systemd-analyze verify`; and the errors a user can hit are clear.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import {
  appendFileSync,
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { installCommands } from '../../collector/src/enroll/install-command.js';
import {
  type Collector,
  cleanupAll,
  collectorCli,
  createToken,
  freePort,
  startCollector,
  tempDir,
  waitFor,
} from '../e2e/harness.js';
import {
  execStartOf,
  LINUX_SH,
  MACOS_SH,
  mode,
  pathWithoutSudo,
  type Run,
  runScript,
  sha256,
  snapshot,
  startFront,
  walk,
  writeAgentExecutable,
} from './harness.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  cleanupAll();
});

interface Layout {
  agent: string;
  link: string;
  config: string;
  state: string;
  unit: string;
}

function layout(root: string): Layout {
  return {
    agent: join(root, 'usr/local/lib/vitals/vitals'),
    link: join(root, 'usr/local/bin/vitals'),
    config: join(root, 'etc/vitals/agent.yaml'),
    state: join(root, 'var/lib/vitals'),
    unit: join(root, 'etc/systemd/system/vitals.service'),
  };
}

async function setup(): Promise<{ dir: string; root: string; data: string; collector: Collector; exe: string }> {
  const dir = tempDir('vitals-install-');
  const root = join(dir, 'root');
  mkdirSync(root);
  const data = join(dir, 'data');
  const collector = await startCollector({ dataDir: data, port: await freePort() });
  return { dir, root, data, collector, exe: writeAgentExecutable(join(dir, 'vitals-build-1')) };
}

function install(root: string, url: string, token: string, binary: string): Promise<Run> {
  return runScript(LINUX_SH, ['--url', url, '--token', token, '--binary', binary, '--root', root]);
}

function status(l: Layout): { agent_id?: string; buffer_depth: number; last_delivery_at: string | null } {
  const r = spawnSync(l.link, ['status', '--json', '--config', l.config], { encoding: 'utf8' });
  return JSON.parse(r.stdout);
}

describe('linux install.sh', () => {
  beforeAll(() => {
    const r = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error('systemd-analyze is needed to verify the unit: apt-get install systemd');
  });

  it('installs, the unit command delivers, a re-run keeps identity, buffer and config, uninstall leaves nothing', async () => {
    const { dir, root, data, collector, exe } = await setup();
    const l = layout(root);

    const first = await install(root, collector.url, createToken(data), exe);
    expect(first.code, first.stderr + first.stdout).toBe(0);
    expect(first.stdout).toContain('installed');

    // Files in place with their modes.
    expect(mode(l.agent)).toBe(0o755);
    expect(readFileSync(l.agent, 'utf8')).toBe(readFileSync(exe, 'utf8'));
    expect(readlinkSync(l.link)).toBe('../lib/vitals/vitals');
    expect(mode(l.config)).toBe(0o600);
    expect(mode(l.state)).toBe(0o700);
    const config = readFileSync(l.config, 'utf8');
    expect(config).toContain(`url: ${collector.url}`);
    expect(config).toContain(`state_dir: ${l.state}`);
    const identityFile = join(l.state, 'identity.json');
    expect(mode(identityFile)).toBe(0o600);
    const identity = JSON.parse(readFileSync(identityFile, 'utf8')) as { agent_id: string; collector_url: string };
    expect(identity.collector_url).toBe(collector.url);
    const agents = JSON.parse(collectorCli(data, ['agents', '--json']).stdout) as { agent_id: string }[];
    expect(agents.map((a) => a.agent_id)).toContain(identity.agent_id);

    // The unit: hardening that keeps disks and /proc readable, verified by systemd itself.
    const unit = readFileSync(l.unit, 'utf8');
    expect(mode(l.unit)).toBe(0o644);
    for (const line of [
      'ProtectSystem=strict',
      `ReadWritePaths=${l.state}`,
      'ProtectHome=read-only',
      'NoNewPrivileges=yes',
      'PrivateTmp=yes',
      'Restart=on-failure',
      'WantedBy=multi-user.target',
    ])
      expect(unit.split('\n')).toContain(line);
    for (const breaks of ['PrivateDevices', 'ProcSubset', 'ProtectProc', 'ProtectClock', 'MemoryDenyWriteExecute'])
      expect(unit).not.toMatch(new RegExp(`^${breaks}=`, 'm'));
    expect(execStartOf(unit)).toEqual([l.agent, 'run', '--config', l.config]);
    const verify = spawnSync('systemd-analyze', ['verify', l.unit], { encoding: 'utf8' });
    expect({ code: verify.status, out: verify.stdout + verify.stderr }).toEqual({ code: 0, out: '' });

    // The unit's command runs the agent, which delivers; then results pile up while the collector is down.
    appendFileSync(l.config, 'builtin_checks: false\nchecks:\n  - id: cpu\n    kind: cpu\n    interval: 200ms\n');
    const [cmd, ...args] = execStartOf(unit);
    const agent = spawn(cmd as string, args, { stdio: 'ignore' });
    children.push(agent);
    await waitFor('a delivery by the installed agent', () => status(l).last_delivery_at !== null);
    await collector.kill9();
    await waitFor('results buffered while the collector is down', () => status(l).buffer_depth >= 3);
    agent.kill('SIGTERM');
    const agentExit = await new Promise((resolve) => agent.once('exit', resolve));
    expect(agentExit).toBe(0);
    const buffer = join(l.state, 'buffer.sqlite');
    const before = { identity: sha256(identityFile), buffer: sha256(buffer), config: sha256(l.config) };
    const depth = status(l).buffer_depth;

    // Re-run with a new build: an upgrade in place. Enrollment is not repeated (the collector is down).
    const exe2 = writeAgentExecutable(join(dir, 'vitals-build-2'), 'second');
    const again = await install(root, collector.url, 'vt_a_token_that_is_not_used_again', exe2);
    expect(again.code, again.stderr + again.stdout).toBe(0);
    expect(again.stdout).toContain('upgraded in place');
    expect(again.stdout).toContain(`already enrolled as ${identity.agent_id}`);
    expect(readFileSync(l.agent, 'utf8')).toBe(readFileSync(exe2, 'utf8'));
    expect({ identity: sha256(identityFile), buffer: sha256(buffer), config: sha256(l.config) }).toEqual(before);
    expect(status(l).buffer_depth).toBe(depth);

    const gone = await runScript(LINUX_SH, ['--uninstall', '--root', root]);
    expect(gone.code, gone.stderr).toBe(0);
    expect(walk(root)).toEqual([]);
  });

  it('--uninstall --keep-buffer keeps only the state directory, and a new install continues as the same agent', async () => {
    const { root, data, collector, exe } = await setup();
    const l = layout(root);
    expect((await install(root, collector.url, createToken(data), exe)).code).toBe(0);
    const id = readFileSync(join(l.state, 'identity.json'), 'utf8');

    const r = await runScript(LINUX_SH, ['--uninstall', '--keep-buffer', '--root', root]);
    expect(r.code, r.stderr).toBe(0);
    expect(walk(root)).toEqual(['var', 'var/lib', 'var/lib/vitals', 'var/lib/vitals/identity.json']);

    const back = await install(root, collector.url, createToken(data), exe);
    expect(back.code, back.stderr).toBe(0);
    expect(readFileSync(join(l.state, 'identity.json'), 'utf8')).toBe(id);
  });

  it('downloads the agent from URL/download/vitals-linux-x64 when no --binary is given', async () => {
    const { root, data, collector, exe } = await setup();
    const front = await startFront(collector.url);
    try {
      const token = createToken(data);
      const missing = await runScript(LINUX_SH, ['--url', front.url, '--token', token, '--root', root]);
      expect(missing.code).toBe(4);
      expect(missing.stderr).toContain(`could not download the agent from ${front.url}/download/vitals-linux-x64`);
      expect(missing.stderr).toMatch(/404/);
      expect(walk(root)).toEqual([]);

      front.downloads.set('vitals-linux-x64', exe);
      const r = await runScript(LINUX_SH, ['--url', `${front.url}/`, '--token', token, '--root', root]);
      expect(r.code, r.stderr + r.stdout).toBe(0);
      expect(front.requests).toContain('GET /download/vitals-linux-x64');
      expect(sha256(layout(root).agent)).toBe(sha256(exe));
      expect(readFileSync(layout(root).config, 'utf8')).toContain(`url: ${front.url}\n`);
    } finally {
      await front.close();
    }
  });

  it('refuses to run without --url and --token, naming what is missing, and changes nothing', async () => {
    const root = tempDir('vitals-install-');
    const none = await runScript(LINUX_SH, ['--root', root]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('missing --url and --token');
    const noToken = await runScript(LINUX_SH, ['--url', 'https://collector.example', '--root', root]);
    expect(noToken.code).toBe(2);
    expect(noToken.stderr).toContain('missing --token');
    const bad = await runScript(LINUX_SH, ['--url', 'collector.example', '--token', 'x', '--root', root]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--url must start with https://');
    const unknown = await runScript(LINUX_SH, ['--url', 'https://c', '--tokn', 'x']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--tokn'");
    expect(walk(root)).toEqual([]);
  });

  it("the enrollment page's command works as pasted by root on a machine without sudo, and uses sudo for a user", async () => {
    const dir = tempDir('vitals-install-');
    const root = join(dir, 'root');
    const builds = join(dir, 'builds');
    mkdirSync(root);
    mkdirSync(builds);
    const exe = writeAgentExecutable(join(builds, 'vitals-linux-x64'));
    const configFile = join(dir, 'collector.yaml');
    writeFileSync(configFile, `downloads:\n  dir: ${builds}\n`);
    const data = join(dir, 'data');
    const collector = await startCollector({ dataDir: data, port: await freePort(), configFile });
    const token = createToken(data);
    // The command the enrollment page shows, byte for byte, with --root added at its end.
    const command = `${installCommands({ url: collector.url, token }).linux} --root '${root}'`;
    const noSudo = pathWithoutSudo(join(dir, 'bin'));
    const which = spawnSync('sh', ['-c', 'command -v sudo'], { env: { PATH: noSudo }, encoding: 'utf8' });
    expect({ status: which.status, out: which.stdout }).toEqual({ status: 127, out: '' });
    const r = await runScript('', [], { shell: command, path: noSudo });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain(`downloading ${collector.url}/download/vitals-linux-x64`);
    expect(sha256(layout(root).agent)).toBe(sha256(exe));
    expect(existsSync(join(layout(root).state, 'identity.json'))).toBe(true);

    // A normal user's paste goes through sudo (here a stand-in that records how it was called).
    chmodSync(dir, 0o755); // the user must reach the PATH folder below
    const calls = join(dir, 'sudo-calls');
    mkdirSync(calls);
    chmodSync(calls, 0o777);
    const recorder = `#!/bin/sh\nprintf '%s\\n' "$@" > '${calls}/args'\ncat > '${calls}/stdin'\n`;
    const withSudo = pathWithoutSudo(join(dir, 'bin-sudo'), { sudo: recorder });
    const user = await runScript('', [], { shell: command, path: withSudo, asUid: 65534 });
    expect(user.code, user.stderr).toBe(0);
    expect(readFileSync(join(calls, 'args'), 'utf8').split('\n')).toEqual([
      'sh',
      '-s',
      '--',
      '--url',
      collector.url,
      '--token',
      token,
      '--root',
      root,
      '',
    ]);
    expect(readFileSync(join(calls, 'stdin'), 'utf8')).toBe(readFileSync(LINUX_SH, 'utf8'));
    // And root's paste never calls it, even where sudo exists.
    rmSync(join(calls, 'args'));
    const again = await runScript('', [], { shell: command, path: withSudo });
    expect(again.code, again.stderr).toBe(0);
    expect(existsSync(join(calls, 'args'))).toBe(false);
  });

  it('runs nothing when `curl | sh` delivers only part of the script', async () => {
    const { root, data, collector, exe } = await setup();
    const text = readFileSync(LINUX_SH, 'utf8');
    // Cut just after the binary is put in place: without the brace group that part would run.
    const cut = text.slice(0, text.indexOf('say "agent $VERSION installed'));
    const args = ['-s', '--', '--url', collector.url, '--token', createToken(data), '--binary', exe, '--root', root];
    const r = spawnSync('sh', args, { input: cut, encoding: 'utf8' });
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/end of file|expecting/i);
    expect(walk(root)).toEqual([]);
    // The whole script through the same pipe installs.
    const whole = spawnSync('sh', args, { input: text, encoding: 'utf8' });
    expect(whole.status, whole.stderr).toBe(0);
    expect(existsSync(join(root, 'var/lib/vitals/identity.json'))).toBe(true);
  });

  it('refuses to run as a normal user without --root', async () => {
    const r = await runScript(LINUX_SH, ['--url', 'https://collector.example', '--token', 'x'.repeat(20)], {
      asUid: 65534,
    });
    expect(r.code).toBe(3);
    expect(r.stderr).toContain('must run as root');
  });

  it('a first install the collector refuses exits 5 with its reason and leaves nothing behind', async () => {
    const { root, collector, exe } = await setup();
    const r = await install(root, collector.url, 'vt_this_token_was_never_issued', exe);
    expect(r.code).toBe(5);
    expect(r.stderr).toMatch(/enrollment failed: .*refused the enrollment \(\d{3}\)/);
    expect(r.stderr).toContain('rolled back: nothing of this install is left');
    expect(walk(root)).toEqual([]);
  });

  it('a re-install the collector refuses (identity gone) exits 5 and leaves the previous install byte for byte', async () => {
    const { dir, root, data, collector, exe } = await setup();
    const l = layout(root);
    expect((await install(root, collector.url, createToken(data), exe)).code).toBe(0);
    // The machine is to be enrolled anew (its identity removed); its buffer and edited config stay.
    rmSync(join(l.state, 'identity.json'));
    writeFileSync(join(l.state, 'buffer.sqlite'), 'unsent results\n', { mode: 0o600 });
    appendFileSync(l.config, '# edited by the admin\n');
    const before = snapshot(root);
    const exe2 = writeAgentExecutable(join(dir, 'vitals-build-2'), 'second');
    const r = await install(root, collector.url, 'vt_this_token_was_never_issued', exe2);
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('rolled back: the previous agent, config and unit are back as they were');
    expect(snapshot(root)).toEqual(before);
    expect(readFileSync(l.agent, 'utf8')).toBe(readFileSync(exe, 'utf8'));
  });

  it('a re-install over a config made invalid exits 7 and replaces nothing', async () => {
    const { dir, root, data, collector, exe } = await setup();
    const l = layout(root);
    expect((await install(root, collector.url, createToken(data), exe)).code).toBe(0);
    appendFileSync(l.config, 'checks: 42\n');
    const before = snapshot(root);
    const r = await install(root, collector.url, createToken(data), writeAgentExecutable(join(dir, 'v2'), 'second'));
    expect(r.code).toBe(7);
    expect(r.stderr).toContain(`${l.config} is not valid`);
    expect(snapshot(root)).toEqual(before);
  });

  it('a step failing after enrollment exits 8 naming it: a re-install is back as it was, a first install keeps only the identity', async () => {
    const { dir, root, data, collector, exe } = await setup();
    const l = layout(root);
    // The unit cannot be written: a folder where its temporary file goes.
    const blocker = `${l.unit}.tmp`;
    mkdirSync(blocker, { recursive: true });
    const first = await install(root, collector.url, createToken(data), exe);
    expect(first.code).toBe(8);
    expect(first.stderr).toContain(`error: writing the unit ${l.unit} failed`);
    expect(first.stderr).toContain(`nothing of this install is left but ${l.state}/identity.json`);
    expect(walk(root)).toEqual([
      'etc',
      'etc/systemd',
      'etc/systemd/system',
      'etc/systemd/system/vitals.service.tmp',
      'var',
      'var/lib',
      'var/lib/vitals',
      'var/lib/vitals/identity.json',
    ]);
    const identity = readFileSync(join(l.state, 'identity.json'), 'utf8');

    // Fixed, the next run continues as the same agent without a new token.
    rmSync(blocker, { recursive: true });
    const fixed = await install(root, collector.url, 'vt_a_token_that_is_not_used_again', exe);
    expect(fixed.code, fixed.stderr).toBe(0);
    expect(readFileSync(join(l.state, 'identity.json'), 'utf8')).toBe(identity);

    // An upgrade failing at the same step puts back the previous agent and unit.
    mkdirSync(blocker);
    const before = snapshot(root);
    const up = await install(
      root,
      collector.url,
      'vt_a_token_that_is_not_used_again',
      writeAgentExecutable(join(dir, 'v2'), 'second'),
    );
    expect(up.code).toBe(8);
    expect(up.stderr).toContain('rolled back: the previous agent, config and unit are back as they were');
    expect(snapshot(root)).toEqual(before);
  });

  it('both shell installers are shellcheck-clean POSIX sh', () => {
    const r = spawnSync('shellcheck', ['-s', 'sh', LINUX_SH, MACOS_SH], { encoding: 'utf8' });
    if (r.error) throw new Error('shellcheck is not installed: apt-get install shellcheck (scripts/ensure-tools.mjs)');
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});
