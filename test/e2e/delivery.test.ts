// "Nothing lost", end to end: the real agent and collector as processes over real HTTP, killed
// with SIGKILL, restarted, cut off and starved of disk; the collector's export must show every
// sequence number exactly once.
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  agentStatus,
  cleanupAll,
  createToken,
  enrollAgent,
  exportHost,
  freePort,
  gapsAndDuplicates,
  hostnameOf,
  sleep,
  startAgent,
  startCollector,
  tempDir,
  waitFor,
  writeAgentConfig,
} from './harness.js';

afterEach(() => cleanupAll());

function enroll(configFile: string, url: string, token: string): void {
  const r = enrollAgent(configFile, url, token);
  expect(r.code, r.stderr + r.stdout).toBe(0);
}

describe('delivery end to end', () => {
  it('stores every sequence number exactly once while the collector is SIGKILLed and restarted', async () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    const port = await freePort();
    let collector = await startCollector({ dataDir: data, port });
    const config = writeAgentConfig(dir);
    enroll(config, collector.url, createToken(data));
    const agent = startAgent(config);
    for (let round = 0; round < 3; round++) {
      await sleep(800 + Math.random() * 700);
      await collector.kill9();
      await sleep(300 + Math.random() * 500);
      collector = await startCollector({ dataDir: data, port });
    }
    await waitFor('the agent to catch up', () => agentStatus(config).buffer_depth === 0, 20_000);
    expect(await agent.term()).toBe(0);
    const reports = exportHost(data, hostnameOf(config));
    expect(reports.length).toBeGreaterThan(15);
    expect(gapsAndDuplicates(reports.map((r) => r.seq))).toEqual({ gaps: 0, duplicates: 0 });
    expect(agentStatus(config).buffer_depth).toBe(0);
  });

  it('keeps the buffer consistent through repeated SIGKILLs of the agent, without duplicates', async () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    const collector = await startCollector({ dataDir: data, port: await freePort() });
    const config = writeAgentConfig(dir, { intervalMs: 100 });
    enroll(config, collector.url, createToken(data));
    for (let round = 0; round < 5; round++) {
      const agent = startAgent(config);
      await waitFor('the agent to start', () => /"event":"started"/.test(agent.output()));
      await sleep(300 + Math.random() * 800);
      await agent.kill9();
      const db = new Database(join(dir, 'state', 'buffer.sqlite'), { readonly: true });
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();
    }
    const last = startAgent(config);
    // SIGTERM before the agent has installed its handler would kill it the default way.
    await waitFor('the agent to start', () => /"event":"started"/.test(last.output()));
    await sleep(500);
    expect(await last.term()).toBe(0);
    const reports = exportHost(data, hostnameOf(config));
    const boots = new Set(reports.map((r) => r.boot_id));
    expect(boots.size).toBeGreaterThanOrEqual(5);
    // A result never written had no sequence number yet, so losing one leaves no gap.
    expect(gapsAndDuplicates(reports.map((r) => r.seq))).toEqual({ gaps: 0, duplicates: 0 });
  });

  it('buffers through a collector outage and drains the backlog completely and in order', async () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    const port = await freePort();
    let collector = await startCollector({ dataDir: data, port });
    const config = writeAgentConfig(dir);
    enroll(config, collector.url, createToken(data));
    await collector.term();
    const agent = startAgent(config);
    await waitFor('a backlog of 20 results', () => agentStatus(config).buffer_depth >= 20, 20_000);
    expect(agent.output()).toMatch(/collector unreachable since/);
    collector = await startCollector({ dataDir: data, port });
    await waitFor('the backlog to drain', () => agentStatus(config).buffer_depth === 0, 30_000);
    await waitFor('the reconnection log line', () => /delivering again, \d[\d,]* reports behind/.test(agent.output()));
    expect(await agent.term()).toBe(0);
    const reports = exportHost(data, hostnameOf(config));
    expect(reports.length).toBeGreaterThanOrEqual(20);
    expect(gapsAndDuplicates(reports.map((r) => r.seq))).toEqual({ gaps: 0, duplicates: 0 });
    const tss = reports.map((r) => r.ts);
    expect(tss).toEqual([...tss].sort((a, b) => a - b));
  });

  it('keeps checking on a full state disk without crashing or corrupting the buffer, and delivers once space returns', async () => {
    const dir = tempDir();
    const data = join(dir, 'data');
    const port = await freePort();
    const mount = join(dir, 'small');
    mkdirSync(mount);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=3m', 'tmpfs', mount]);
    try {
      let collector = await startCollector({ dataDir: data, port });
      // State on the small disk.
      const stateDir = join(mount, 'state');
      const config = writeAgentConfig(dir, { intervalMs: 50, stateDir });
      enroll(config, collector.url, createToken(data));
      await collector.term();
      const agent = startAgent(config);
      await waitFor('some buffered results', () => agentStatus(config).buffer_depth > 20, 20_000);
      // Fill the disk completely.
      try {
        writeFileSync(join(mount, 'filler'), Buffer.alloc(8 * 1024 * 1024));
      } catch {}
      await waitFor('the agent to notice the full disk', () => /buffer_write_failed/.test(agent.output()), 20_000);
      await sleep(1500);
      expect(agent.child.exitCode).toBeNull();
      rmSync(join(mount, 'filler'));
      collector = await startCollector({ dataDir: data, port });
      await waitFor('the backlog to drain after space returned', () => agentStatus(config).buffer_depth === 0, 30_000);
      expect(await agent.term()).toBe(0);
      const status = agentStatus(config);
      expect(status.last_delivery_at).not.toBeNull();
      const reports = exportHost(data, hostnameOf(config));
      expect(reports.length).toBeGreaterThan(20);
      expect(gapsAndDuplicates(reports.map((r) => r.seq)).duplicates).toBe(0);
      const db = new Database(join(stateDir, 'buffer.sqlite'), { readonly: true });
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      db.close();
    } finally {
      cleanupAll();
      execFileSync('umount', ['-l', mount]);
    }
  });
});
