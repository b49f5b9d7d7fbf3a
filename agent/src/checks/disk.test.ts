// The disk check against a real 20 MB tmpfs this test mounts (we run as root) and fills.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import Type from 'typebox';
import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckContext } from './check.js';
import { diskCheck } from './disk.js';

const SIZE = 20 * 1024 * 1024;
let dir: string;

function ctx(): CheckContext {
  return { now: Date.now, signal: new AbortController().signal, timeoutMs: 10_000, platform: 'linux' };
}

/** The check's options with the schema's defaults, as the config loader would give them. */
function options(overrides: Record<string, unknown> = {}) {
  return Value.Default(Type.Object(diskCheck.options), overrides) as Parameters<typeof diskCheck.run>[0];
}

/** Makes the tmpfs `percent` % used (a tmpfs has no reserve, so used + avail = its size). */
function fillTo(percent: number) {
  writeFileSync(join(dir, 'fill'), Buffer.alloc(Math.round((SIZE * percent) / 100)));
}

beforeAll(() => {
  dir = mkdtempSync(join(os.tmpdir(), 'vitals-disk-'));
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=20m', 'tmpfs', dir]);
});

afterAll(() => {
  execFileSync('umount', [dir]);
  rmSync(dir, { recursive: true });
});

describe('disk check on a real tmpfs', () => {
  it('reports a named tmpfs at 97 % used as CRITICAL with a plain-language message', async () => {
    fillTo(97);
    const [result, ...rest] = await diskCheck.run(options({ mounts: [dir] }), ctx());
    expect(rest).toEqual([]);
    expect(result?.target).toBe(dir);
    expect(result?.status).toBe('CRITICAL');
    expect(result?.message).toMatch(
      new RegExp(`^Disk ${dir} has \\d\\.\\d % free \\(\\d+ KB of 21\\.0 MB\\) — critically low$`),
    );
    expect(result?.values.free_percent?.value).toBeLessThan(5);
    expect(result?.values.size_bytes).toEqual({ value: SIZE, unit: 'bytes' });
    expect(Object.keys(result?.values ?? {})[0]).toBe('free_percent');
  });

  it('reports 86 % used as WARNING "getting low"', async () => {
    fillTo(86);
    const [result] = await diskCheck.run(options({ mounts: [dir] }), ctx());
    expect(result?.status).toBe('WARNING');
    expect(result?.message).toMatch(/— getting low$/);
  });

  it('reports a nearly empty tmpfs as OK "fine", with its inodes', async () => {
    fillTo(1);
    const [result] = await diskCheck.run(options({ mounts: [dir] }), ctx());
    expect(result?.status).toBe('OK');
    expect(result?.message).toMatch(/— fine$/);
    expect(result?.values.inodes_free_percent?.value).toBeGreaterThan(90);
  });

  it('applies a free-bytes threshold when set, but never on a volume under 10x its size', async () => {
    fillTo(91); // ~1.9 MB free of 20 MB: 9 % is a WARNING, the 2 MB floor (volume ≥ 20 MB) makes it CRITICAL
    const [low] = await diskCheck.run(options({ mounts: [dir], crit_free_bytes: '2MB' }), ctx());
    expect(low?.status).toBe('CRITICAL');
    fillTo(50); // 10 MB free: a 15 MB floor would mean "always nearly full" on a 20 MB volume
    const [half] = await diskCheck.run(options({ mounts: [dir], crit_free_bytes: '15MB' }), ctx());
    expect(half?.status).toBe('OK');
  });

  it('leaves an unnamed tmpfs out of the default run but still reports the root filesystem', async () => {
    fillTo(97);
    const results = await diskCheck.run(options(), ctx());
    expect(results.map((r) => r.target)).not.toContain(dir);
    expect(results.map((r) => r.target)).toContain('/');
    for (const r of results) expect(r.values.fstype?.value).not.toBe('tmpfs');
  });

  it('says UNKNOWN "not mounted" for a named mount that does not exist', async () => {
    const missing = join(dir, 'not-a-mount');
    const [result] = await diskCheck.run(options({ mounts: [missing] }), ctx());
    expect(result).toEqual({
      target: missing,
      status: 'UNKNOWN',
      values: {},
      message: `Disk ${missing} is not mounted`,
    });
  });

  it('is UNKNOWN with the reason, not a throw, when df cannot be run', async () => {
    const path = process.env.PATH;
    process.env.PATH = join(dir, 'no-such-bin'); // the child process inherits it: df is "not installed"
    try {
      const results = await diskCheck.run(options(), ctx());
      expect(results).toEqual([
        { target: '', status: 'UNKNOWN', values: {}, message: 'df is not installed (not found on PATH)' },
      ]);
    } finally {
      process.env.PATH = path;
    }
  });
});
