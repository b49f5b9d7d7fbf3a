// Uptime and pending-reboot detection: a temp /run/reboot-required with a chosen mtime, the
// Windows registry-flag parser on captured output, and the check on this machine for real.
import { copyFileSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parsePowerShellJson } from '../platform/powershell.js';
import { judgeUptime, parseWindowsRebootFlags, RebootOutputError, readRebootRequired, uptimeCheck } from './uptime.js';

const fixtureUrl = (name: string) => new URL(`./fixtures/uptime/${name}`, import.meta.url);
const fixture = (name: string) => readFileSync(fixtureUrl(name), 'utf8');
const DAY = 86_400_000;
const NOW = Date.UTC(2025, 2, 14, 9, 30);
const dir = mkdtempSync(join(os.tmpdir(), 'vitals-uptime-'));

afterAll(() => rmSync(dir, { recursive: true }));

/** A reboot-required marker touched `ageMs` before NOW, with the captured package list beside it. */
function marker(name: string, ageMs: number): string {
  const path = join(dir, name);
  writeFileSync(path, '*** System restart required ***\n');
  copyFileSync(fixtureUrl('reboot-required.pkgs'), `${path}.pkgs`);
  const at = new Date(NOW - ageMs);
  utimesSync(path, at, at);
  return path;
}

describe('Linux /run/reboot-required', () => {
  it('is not pending when the file does not exist', async () => {
    expect(await readRebootRequired(join(dir, 'absent'))).toEqual({ pending: false, reasons: [] });
  });

  it('takes "since when" from the file’s mtime and the packages from .pkgs, once each', async () => {
    const state = await readRebootRequired(marker('recent', 2 * DAY));
    expect(state).toEqual({
      pending: true,
      since: NOW - 2 * DAY,
      reasons: ['linux-image-6.8.0-51-generic', 'linux-base', 'libc6', 'openssl'],
    });
  });

  it('says a recent pending reboot, with since when, but stays OK', async () => {
    const outcome = judgeUptime(3600, await readRebootRequired(marker('recent', 2 * DAY)), 7 * DAY, NOW);
    expect(outcome.status).toBe('OK');
    expect(outcome.message).toBe(
      'Up 1 h; a reboot is pending since 2025-03-12 09:30 UTC (2 days) for linux-image-6.8.0-51-generic, linux-base, libc6 and 1 more',
    );
    expect(outcome.values.reboot_pending_seconds).toEqual({ value: 2 * 86_400, unit: 'seconds' });
  });

  it('warns when the reboot has been pending longer than reboot_pending_warn', async () => {
    const outcome = judgeUptime(40 * 86_400, await readRebootRequired(marker('old', 10 * DAY)), 7 * DAY, NOW);
    expect(outcome.status).toBe('WARNING');
    expect(outcome.message).toMatch(/pending since 2025-03-04 09:30 UTC \(10 days\).* — restart it soon$/);
    expect(Object.keys(outcome.values)[0]).toBe('uptime_seconds');
  });

  it('fails loudly, not "no reboot", when the marker cannot be read', async () => {
    const file = join(dir, 'plain-file');
    writeFileSync(file, '');
    await expect(readRebootRequired(join(file, 'reboot-required'))).rejects.toMatchObject({ code: 'ENOTDIR' });
  });
});

describe('Windows registry flags', () => {
  it('lists each flag that is set', () => {
    const state = parseWindowsRebootFlags(parsePowerShellJson(fixture('windows-reboot-pending.json')));
    expect(state).toEqual({ pending: true, reasons: ['Windows Update', 'pending file renames'] });
    const outcome = judgeUptime(90_000, state, 7 * DAY, NOW);
    expect(outcome).toMatchObject({
      status: 'OK',
      message: 'Up 1 day 1 h; a reboot is pending for Windows Update, pending file renames',
    });
  });

  it('is not pending when no flag is set', () => {
    expect(parseWindowsRebootFlags(parsePowerShellJson(fixture('windows-reboot-none.json')))).toEqual({
      pending: false,
      reasons: [],
    });
  });

  it('rejects a flag that is not a boolean or is missing', () => {
    expect(() => parseWindowsRebootFlags(parsePowerShellJson(fixture('windows-reboot-malformed.json')))).toThrow(
      RebootOutputError,
    );
    expect(() => parseWindowsRebootFlags([])).toThrow(/no reboot flags/);
  });
});

describe('uptime check', () => {
  it('reports this machine’s real uptime in seconds', async () => {
    const [result, ...rest] = await uptimeCheck.run(
      { reboot_pending_warn: '7d' },
      { now: Date.now, signal: new AbortController().signal, timeoutMs: 5000, platform: 'linux' },
    );
    expect(rest).toEqual([]);
    const kernelUptime = Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]);
    const uptime = result?.values.uptime_seconds?.value as number;
    expect(uptime).toBeGreaterThan(0);
    expect(Math.abs(uptime - kernelUptime)).toBeLessThan(5);
    expect(result?.values.reboot_pending).toBeDefined();
    expect(result?.message).toMatch(/^Up /);
  });

  it('says macOS has no pending-reboot flag rather than claiming none is pending', () => {
    expect(judgeUptime(100, undefined, 7 * DAY, NOW).message).toBe(
      'Up 1 min 40 s (this OS has no pending-reboot flag)',
    );
  });
});
