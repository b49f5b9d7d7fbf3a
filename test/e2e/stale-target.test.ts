// End to end in real time: a real agent's process check fires an alert on a real collector; the
// agent's config then loses that check and the agent is restarted. Within stale_after (3 x the
// 1 s interval) the alert resolves with a "no longer reported since" notice through the real
// route → outbox → webhook path, and the check's row leaves the dashboard's host API.
import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startHttp } from '../../collector/src/fixtures/receivers.js';
import {
  cleanupAll,
  collectorCli,
  createToken,
  enrollAgent,
  freePort,
  startAgent,
  startCollector,
  tempDir,
  waitFor,
} from './harness.js';

afterAll(() => cleanupAll());

interface Payload {
  kind: string;
  alerts: { rule: string; target: string; state: string; summary: string }[];
}

function agentYaml(dir: string, processName: string | null): string {
  const processCheck = processName
    ? `  - id: emr-app\n    kind: process\n    interval: 1s\n    processes: [${processName}]\n    sample: 0\n`
    : '';
  return `hostname: EMR-SRV01
state_dir: ${join(dir, 'state')}
collector:
  retry_max: 1s
  gather: 0s
builtin_checks: false
checks:
${processCheck}  - id: cpu
    kind: cpu
    interval: 1s
    sample: 0.1
`;
}

describe('a check taken out of the agent config', () => {
  it('resolves its firing alert with a "no longer reported" notice and leaves the host API', async () => {
    const dir = tempDir();
    const receiver = await startHttp();
    const name = `emr${Math.random().toString(36).slice(2, 8)}`;
    const exe = join(dir, name);
    copyFileSync('/bin/sleep', exe);
    const watched: ChildProcess = spawn(exe, ['600'], { stdio: 'ignore' });

    const port = await freePort();
    const dataDir = join(dir, 'collector');
    const collectorConfig = join(dir, 'collector.yaml');
    writeFileSync(
      collectorConfig,
      `alerting:
  evaluate_every: 1s
  route_every: 500ms
  routing:
    group_wait: 1s
    group_interval: 2s
notifications:
  channels:
    psa:
      type: webhook
      url: ${receiver.url}
      secret: e2e-signing-key-0123456789
  default_channels: [psa]
`,
    );
    const collector = await startCollector({ dataDir, port, configFile: collectorConfig });
    const agentConfig = join(dir, 'agent.yaml');
    writeFileSync(agentConfig, agentYaml(dir, name));
    const enrolled = enrollAgent(agentConfig, collector.url, createToken(dataDir, 'Smith Family Practice', 'Main St'));
    expect(enrolled.code, enrolled.stderr).toBe(0);
    let agent = startAgent(agentConfig);
    const key = collectorCli(dataDir, ['apikey', 'create', '--name', 'e2e', '--role', 'technician', '--json']);
    expect(key.code, key.stderr).toBe(0);
    const auth = { authorization: `Bearer ${(JSON.parse(key.stdout) as { secret: string }).secret}` };
    const payloads = () => receiver.requests.map((r) => JSON.parse(r.body) as Payload);
    try {
      // Enrolled above, so the fleet lists the host already.
      const fleet = await (await fetch(`${collector.url}/api/v1/fleet`, { headers: auth })).text();
      const agentId = /"agent_id":"([^"]+)"/.exec(fleet)?.[1];
      expect(agentId, fleet).toBeTruthy();
      const hostUrl = `${collector.url}/api/v1/hosts/${agentId}`;
      const host = async () =>
        (await (await fetch(hostUrl, { headers: auth })).json()) as {
          results: { check: string; target: string }[];
          alerts: { open: { rule: string }[] };
        };

      watched.kill('SIGKILL');
      await waitFor(
        `the firing webhook\n${collector.output()}`,
        () => payloads().find((p) => p.kind === 'firing' && p.alerts.some((a) => a.target === name)),
        60_000,
      );
      expect((await host()).results.map((r) => r.check).sort()).toEqual(['cpu', 'emr-app']);

      // The check leaves the config; the agent restarts and goes on reporting cpu every second.
      await agent.term();
      writeFileSync(agentConfig, agentYaml(dir, null));
      const restartedAt = Date.now();
      agent = startAgent(agentConfig);
      const resolved = await waitFor(
        `the resolved webhook\n${collector.output()}`,
        () => payloads().find((p) => p.kind === 'resolved'),
        60_000,
      );
      process.stdout.write(
        `[stale-target] agent restarted → resolved webhook in ${((Date.now() - restartedAt) / 1000).toFixed(1)} s\n`,
      );
      const alert = resolved.alerts.find((a) => a.target === name);
      expect(alert).toMatchObject({ rule: 'process', state: 'resolved' });
      expect(alert?.summary).toMatch(
        new RegExp(
          `^process ${name} on EMR-SRV01 is no longer reported since \\w{3} \\d{1,2} \\w{3} \\d\\d:\\d\\d UTC$`,
        ),
      );
      const after = await host();
      expect(after.results.map((r) => r.check)).toEqual(['cpu']);
      // (A cpu alert may be pending on a loaded machine: only the process one is asserted.)
      expect(after.alerts.open.filter((a) => a.rule === 'process')).toEqual([]);
      // Still away: nothing reopens and nothing else is sent.
      await new Promise((r) => setTimeout(r, 4000));
      expect(payloads().filter((p) => p.alerts.some((a) => a.target === name))).toHaveLength(2);
      expect((await host()).results.map((r) => r.check)).toEqual(['cpu']);
    } finally {
      watched.kill('SIGKILL');
      await agent.term();
      await collector.term();
      await receiver.close();
    }
  }, 150_000);
});
