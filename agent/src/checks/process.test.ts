import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { chmodSync, copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { CheckContext } from './check.js';
import { judgeProcess, processCheck } from './process.js';
import { readLinuxProcesses } from './process-linux.js';

const ctx: CheckContext = { now: Date.now, signal: new AbortController().signal, timeoutMs: 20_000, platform: 'linux' };
const dir = mkdtempSync(join(tmpdir(), 'vitals-process-'));
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** A copy of /bin/sleep under a unique name longer than the kernel's 15-character comm. */
function startSleeper(name: string): ChildProcess {
  const exe = join(dir, name);
  copyFileSync('/bin/sleep', exe);
  chmodSync(exe, 0o755);
  const child = spawn(exe, ['1000'], { stdio: 'ignore' });
  children.push(child);
  return child;
}

describe('process check on this machine', () => {
  it('finds a running process by its full name past the comm limit, then reports it gone once killed', async () => {
    const name = `vitals-proc-${randomBytes(4).toString('hex')}`;
    expect(name.length).toBeGreaterThan(15);
    const child = startSleeper(name);
    await once(child, 'spawn');
    const options = { processes: [name, name.slice(0, 15)], min_count: 1, sample: 0.2 };

    const [full, truncated] = await processCheck.run(options, ctx);
    expect(full?.status).toBe('OK');
    expect(full?.values.count).toEqual({ value: 1, unit: 'count' });
    expect(full?.values.rss_bytes?.value).toBeGreaterThan(0);
    expect(full?.values.cpu_percent?.value).toBeGreaterThanOrEqual(0);
    expect(full?.message).toMatch(
      new RegExp(`^Process ${name} is running \\(1 process, .* CPU of the whole machine, .* memory\\)$`),
    );
    // The 15-character comm alone is not this process's name.
    expect(truncated).toMatchObject({ status: 'CRITICAL', values: { count: { value: 0 } } });

    child.kill('SIGKILL');
    await once(child, 'exit');
    const [gone] = await processCheck.run({ ...options, processes: [name] }, ctx);
    expect(gone).toMatchObject({
      status: 'CRITICAL',
      values: { count: { value: 0, unit: 'count' } },
      message: `Process ${name} is not running (0 of at least 1)`,
    });
  });

  it('measures CPU against the previous run instead of sampling again', async () => {
    const name = `vitals-proc-${randomBytes(4).toString('hex')}`;
    const child = startSleeper(name);
    await once(child, 'spawn');
    await processCheck.run({ processes: [name], min_count: 1, sample: 0.2 }, ctx);
    const started = performance.now();
    const [second] = await processCheck.run({ processes: [name], min_count: 1, sample: 5 }, ctx);
    expect(performance.now() - started).toBeLessThan(2000);
    expect(second?.values.cpu_percent?.value).toBeGreaterThanOrEqual(0);
  });

  it('warns when more copies run than max_count allows', async () => {
    const name = `vitals-proc-${randomBytes(4).toString('hex')}`;
    const a = startSleeper(name);
    const b = spawn(join(dir, name), ['1000'], { stdio: 'ignore' });
    children.push(b);
    await Promise.all([once(a, 'spawn'), once(b, 'spawn')]);
    const [o] = await processCheck.run({ processes: [name], min_count: 1, max_count: 1, sample: 0 }, ctx);
    expect(o?.status).toBe('WARNING');
    expect(o?.message).toMatch(
      new RegExp(`^Process ${name} has 2 running \\(more than the 1 expected\\): 2 processes, `),
    );
    // sample: 0 leaves CPU out of a first run rather than guess it.
    expect(o?.values.cpu_percent).toBeUndefined();
  });
});

describe('reading a /proc tree', () => {
  const proc = join(dir, 'proc');
  const stat = (pid: number, comm: string, state = 'S') =>
    `${pid} (${comm}) ${state} 1 ${pid} ${pid} 0 -1 4194560 0 0 0 0 250 50 0 0 20 0 1 0 4242 1000 300 0 0 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0 0 0\n`;
  const addProcess = (
    pid: number,
    comm: string,
    opts: { state?: string; exe?: string; argv?: string[]; rssKb?: number } = {},
  ) => {
    const p = join(proc, String(pid));
    mkdirSync(p, { recursive: true });
    writeFileSync(join(p, 'stat'), stat(pid, comm, opts.state));
    writeFileSync(join(p, 'cmdline'), opts.argv ? `${opts.argv.join('\0')}\0` : '');
    if (opts.rssKb !== undefined) writeFileSync(join(p, 'status'), `Name:\t${comm}\nVmRSS:\t  ${opts.rssKb} kB\n`);
    if (opts.exe) symlinkSync(opts.exe, join(p, 'exe'));
  };
  addProcess(100, 'emr-sync', { rssKb: 2048, argv: ['/opt/emr/emr-sync'] });
  addProcess(101, 'emr-sync', { state: 'Z' });
  addProcess(102, 'dentrix-sync-ag', { exe: '/opt/dentrix/dentrix-sync-agent (deleted)' });
  addProcess(103, 'dentrix-sync-ag', { argv: ['/usr/bin/python3', '/opt/dentrix/dentrix-sync-agent-old'] });
  addProcess(104, 'pacs-uploader-s', { argv: ['/usr/bin/python3', '/opt/pacs/pacs-uploader-service.py'] });
  mkdirSync(join(proc, 'self'), { recursive: true });

  it('counts live processes only, reads VmRSS in kB, and CPU ticks at 100 per second', async () => {
    const found = await readLinuxProcesses(['emr-sync'], proc);
    expect(found.get('emr-sync')).toEqual([{ pid: 100, key: '100:4242', cpuSeconds: 3, rssBytes: 2048 * 1024 }]);
  });

  it('confirms a truncated comm through the exe link or a script path in argv, and rejects near misses', async () => {
    const found = await readLinuxProcesses(['dentrix-sync-agent', 'pacs-uploader-service.py', 'dentrix-sync-ag'], proc);
    expect(found.get('dentrix-sync-agent')?.map((s) => s.pid)).toEqual([102]);
    expect(found.get('pacs-uploader-service.py')?.map((s) => s.pid)).toEqual([104]);
    expect(found.get('dentrix-sync-ag')).toEqual([]);
  });

  it('falls back to pages of 4 KiB when status cannot be read', async () => {
    const found = await readLinuxProcesses(['dentrix-sync-agent'], proc);
    expect(found.get('dentrix-sync-agent')?.[0]?.rssBytes).toBe(300 * 4096);
  });
});

describe('judging a process count', () => {
  const base = { samples: [], cpuPercent: undefined, minCount: 1, maxCount: undefined };

  it('is OK with nothing running when none is required', () => {
    expect(judgeProcess({ ...base, name: 'x', minCount: 0 })).toMatchObject({
      status: 'OK',
      message: 'Process x is not running (none required)',
    });
  });

  it('is CRITICAL with fewer than min_count and says how many run', () => {
    const o = judgeProcess({ ...base, name: 'w', minCount: 3, samples: [{ pid: 1, key: '1', rssBytes: 5_000_000 }] });
    expect(o).toMatchObject({
      status: 'CRITICAL',
      message: 'Process w has only 1 running (of at least 3): 1 process, 5.0 MB memory',
    });
  });
});

describe('process options', () => {
  it('rejects max_count below min_count, naming the key', () => {
    expect(processCheck.validate?.({ processes: ['x'], min_count: 2, max_count: 1, sample: 1 })).toEqual([
      { path: 'max_count', message: 'must be at least min_count (2)' },
    ]);
    expect(processCheck.validate?.({ processes: ['x'], min_count: 1, max_count: 1, sample: 1 })).toEqual([]);
  });
});
