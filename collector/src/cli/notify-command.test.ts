import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { buildCli } from '../fixtures/cli.js';
import { N0, newNotification } from '../fixtures/notifications.js';
import { type HttpReceiver, type SmtpReceiver, startHttp, startSmtp } from '../fixtures/receivers.js';
import { verifyWebhookSignature } from '../notify/webhook.js';
import { SqliteStore } from '../store/sqlite.js';
import { SqliteOutbox } from '../store/sqlite-outbox.js';

const SLACK = 'https://hooks.slack.com/services/T0/B0/cli-slack-secret';

let cli: string;
let dir: string;
let hook: HttpReceiver;
let mail: SmtpReceiver;

/** Async, unlike runCli: the receivers live in this process and must answer while the CLI waits. */
function run(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ status: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      process.execPath,
      [cli, ...args],
      { env: { ...process.env, ...env }, timeout: 20_000 },
      (err, stdout, stderr) => resolve({ status: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

function writeConfig(hookUrl: string, smtpPort: number): string {
  const file = join(dir, 'collector.yaml');
  writeFileSync(join(dir, 'hook.key'), 'cli-test-signing-key-42\n');
  writeFileSync(
    file,
    [
      'data_dir: ./data',
      'notifications:',
      '  failing_after: 2',
      '  channels:',
      '    ops-hook:',
      '      type: webhook',
      `      url: ${hookUrl}`,
      '      secret_file: hook.key',
      '    ops-mail:',
      '      type: email',
      `      smtp: { host: 127.0.0.1, port: ${smtpPort} }`,
      '      from: Vitals <alerts@msp.example>',
      '      to: [oncall@msp.example]',
      '    ops-slack:',
      '      type: slack',
      '      url_env: TEST_SLACK_URL',
      '',
    ].join('\n'),
  );
  return file;
}

beforeAll(async () => {
  cli = await buildCli();
});
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vitals-notify-cli-'));
  hook = await startHttp();
  mail = await startSmtp();
});
afterEach(async () => {
  await hook.close();
  await mail.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('vitals-collector notify', () => {
  it('test sends a signed test message through a webhook and prints what the server answered', async () => {
    const config = writeConfig(`${hook.url}/hook`, mail.port);
    hook.answer(() => ({ status: 200, body: 'received, thanks' }));
    const r = await run(['notify', 'test', '--channel', 'ops-hook', '--config', config], { TEST_SLACK_URL: SLACK });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('ops-hook (webhook): delivered; the server answered: HTTP 200 received, thanks\n');
    expect(hook.requests).toHaveLength(1);
    const req = hook.requests[0]!;
    expect(JSON.parse(req.body)).toMatchObject({
      kind: 'test',
      subject: '[TEST] Vitals: test notification through "ops-hook"',
    });
    const signed = {
      timestamp: req.headers['x-vitals-timestamp'] as string,
      signature: req.headers['x-vitals-signature'] as string,
    };
    expect(verifyWebhookSignature('cli-test-signing-key-42', signed, req.body, Math.floor(Date.now() / 1000))).toBe(
      true,
    );
  });

  it('test sends a test email and prints the SMTP reply', async () => {
    const config = writeConfig(`${hook.url}/hook`, mail.port);
    const r = await run(['notify', 'test', '--channel', 'ops-mail', '--config', config], { TEST_SLACK_URL: SLACK });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^ops-mail \(email\): delivered; the server answered: 250 /);
    expect(mail.messages).toHaveLength(1);
    expect(mail.messages[0]?.headers.subject).toBe('[TEST] Vitals: test notification through "ops-mail"');
  });

  it('test exits 1 with the reason when the server refuses, and prints JSON with --json', async () => {
    const config = writeConfig(`${hook.url}/hook`, mail.port);
    hook.answer(() => ({ status: 403, body: 'invalid token' }));
    const r = await run(['notify', 'test', '--channel', 'ops-hook', '--config', config, '--json'], {
      TEST_SLACK_URL: SLACK,
    });
    expect(r.status).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      channel: 'ops-hook',
      type: 'webhook',
      ok: false,
      permanent: true,
      error: 'HTTP 403 invalid token',
    });
  });

  it('test reports an unknown channel and a missing secret as config errors (exit 2), never the secret', async () => {
    const config = writeConfig(`${hook.url}/hook`, mail.port);
    const unknown = await run(['notify', 'test', '--channel', 'pager', '--config', config], {
      TEST_SLACK_URL: SLACK,
    });
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('no channel "pager" in notifications.channels');
    expect(unknown.stderr).toContain('known: ops-hook, ops-mail, ops-slack');
    const noEnv = await run(['notify', 'test', '--channel', 'ops-hook', '--config', config]);
    expect(noEnv.status).toBe(2);
    expect(noEnv.stderr).toContain(
      'notifications.channels.ops-slack.url_env: environment variable TEST_SLACK_URL is not set',
    );
    expect(noEnv.stderr).not.toContain('cli-test-signing-key-42');
  });

  it('status shows per channel what waits in the outbox and which channel is failing', async () => {
    const config = writeConfig(`${hook.url}/hook`, mail.port);
    const store = SqliteStore.open(join(dir, 'data'));
    const outbox = new SqliteOutbox(store.db);
    outbox.insert(
      [
        newNotification({ channel: 'ops-hook', idempotency_key: 'k1' }),
        newNotification({ channel: 'ops-hook', idempotency_key: 'k2' }),
        newNotification({ channel: 'ops-mail', idempotency_key: 'k3' }),
        newNotification({ channel: 'old-pager', idempotency_key: 'k4' }),
      ],
      N0,
    );
    const [k1] = outbox.claim(N0, 1, 60_000);
    outbox.failed(k1!.id, N0, 'HTTP 404');
    outbox.recordChannelFailure('ops-hook', N0, 'HTTP 404');
    outbox.recordChannelFailure('ops-hook', N0 + 1000, 'HTTP 404');
    await store.close();
    const json = await run(['notify', 'status', '--config', config, '--json']);
    expect(json.status).toBe(0);
    const rows = JSON.parse(json.stdout);
    expect(rows.map((r: { channel: string }) => r.channel)).toEqual(['old-pager', 'ops-hook', 'ops-mail', 'ops-slack']);
    expect(rows[1]).toEqual({
      channel: 'ops-hook',
      type: 'webhook',
      configured: true,
      queued: 1,
      sending: 0,
      delivered: 0,
      failed: 1,
      failing: true,
      consecutive_failures: 2,
      failing_since: new Date(N0).toISOString(),
      last_error: 'HTTP 404',
      last_success_at: null,
    });
    expect(rows[0]).toMatchObject({ configured: false, queued: 1, failing: false });
    const table = await run(['notify', 'status', '--config', config]);
    expect(table.stdout).toMatch(/^CHANNEL\s+TYPE\s+QUEUED\s+SENDING\s+FAILED\s+DELIVERED\s+STATE$/m);
    expect(table.stdout).toMatch(/^ops-hook\s+webhook\s+1\s+0\s+1\s+0\s+FAILING since 2026-03-03T07:14:00.000Z/m);
    expect(table.stdout).toMatch(/^ops-mail\s+email\s+1\s+0\s+0\s+0\s+ok$/m);
    expect(table.stdout).toMatch(/^old-pager\s+-\s+1\s+0\s+0\s+0\s+not configured$/m);
  });
});
