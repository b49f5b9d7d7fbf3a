// A damaged buffer file of a real agent (garbage over its first 4 KB, or cut in half) against a
// real collector: the agent keeps running and delivering, the collector raises buffer_lost,
// `vitals status` says what happened, the old file is kept. Plus a truncated identity.json and
// relative state_dir from two working directories.
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  statSync,
  truncateSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  agentCli,
  cleanupAll,
  collectorCli,
  createToken,
  enrollAgent,
  exportHost,
  freePort,
  hostnameOf,
  startAgent,
  startCollector,
  tempDir,
  waitFor,
  writeAgentConfig,
} from './harness.js';

afterAll(cleanupAll);

interface LossStatus {
  buffer_lost: {
    at: string;
    kept_as: string;
    lost: number | null;
    salvaged: number;
    reported_to_collector: boolean;
  } | null;
}

function damage(file: string, how: 'garbage' | 'cut'): void {
  if (how === 'cut') truncateSync(file, Math.floor(statSync(file).size / 2));
  else {
    const fd = openSync(file, 'r+');
    writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, 0);
    closeSync(fd);
  }
}

describe.each(['garbage', 'cut'] as const)('a real agent whose buffer is damaged (%s)', (how) => {
  it('keeps running, delivers new results, and the collector raises buffer_lost', async () => {
    const dir = tempDir();
    const dataDir = join(dir, 'data');
    const collectorConfig = join(dir, 'collector.yaml');
    writeFileSync(collectorConfig, 'alerting:\n  evaluate_every: 1s\n');
    const collector = await startCollector({ dataDir, port: await freePort(), configFile: collectorConfig });
    // Checks every 50 ms while the collector is away fill the buffer over many pages.
    const config = writeAgentConfig(dir, { intervalMs: 50 });
    expect(enrollAgent(config, collector.url, createToken(dataDir)).code).toBe(0);
    const host = hostnameOf(config);
    await collector.term();
    const first = startAgent(config);
    const buffer = join(dir, 'state', 'buffer.sqlite');
    await waitFor('a buffer over 64 KB', () => existsSync(buffer) && statSync(buffer).size > 64 * 1024, 60_000);
    await first.term();
    damage(buffer, how);

    const damaged = agentCli(['status', '--json', '--config', config]);
    expect(damaged.stderr).not.toMatch(/unexpected error/);

    const again = await startCollector({
      dataDir,
      port: Number(new URL(collector.url).port),
      configFile: collectorConfig,
    });
    const agent = startAgent(config);
    const since = Date.now();
    await waitFor(
      `new results delivered\n${agent.output()}`,
      () => exportHost(dataDir, host).some((r) => r.ts >= since),
      60_000,
    );
    const alert = await waitFor(
      'the buffer_lost alert',
      () => {
        const r = collectorCli(dataDir, ['alerts', '--json']);
        const list = JSON.parse(r.stdout) as { rule: string; summary?: string; host?: string }[];
        return list.find((a) => a.rule === 'buffer_lost');
      },
      30_000,
    );
    expect(JSON.stringify(alert)).toMatch(new RegExp(`buffer on ${host} was corrupted on .* and was replaced`));
    const status = await waitFor('status reports the loss as sent', () => {
      const s = JSON.parse(agentCli(['status', '--json', '--config', config]).stdout) as LossStatus;
      return s.buffer_lost?.reported_to_collector ? s : undefined;
    });
    const kept = status.buffer_lost?.kept_as as string;
    expect(readdirSync(join(dir, 'state'))).toContain(kept.split('/').pop());
    if (how === 'garbage') expect(status.buffer_lost?.lost).toBeNull();
    else expect(status.buffer_lost?.salvaged).toBeGreaterThan(0);
    expect(agentCli(['status', '--config', config]).stdout).toMatch(/buffer lost .*kept as/);
    expect(await agent.term()).toBe(0);
    // The log is asynchronous: read it once the agent has stopped (and flushed).
    expect(agent.output()).toMatch(/"event":"buffer_replaced"/);
    expect(agent.output()).toContain(kept);
    await again.term();
  }, 180_000);
});

describe('broken local files', () => {
  it('a truncated identity.json names the file and the fix, exit 3', () => {
    const dir = tempDir();
    const config = writeAgentConfig(dir);
    const state = join(dir, 'state');
    mkdirSync(state, { recursive: true });
    writeFileSync(join(state, 'identity.json'), '{"agent_id": "a1b2c3", "sec');
    for (const cmd of ['status', 'run']) {
      const r = agentCli([cmd, '--config', config]);
      expect(r.code).toBe(3);
      expect(r.stderr).toContain(`identity.json at ${join(state, 'identity.json')} is not valid JSON (truncated?)`);
      expect(r.stderr).toMatch(/vitals enroll --force/);
      expect(r.stderr).not.toMatch(/unexpected error/);
    }
  });

  it('a relative state_dir resolves from the config folder, whatever the working directory', () => {
    const dir = tempDir();
    const config = writeAgentConfig(dir, { stateDir: 'my-state' });
    const spawnIn = (cwd: string) => {
      const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
      const r = spawnSync(
        process.execPath,
        [join(__dirname, '../../agent/dist/vitals.js'), 'status', '--json', '--config', config],
        { cwd, encoding: 'utf8' },
      );
      return JSON.parse(r.stdout) as { state_dir: string };
    };
    expect(spawnIn(tempDir()).state_dir).toBe(join(dir, 'my-state'));
    expect(spawnIn(tempDir()).state_dir).toBe(join(dir, 'my-state'));
  });
});
