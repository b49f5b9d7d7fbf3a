// End to end in real time: a real agent watches a process the test starts, the test kills it,
// and the collector's alert reaches a real SMTP server as one email; restarting the process
// brings the resolved notice; the same alert reaches a real HTTP receiver as a signed webhook.
// Also measures detection-to-delivery time for the README.
import { type ChildProcess, spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
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
  raw: string;
}

interface Hook {
  at: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

const SIGNING_KEY = 'e2e-signing-key-0123456789';

async function startReceiver(): Promise<{ url: string; hooks: Hook[]; close: () => Promise<void> }> {
  const hooks: Hook[] = [];
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      hooks.push({ at: Date.now(), headers: req.headers, body });
      res.writeHead(200).end('stored');
    });
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${port}/hooks/vitals`,
    hooks,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function startSmtp(): Promise<{ port: number; mails: Mail[]; close: () => Promise<void> }> {
  const mails: Mail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    onData(stream, _session, callback) {
      let raw = '';
      stream.on('data', (d: Buffer) => (raw += d.toString()));
      simpleParser(stream)
        .then((parsed) => {
          mails.push({
            raw,
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
    const receiver = await startReceiver();
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
    psa:
      type: webhook
      url: ${receiver.url}
      secret: ${SIGNING_KEY}
  default_channels: [oncall, psa]
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

      // The same alert as one signed webhook whose signature verifies.
      const hook = await waitFor('the webhook', () => receiver.hooks[0], 30_000);
      const ts = String(hook.headers['x-vitals-timestamp']);
      const mac = createHmac('sha256', SIGNING_KEY).update(`${ts}.${hook.body}`).digest('hex');
      expect(hook.headers['x-vitals-signature']).toBe(`sha256=${mac}`);
      const payload = JSON.parse(hook.body) as {
        kind: string;
        host: string;
        idempotency_key: string;
        alerts: { rule: string; target: string }[];
      };
      expect(payload).toMatchObject({ kind: 'firing', host: 'EMR-SRV01' });
      expect(payload.alerts[0]).toMatchObject({ rule: 'process', target: name });
      expect(hook.headers['x-vitals-idempotency-key']).toBe(payload.idempotency_key);
      // Kept for the closing note / README: what a technician and a PSA actually receive.
      const samples = join(tmpdir(), 'vitals-e2e-samples');
      mkdirSync(samples, { recursive: true });
      writeFileSync(join(samples, 'alert-email.eml'), firing.raw);
      writeFileSync(join(samples, 'alert-webhook.json'), JSON.stringify(payload, null, 2));

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
      await receiver.close();
    }
  }, 120_000);
});
