// The memory parsers on captured output from each OS, and the check on this Linux machine for real.
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { parsePowerShellJson } from '../platform/powershell.js';
import type { CheckContext } from './check.js';
import {
  judgeMemory,
  MemoryOutputError,
  memoryCheck,
  parseDarwinMemory,
  parseMeminfo,
  parseWindowsMemory,
} from './memory.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/memory/${name}`, import.meta.url), 'utf8');
const thresholds = { warnAvailablePercent: 10, critAvailablePercent: 5 };
const ctx = (platform: NodeJS.Platform = 'linux'): CheckContext => ({
  now: Date.now,
  signal: new AbortController().signal,
  timeoutMs: 10_000,
  platform,
});

describe('Linux /proc/meminfo', () => {
  it('counts MemAvailable (cache included) as available, not MemFree', () => {
    const m = parseMeminfo(fixture('proc-meminfo-linux.txt'));
    expect(m.totalBytes).toBe(24683656 * 1024);
    expect(m.availableBytes).toBe(24035876 * 1024);
    expect(m.swap).toEqual({ totalBytes: 0, usedBytes: 0 });
  });

  it('judges a swapping 8 GB server with 4 % available CRITICAL and reports swap use', () => {
    const m = parseMeminfo(fixture('proc-meminfo-swapping.txt'));
    expect(m.swap).toEqual({ totalBytes: 2097148 * 1024, usedBytes: (2097148 - 524284) * 1024 });
    const outcome = judgeMemory(m, thresholds);
    expect(outcome.status).toBe('CRITICAL');
    expect(outcome.message).toBe(
      'Memory has 4.0 % available (329 MB of 8.2 GB); swap 1.6 GB of 2.1 GB used — critically low',
    );
    expect(Object.keys(outcome.values)).toEqual([
      'available_percent',
      'available_bytes',
      'total_bytes',
      'used_bytes',
      'swap_used_bytes',
      'swap_total_bytes',
    ]);
  });

  it('rejects output without MemTotal', () => {
    expect(() => parseMeminfo(fixture('proc-meminfo-truncated.txt'))).toThrow(MemoryOutputError);
    expect(() => parseMeminfo('')).toThrow(/no MemTotal/);
  });
});

describe('Windows Win32_OperatingSystem', () => {
  it('reads KiB fields into bytes and reports commit charge', () => {
    const m = parseWindowsMemory(parsePowerShellJson(fixture('windows-operatingsystem.json')));
    expect(m).toEqual({
      totalBytes: 16652876 * 1024,
      availableBytes: 2847212 * 1024,
      commit: { totalBytes: 19143244 * 1024, usedBytes: (19143244 - 6012344) * 1024 },
    });
    const outcome = judgeMemory(m, thresholds);
    expect(outcome.status).toBe('OK');
    expect(outcome.message).toMatch(/^Memory has 17 % available .*; commit 13\.4 GB of 19\.6 GB — fine$/);
  });

  it('rejects a null or missing field instead of treating it as zero', () => {
    expect(() => parseWindowsMemory(parsePowerShellJson(fixture('windows-operatingsystem-malformed.json')))).toThrow(
      /no FreePhysicalMemory/,
    );
    expect(() => parseWindowsMemory([])).toThrow(MemoryOutputError);
  });
});

describe('macOS vm_stat and sysctl', () => {
  it('counts free, inactive and speculative pages as available and reads swap usage', () => {
    const m = parseDarwinMemory(fixture('macos-vm_stat.txt'), fixture('macos-sysctl.txt'));
    expect(m.totalBytes).toBe(17179869184);
    expect(m.availableBytes).toBe((5127 + 233015 + 1898) * 16384);
    expect(m.swap).toEqual({ totalBytes: 3072 * 1024 ** 2, usedBytes: Math.round(2124.75 * 1024 ** 2) });
    expect(judgeMemory(m, thresholds).status).toBe('OK');
  });

  it('rejects vm_stat failure output and a missing hw.memsize', () => {
    expect(() => parseDarwinMemory(fixture('macos-vm_stat-garbled.txt'), fixture('macos-sysctl.txt'))).toThrow(
      MemoryOutputError,
    );
    expect(() => parseDarwinMemory(fixture('macos-vm_stat.txt'), '')).toThrow(/hw\.memsize/);
  });
});

describe('memory check', () => {
  it('measures this Linux machine: available between 0 and 100 %, total equal to the kernel’s', async () => {
    const [result, ...rest] = await memoryCheck.run({ warn_available_percent: 10, crit_available_percent: 5 }, ctx());
    expect(rest).toEqual([]);
    const available = result?.values.available_percent?.value as number;
    expect(available).toBeGreaterThan(0);
    expect(available).toBeLessThanOrEqual(100);
    expect(result?.values.total_bytes?.value).toBe(os.totalmem());
    expect(['OK', 'WARNING', 'CRITICAL']).toContain(result?.status);
    expect(result?.message).toMatch(/^Memory has .* available/);
  });

  it('applies its thresholds: nothing is "enough" when the warning level is 100 %', async () => {
    const [result] = await memoryCheck.run({ warn_available_percent: 100, crit_available_percent: 0 }, ctx());
    expect(result?.status).toBe('WARNING');
    expect(result?.message).toMatch(/— running low$/);
  });

  it('is UNKNOWN with the reason when the OS tool is missing, never a throw', async () => {
    // Asking for the macOS readers on Linux: vm_stat is not installed here.
    const [result] = await memoryCheck.run({ warn_available_percent: 10, crit_available_percent: 5 }, ctx('darwin'));
    expect(result).toMatchObject({ status: 'UNKNOWN', message: 'vm_stat is not installed (not found on PATH)' });
  });
});
