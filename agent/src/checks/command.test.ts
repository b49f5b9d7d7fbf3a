import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConfiguredCheck } from '../config.js';
import { runCheck } from '../runner.js';
import type { CheckContext, CheckKind } from './check.js';
import { commandCheck } from './command.js';

let dir: string;

function script(name: string, body: string): string {
  const path = join(dir, name);
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
  return path;
}

function context(timeoutMs = 10_000): CheckContext {
  return { now: Date.now, signal: new AbortController().signal, timeoutMs, platform: process.platform };
}

async function runScript(path: string, timeoutMs?: number) {
  const outcomes = await commandCheck.run({ command: path, args: [] }, context(timeoutMs));
  expect(outcomes).toHaveLength(1);
  return outcomes[0]!;
}

/** Alive and not a zombie: a killed child stays in the table until reaped, but no longer runs. */
function isRunning(pid: number): boolean {
  const stat = `/proc/${pid}/stat`;
  if (!existsSync(stat)) return false;
  const state = readFileSync(stat, 'utf8').replace(/^.*\) /s, '')[0];
  return state !== 'Z' && state !== 'X';
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'vitals-command-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('command check', () => {
  it.each([
    [0, 'OK'],
    [1, 'WARNING'],
    [2, 'CRITICAL'],
    [3, 'UNKNOWN'],
  ] as const)('maps exit code %i to %s with the first line as the message', async (code, status) => {
    const path = script(
      `exit${code}.sh`,
      `echo "STATUS ${code} - backup share reachable"\necho "second line"\nexit ${code}`,
    );
    const outcome = await runScript(path);
    expect(outcome.status).toBe(status);
    expect(outcome.message).toBe(`STATUS ${code} - backup share reachable`);
    expect(outcome.values['exit_code']).toEqual({ value: code });
  });

  it('turns Nagios perfdata into values and keeps it out of the message', async () => {
    const path = script('perf.sh', `echo "PING OK - rta 1.2 ms | rta=1.2ms;100;500;0 loss=0%;20;60"\nexit 0`);
    const outcome = await runScript(path);
    expect(outcome.message).toBe('PING OK - rta 1.2 ms');
    expect(outcome.values).toMatchObject({ rta: { value: 1.2, unit: 'ms' }, loss: { value: 0, unit: 'percent' } });
  });

  it('reports an exit code outside 0–3 as UNKNOWN and names the code', async () => {
    const path = script('exit42.sh', 'echo "something odd"\nexit 42');
    const outcome = await runScript(path);
    expect(outcome.status).toBe('UNKNOWN');
    expect(outcome.message).toBe('exited with code 42, which is not a plugin status (0–3): something odd');
  });

  it('reports a shell’s "command not found" (127) as UNKNOWN with stderr when stdout is empty', async () => {
    const path = script('missing.sh', 'no-such-program-vitals-test');
    const outcome = await runScript(path);
    expect(outcome.status).toBe('UNKNOWN');
    expect(outcome.message).toMatch(/^exited with code 127.*not found/);
  });

  it('survives 2 MB of random bytes: one short printable line, no control characters', async () => {
    const path = script('garbage.sh', 'head -c 2097152 /dev/urandom\nexit 0');
    const outcome = await runScript(path);
    expect(outcome.status).toBe('OK');
    expect(outcome.message.length).toBeLessThanOrEqual(300);
    expect(outcome.message).not.toMatch(/[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffd]/);
    expect(JSON.parse(JSON.stringify(outcome)).message).toBe(outcome.message);
  });

  it('survives 2 MB of text on one line by capping the message', async () => {
    const path = script('huge.sh', "head -c 2097152 /dev/zero | tr '\\0' 'a'\nexit 1");
    const outcome = await runScript(path);
    expect(outcome.status).toBe('WARNING');
    expect(outcome.message).toMatch(/^a{299}…$/);
  });

  it('says so when a script prints nothing', async () => {
    const outcome = await runScript(script('silent.sh', 'exit 2'));
    expect(outcome.status).toBe('CRITICAL');
    expect(outcome.message).toBe('exited with 2 and printed nothing');
  });

  it('reports a program that does not exist as UNKNOWN, not a crash', async () => {
    const outcome = await runScript(join(dir, 'does-not-exist'));
    expect(outcome.status).toBe('UNKNOWN');
    expect(outcome.message).toMatch(/not installed/);
  });

  it('kills a script that never exits, and the process it started, within the timeout', async () => {
    const pidFile = join(dir, 'hang-direct.pid');
    const path = script('hang-direct.sh', `sleep 1000 &\necho $! > ${pidFile}\nwait`);
    const started = Date.now();
    const outcome = await runScript(path, 400);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(outcome.status).toBe('UNKNOWN');
    expect(outcome.message).toBe('did not finish within 0.4 s and was killed');
    const pid = Number(readFileSync(pidFile, 'utf8'));
    await sleep(100);
    expect(isRunning(pid)).toBe(false);
  });

  it('is cut off by the runner at the configured timeout, and its sleep is really gone', async () => {
    const pidFile = join(dir, 'hang-runner.pid');
    const path = script('hang-runner.sh', `sleep 1000 &\necho $! > ${pidFile}\nwait`);
    const check: ConfiguredCheck = {
      id: 'hang',
      kind: commandCheck as unknown as CheckKind,
      options: { command: path, args: [] },
      intervalMs: 60_000,
      timeoutMs: 500,
      enabled: true,
    };
    const started = Date.now();
    const results = await runCheck(check);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ check: 'hang', kind: 'command', status: 'UNKNOWN' });
    expect(results[0]!.message).toMatch(/did not finish within 0\.5 s/);
    const pid = Number(readFileSync(pidFile, 'utf8'));
    expect(pid).toBeGreaterThan(0);
    // The runner's abort signal kills the process group; give the kernel a moment to deliver it.
    for (let i = 0; i < 20 && isRunning(pid); i++) await sleep(50);
    expect(isRunning(pid)).toBe(false);
  });
});
