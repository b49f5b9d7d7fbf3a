// End to end in real time: a real agent watches a process the test starts, the test kills it,
// and the collector's alert reaches a real SMTP server as one email; restarting the process
// brings the resolved notice. Also measures detection-to-delivery time for the README.

import { type ChildProcess, spawn } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { afterAll, describe, expect, it } from 'vitest';
import {
  cleanupAll,
  createToken,
  enrollAgent,
  freePort,
  startAgent,
  startCollector,
  tempDir,
  waitFor,
} from './harness.js';

interface Mail {
  at: number;
  subject: string;
  text: string;
  messageId: string;
}

async function startSmtp(): Promise<{ port: number; mails: Mail[]; close: () => Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) {
      simpleParser(stream)
        .then((parsed) => {
          mails.push({
            at: Date.now(),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            messageId: parsed.messageId ?? '',
          });
          callback();
        })
        .catch(callback);
    },
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { port, mails, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

afterAll(() => cleanupAll());

describe('a stopped process reaches a technician by email', () => {
  it('emails once when the watched process dies and once when it is back', async () => {
    const dir = tempDir();
    const smtp = await startSmtp();
    // A uniquely named copy of sleep: the process check matches the executable name exactly.
    const name = `emr${Math.random().toString(36).slice(2, 8)}`;
    const exe = join(dir, name);
    copyFileSync('/bin/sleep', exe);
    let watched: ChildProcess = spawn(exe, ['600'], { stdio: 'ignore' });

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
    group_interval: 5s
notifications:
  dashboard_url: http://127.0.0.1:${port}
  channels:
    oncall:
      type: email
      smtp:
        host: 127.0.0.1
        port: ${smtp.port}
        secure: false
        starttls: false
      from: vitals@msp.example
      to: [oncall@msp.example]
  default_channels: [oncall]
`,
    );
    const collector = await startCollector({ dataDir, port, configFile: collectorConfig });
    const agentConfig = join(dir, 'agent.yaml');
    writeFileSync(
      agentConfig,
      `hostname: EMR-SRV01
state_dir: ${join(dir, 'state')}
collector:
  retry_max: 1s
builtin_checks: false
checks:
  - id: emr-app
    kind: process
    interval: 1s
    processes: [${name}]
    sample: 0
`,
    );
    enrollAgent(agentConfig, collector.url, createToken(dataDir, 'Smith Family Practice', 'Main St'));
    const agent = startAgent(agentConfig);
    try {
      // Healthy first: a few OK reports, no mail.
      await new Promise((r) => setTimeout(r, 3000));
      expect(smtp.mails).toHaveLength(0);

      const killedAt = Date.now();
      watched.kill('SIGKILL');
      const firing = await waitFor(
        `the alert email\n${collector.output()}`,
        () => smtp.mails.find((m) => /CRITICAL/.test(m.subject) && m.subject.includes('EMR-SRV01')),
        60_000,
      );
      const detectionMs = firing.at - killedAt;
      process.stdout.write(`[alert-email] process killed → email received in ${(detectionMs / 1000).toFixed(1)} s\n`);
      // SPEC §5: within the check interval × 3 + 60 s.
      expect(detectionMs).toBeLessThan(1000 * 3 + 60_000);
      expect(firing.subject).toContain('Smith Family Practice');
      expect(firing.text).toContain(name);
      expect(firing.messageId).toMatch(/@/);

      watched = spawn(exe, ['600'], { stdio: 'ignore' });
      const resolved = await waitFor(
        `the resolved email\n${collector.output()}`,
        () => smtp.mails.find((m) => /resolved/i.test(m.subject)),
        60_000,
      );
      expect(resolved.subject).toContain('EMR-SRV01');
      // One firing mail, not one per failed check.
      expect(smtp.mails.filter((m) => /CRITICAL/.test(m.subject) && !/resolved/i.test(m.subject))).toHaveLength(1);
    } finally {
      watched.kill('SIGKILL');
      await agent.term();
      await collector.term();
      await smtp.close();
    }
  }, 120_000);
});
