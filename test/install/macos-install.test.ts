// install-scripts/macos/install.sh in --root mode on Linux (launchctl skipped): the tarball for this
// machine's `uname -m` downloaded and unpacked, the LaunchDaemon plist read back as XML with the keys
// launchd needs, its command delivering to a real collector, upgrade keeping identity, clean uninstall.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { installCommands } from '../../collector/src/enroll/install-command.js';
import { cleanupAll, createToken, freePort, startCollector, tempDir, waitFor } from '../e2e/harness.js';
import {
  MACOS_SH,
  mode,
  pathWithoutSudo,
  runScript,
  sha256,
  snapshot,
  startFront,
  walk,
  writeAgentExecutable,
  writeMacTarball,
} from './harness.js';
import { type PlistValue, parsePlist } from './plist.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  cleanupAll();
});

describe('macOS install.sh (--root)', () => {
  it('downloads and unpacks the tarball, writes a valid LaunchDaemon whose command delivers, upgrades, uninstalls', async () => {
    const dir = tempDir('vitals-install-mac-');
    const root = join(dir, 'root');
    mkdirSync(root);
    const data = join(dir, 'data');
    const collector = await startCollector({ dataDir: data, port: await freePort() });
    const front = await startFront(collector.url);
    try {
      // This Linux machine is x86_64, so the script asks for the Intel build.
      expect(spawnSync('uname', ['-m'], { encoding: 'utf8' }).stdout.trim()).toBe('x86_64');
      const tarball = writeMacTarball(dir, writeAgentExecutable(join(dir, 'vitals-build-1')));
      front.downloads.set('vitals-macos-x64.tar.gz', tarball);

      const r = await runScript(MACOS_SH, ['--url', front.url, '--token', createToken(data), '--root', root]);
      expect(r.code, r.stderr + r.stdout).toBe(0);
      expect(front.requests).toContain('GET /download/vitals-macos-x64.tar.gz');

      const prefix = join(root, 'usr/local/vitals');
      const agent = join(prefix, 'bin/vitals');
      const confDir = join(root, 'Library/Application Support/Vitals');
      const config = join(confDir, 'agent.yaml');
      const state = join(confDir, 'state');
      const logFile = join(root, 'Library/Logs/Vitals/vitals.log');
      expect(mode(agent)).toBe(0o755);
      expect(existsSync(join(prefix, 'vitals.mjs'))).toBe(true);
      expect(readlinkSync(join(root, 'usr/local/bin/vitals'))).toBe('../vitals/bin/vitals');
      expect(mode(config)).toBe(0o600);
      expect(readFileSync(config, 'utf8')).toContain(`state_dir: ${state}\n`);
      expect(mode(state)).toBe(0o700);
      const identityFile = join(state, 'identity.json');
      expect(mode(identityFile)).toBe(0o600);

      const plistFile = join(root, 'Library/LaunchDaemons/com.vitals.agent.plist');
      expect(mode(plistFile)).toBe(0o644);
      const plist = parsePlist(readFileSync(plistFile, 'utf8')) as Record<string, PlistValue>;
      expect(plist).toEqual({
        Label: 'com.vitals.agent',
        ProgramArguments: [agent, 'run', '--config', config],
        WorkingDirectory: state,
        RunAtLoad: true,
        KeepAlive: true,
        ThrottleInterval: 10,
        ExitTimeOut: 45,
        Umask: 0o077,
        StandardOutPath: logFile,
        StandardErrorPath: logFile,
      });

      // What launchd would start: the plist's ProgramArguments, here run directly.
      const [cmd, ...args] = plist.ProgramArguments as string[];
      const daemon = spawn(cmd as string, args, { stdio: 'ignore', cwd: state });
      children.push(daemon);
      const status = () =>
        JSON.parse(spawnSync(agent, ['status', '--json', '--config', config], { encoding: 'utf8' }).stdout) as {
          last_delivery_at: string | null;
        };
      await waitFor('a delivery by the installed agent', () => status().last_delivery_at !== null);
      daemon.kill('SIGTERM');
      expect(await new Promise((resolve) => daemon.once('exit', resolve))).toBe(0);

      // Upgrade from a local tarball: the folder is swapped, identity and config stay.
      const before = { identity: sha256(identityFile), config: sha256(config) };
      const tarball2 = writeMacTarball(join(dir, 'b2'), writeAgentExecutable(join(dir, 'vitals-build-2'), 'second'));
      const up = await runScript(MACOS_SH, [
        '--url',
        front.url,
        '--token',
        'vt_not_used_again_xxxx',
        '--binary',
        tarball2,
        '--root',
        root,
      ]);
      expect(up.code, up.stderr + up.stdout).toBe(0);
      expect(up.stdout).toContain('upgraded in place');
      expect(readFileSync(agent, 'utf8')).toContain('test build: second');
      expect({ identity: sha256(identityFile), config: sha256(config) }).toEqual(before);
      expect(walk(join(root, 'usr/local')).filter((p) => p.includes('.vitals.new') || p.endsWith('.old'))).toEqual([]);

      const keep = await runScript(MACOS_SH, ['--uninstall', '--keep-buffer', '--root', root]);
      expect(keep.code, keep.stderr).toBe(0);
      expect(walk(root).filter((p) => !p.startsWith('Library/Application Support/Vitals/state/'))).toEqual([
        'Library',
        'Library/Application Support',
        'Library/Application Support/Vitals',
        'Library/Application Support/Vitals/state',
      ]);
      expect(sha256(identityFile)).toBe(before.identity);

      const gone = await runScript(MACOS_SH, ['--uninstall', '--root', root]);
      expect(gone.code, gone.stderr).toBe(0);
      expect(walk(root)).toEqual([]);
    } finally {
      await front.close();
    }
  });

  it("the enrollment page's command works as pasted by root without sudo: script and tarball served by the collector", async () => {
    const dir = tempDir('vitals-install-mac-');
    const root = join(dir, 'root');
    const builds = join(dir, 'builds');
    mkdirSync(root);
    mkdirSync(builds);
    writeMacTarball(builds, writeAgentExecutable(join(dir, 'vitals-build-1')));
    const configFile = join(dir, 'collector.yaml');
    writeFileSync(configFile, `downloads:\n  dir: ${builds}\n`);
    const data = join(dir, 'data');
    const collector = await startCollector({ dataDir: data, port: await freePort(), configFile });
    // The command the enrollment page shows, with --root added, pasted by root on a machine without sudo.
    const command = `${installCommands({ url: collector.url, token: createToken(data) }).macos} --root '${root}'`;
    const r = await runScript('', [], { shell: command, path: pathWithoutSudo(join(dir, 'bin')) });
    expect(r.code, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toContain(`downloading ${collector.url}/download/vitals-macos-x64.tar.gz`);
    expect(existsSync(join(root, 'Library/Application Support/Vitals/state/identity.json'))).toBe(true);
  });

  it('refuses to run without --url and --token, and outside macOS without --root', async () => {
    const root = tempDir('vitals-install-mac-');
    const none = await runScript(MACOS_SH, ['--root', root]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('missing --url and --token');
    const linux = await runScript(MACOS_SH, ['--url', 'https://c.example', '--token', 'x'.repeat(20)]);
    expect(linux.code).toBe(2);
    expect(linux.stderr).toContain('this installer is for macOS');
    expect(walk(root)).toEqual([]);
  });

  it('names a tarball without vitals/bin/vitals instead of installing it', async () => {
    const dir = tempDir('vitals-install-mac-');
    const root = join(dir, 'root');
    mkdirSync(root);
    const bad = join(dir, 'bad.tar.gz');
    spawnSync('tar', ['-czf', bad, '-C', dir, 'root']);
    const r = await runScript(MACOS_SH, [
      '--url',
      'https://c.example',
      '--token',
      'x'.repeat(20),
      '--binary',
      bad,
      '--root',
      root,
    ]);
    expect(r.code).toBe(4);
    expect(r.stderr).toContain('has no vitals/bin/vitals inside');
    expect(walk(root)).toEqual([]);
  });
  it('a refused enrollment rolls back: a first install leaves nothing, a re-install the previous one byte for byte', async () => {
    const dir = tempDir('vitals-install-mac-');
    const root = join(dir, 'root');
    mkdirSync(root);
    const data = join(dir, 'data');
    const collector = await startCollector({ dataDir: data, port: await freePort() });
    const install = (token: string, tag: string) =>
      runScript(MACOS_SH, [
        '--url',
        collector.url,
        '--token',
        token,
        '--binary',
        writeMacTarball(join(dir, tag), writeAgentExecutable(join(dir, `vitals-${tag}`), tag)),
        '--root',
        root,
      ]);
    const refused = await install('vt_this_token_was_never_issued', 'first');
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain('refused the enrollment');
    expect(refused.stderr).toContain('rolled back: nothing of this install is left');
    expect(walk(root)).toEqual([]);

    expect((await install(createToken(data), 'first')).code).toBe(0);
    const state = join(root, 'Library/Application Support/Vitals/state');
    rmSync(join(state, 'identity.json'));
    writeFileSync(join(state, 'buffer.sqlite'), 'unsent results\n', { mode: 0o600 });
    appendFileSync(join(root, 'Library/Application Support/Vitals/agent.yaml'), '# edited by the admin\n');
    const before = snapshot(root);
    const again = await install('vt_this_token_was_never_issued', 'second');
    expect(again.code).toBe(5);
    expect(again.stderr).toContain('rolled back: the previous agent, config and LaunchDaemon are back as they were');
    expect(snapshot(root)).toEqual(before);
    expect(readFileSync(join(root, 'usr/local/vitals/bin/vitals'), 'utf8')).toContain('test build: first');
  });
});
