// `vitals-collector serve` with public_url and downloads in its config file: the install commands
// of a token made through the API carry the configured URL, the install scripts and agent builds
// come from the configured directories without a login, and the token enrolls a real agent; the
// Linux command as answered, run by sh, installs through the real install.sh and /download/.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeAgentExecutable } from '../install/harness.js';
import {
  cleanupAll,
  collectorCli,
  enrollAgent,
  freePort,
  startCollector,
  tempDir,
  writeAgentConfig,
} from './harness.js';

afterAll(cleanupAll);

describe('serve: enrollment tokens and downloads from the config', () => {
  it('answers install commands with public_url and serves the configured scripts and builds', async () => {
    const dataDir = tempDir('vitals-enrollment-serve-');
    mkdirSync(join(dataDir, 'scripts', 'windows'), { recursive: true });
    writeFileSync(join(dataDir, 'scripts', 'windows', 'install.ps1'), 'Write-Output "windows installer"\r\n');
    mkdirSync(join(dataDir, 'agent'));
    writeFileSync(join(dataDir, 'agent', 'vitals-win-x64.exe'), Buffer.from('MZ fake build'));
    const configFile = join(dataDir, 'collector.yaml');
    writeFileSync(
      configFile,
      'public_url: https://Vitals.MSP.example/\ndownloads:\n  scripts_dir: scripts\n  dir: agent\n',
    );
    const collector = await startCollector({ dataDir, port: await freePort(), configFile });

    const script = await fetch(`${collector.url}/install/windows.ps1`);
    expect(script.status).toBe(200);
    expect(await script.text()).toBe('Write-Output "windows installer"\r\n');
    const build = await fetch(`${collector.url}/download/vitals-win-x64.exe`);
    expect(build.status).toBe(200);
    expect(Buffer.from(await build.arrayBuffer()).toString()).toBe('MZ fake build');
    const missing = await fetch(`${collector.url}/download/vitals-linux-x64`);
    expect(missing.status).toBe(404);
    expect(await missing.text()).toContain('node scripts/build-agent.mjs');

    const key = collectorCli(dataDir, ['apikey', 'create', '--name', 'rollout', '--role', 'technician', '--json']);
    expect(key.code, key.stderr).toBe(0);
    const { secret } = JSON.parse(key.stdout) as { secret: string };
    const res = await fetch(`${collector.url}/api/v1/enrollment-tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ client: 'Northside', site: 'Main St', expires_in_hours: 2 }),
    });
    expect(res.status).toBe(201);
    const created = (await res.json()) as { id: string; token: string; install: Record<string, string> };
    expect(created.install.linux).toBe(
      `curl -fsSL 'https://vitals.msp.example/install/linux.sh' | $([ "$(id -u)" = 0 ] || echo sudo) sh -s -- --url 'https://vitals.msp.example' --token '${created.token}'`,
    );

    // The token works (the agent talks to the address it can reach), and the CLI lists what the API made.
    const agentDir = tempDir('vitals-enrollment-serve-agent-');
    const enrolled = enrollAgent(writeAgentConfig(agentDir), collector.url, created.token);
    expect(enrolled.code, enrolled.stderr).toBe(0);
    const listed = collectorCli(dataDir, ['token', 'list', '--json']);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({ id: created.id, client: 'Northside', site: 'Main St', status: 'active', uses: 1 }),
    ]);
    await collector.term();
  });

  it('the Linux command exactly as answered fetches the real install.sh and the agent from the collector and enrolls', async () => {
    const dataDir = tempDir('vitals-enrollment-chain-');
    mkdirSync(join(dataDir, 'agent'));
    writeAgentExecutable(join(dataDir, 'agent', 'vitals-linux-x64'));
    const configFile = join(dataDir, 'collector.yaml');
    // scripts_dir left out: the checkout's install-scripts/ is served.
    writeFileSync(configFile, 'downloads:\n  dir: agent\n');
    const collector = await startCollector({ dataDir, port: await freePort(), configFile });
    const key = collectorCli(dataDir, ['apikey', 'create', '--name', 'rollout', '--role', 'admin', '--json']);
    const { secret } = JSON.parse(key.stdout) as { secret: string };
    const res = await fetch(`${collector.url}/api/v1/enrollment-tokens`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ client: 'Northside', site: 'Main St' }),
    });
    const { install } = (await res.json()) as { install: { linux: string } };
    expect(install.linux).toContain(
      `curl -fsSL '${collector.url}/install/linux.sh' | $([ "$(id -u)" = 0 ] || echo sudo) sh -s --`,
    );

    // Real curl and the real script, run by root without sudo, installing under a temporary root
    // (no systemctl there).
    const root = tempDir('vitals-enrollment-chain-root-');
    const run = spawnSync('/bin/sh', ['-c', `${install.linux} --root "$ROOT"`], {
      encoding: 'utf8',
      env: { ...process.env, ROOT: root, NO_COLOR: '1' },
      timeout: 60_000,
    });
    expect(run.status, run.stderr + run.stdout).toBe(0);
    // The agent installed is the file /download/vitals-linux-x64 served.
    const served = readFileSync(join(dataDir, 'agent', 'vitals-linux-x64'), 'utf8');
    expect(readFileSync(join(root, 'usr/local/lib/vitals/vitals'), 'utf8')).toBe(served);
    const agents = JSON.parse(collectorCli(dataDir, ['agents', '--json']).stdout) as { client: string; site: string }[];
    expect(agents).toEqual([expect.objectContaining({ client: 'Northside', site: 'Main St' })]);
    await collector.term();
  });
});
