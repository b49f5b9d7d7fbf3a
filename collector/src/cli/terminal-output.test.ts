// The real CLI (child process) over a real server: a hostname full of terminal escapes prints as
// visible escapes in human output, and as exact JSON with --json.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCli, runCli, type ServeProcess, startServe } from '../fixtures/cli.js';
import { hostFacts } from '../fixtures/reports.js';

const HOSTILE = 'PC\x1b[2J\x1b]0;owned\x07\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\\x9b31m\u202eevil';
// ESC, BEL, any C0 but newline, DEL, C1 and bidi overrides.
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;

let cli: string;
let dir: string;
let serve: ServeProcess;

beforeAll(async () => {
  cli = await buildCli();
  dir = mkdtempSync(join(tmpdir(), 'vitals-cli-escapes-'));
  serve = await startServe(cli, ['--data', dir]);
  const token = JSON.parse(
    runCli(cli, ['token', 'create', '--client', 'Northside', '--site', 'Main St', '--json', '--data', dir]).stdout,
  ) as { token: string };
  const res = await fetch(`${serve.url}/api/v1/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ token: token.token, host: hostFacts(HOSTILE) }),
  });
  expect(res.status).toBe(200);
});
afterAll(async () => {
  if (serve.child.exitCode === null) {
    serve.child.kill('SIGKILL');
    await serve.exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

describe('CLI output of a hostile hostname', () => {
  it('agents prints no ESC, BEL, C1 or bidi byte, but shows them as \\x1b, \\x07, \\x9b, \\u202e', () => {
    const out = runCli(cli, ['agents', '--data', dir]);
    expect(out.status).toBe(0);
    expect(out.stdout).not.toMatch(UNSAFE);
    expect(out.stdout).toContain('PC\\x1b[2J\\x1b]0;owned\\x07\\x1b]8;;https://evil.example');
    expect(out.stdout).toContain('\\x9b31m\\u202eevil');
  });

  it('agents --json keeps the hostname exact (JSON escapes it)', () => {
    const out = runCli(cli, ['agents', '--json', '--data', dir]);
    // JSON escapes C0 (ESC, BEL) itself; C1 and bidi characters stay, as valid JSON allows.
    expect(out.stdout).not.toMatch(/[\u0000-\u0009\u000b-\u001f]/);
    expect((JSON.parse(out.stdout) as { hostname: string }[])[0]?.hostname).toBe(HOSTILE);
  });
});
