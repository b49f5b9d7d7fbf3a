import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { cpuCheck, cpuMessage, cpuWindow, judgeCpu, parseProcStat } from './cpu.js';

// /proc/stat as a 2-core Linux machine writes it (USER_HZ 100: 200 ticks per second in all).
function procStat(t: { user: number; system: number; idle: number; iowait: number; steal?: number }): string {
  const { user, system, idle, iowait, steal = 0 } = t;
  return [
    `cpu  ${user} 0 ${system} ${idle} ${iowait} 0 832 ${steal} 0 0`,
    `cpu0 ${user / 2} 0 ${system / 2} ${idle / 2} ${iowait / 2} 0 0 0 0 0`,
    `cpu1 ${user / 2} 0 ${system / 2} ${idle / 2} ${iowait / 2} 0 0 0 0 0`,
    'intr 123456 0 0',
    'ctxt 987654',
    'btime 1733616000',
    'processes 28282',
    'procs_running 1',
    'procs_blocked 0',
  ].join('\n');
}

/** One reading per second; `busy[i]` = busy share of second i, 0–1, on 2 cores at USER_HZ 100. */
function sequence(busy: number[]): string[] {
  const t = { user: 252_482, system: 30_112, idle: 848_212, iowait: 1_791 };
  const out = [procStat(t)];
  for (const b of busy) {
    const ticks = 200;
    const busyTicks = Math.round(ticks * b);
    // Roughly what a real machine shows: most busy time is user, a tenth is system.
    t.system += Math.round(busyTicks * 0.1);
    t.user += busyTicks - Math.round(busyTicks * 0.1);
    t.idle += ticks - busyTicks - 2;
    t.iowait += 2;
    out.push(procStat(t));
  }
  return out;
}

const read = (texts: string[]) => texts.map((s) => parseProcStat(s)!);

describe('cpu judging over a window', () => {
  it('reads the machine-wide line of /proc/stat, iowait as idle and steal as busy', () => {
    expect(parseProcStat('cpu  100 5 20 800 50 3 2 10 0 0\ncpu0 1 2 3 4')).toEqual({
      idle: 850,
      total: 990,
    });
    expect(parseProcStat('intr 1 2 3')).toBeUndefined();
  });

  it('does not call a one-second spike to 100 % followed by an idle machine critical, and says what it measured', () => {
    const window = cpuWindow(read(sequence([1, 0.11, 0.11, 0.11, 0.11])), 5)!;
    expect(window.peak).toBeGreaterThan(99);
    expect(window.used).toBeGreaterThan(25);
    expect(window.used).toBeLessThan(32);
    const status = judgeCpu(window, 90, 98);
    expect(status).toBe('OK');
    expect(cpuMessage(window, status, 2, 0.4)).toBe(
      'CPU 29 % of the whole machine (2 cores; average of 5 samples over 5 s, peak 100 %); load 0.4 per core — normal',
    );
  });

  it('gives WARNING at most when a few seconds are all at 100 %: they cannot tell a burst from a runaway', () => {
    const window = cpuWindow(read(sequence([1, 1, 1, 1, 1])), 5)!;
    expect(window.used).toBeGreaterThan(98);
    const status = judgeCpu(window, 90, 98);
    expect(status).toBe('WARNING');
    expect(cpuMessage(window, status, 2, 2.1)).toMatch(/— very busy for the 5 s measured$/);
  });

  it('is CRITICAL when a whole minute interval of `vitals run` averages above crit_percent', () => {
    const window = cpuWindow(
      read(sequence(Array(60).fill(1))).filter((_, i) => i === 0 || i === 60),
      60,
    )!;
    expect(window.samples).toBe(1);
    const status = judgeCpu(window, 90, 98);
    expect(status).toBe('CRITICAL');
    expect(cpuMessage(window, status, 2, 3)).toBe(
      'CPU 100 % of the whole machine (2 cores; average over the last 60 s); load 3 per core — critically busy',
    );
  });

  it('warns when the minute interval averages between warn and crit, and is OK on a spike inside it', () => {
    const busy = read(sequence(Array(60).fill(0.93)));
    expect(judgeCpu(cpuWindow([busy[0]!, busy[60]!], 60)!, 90, 98)).toBe('WARNING');
    const spike = read(sequence([1, 1, 1, ...Array(57).fill(0.1)]));
    expect(judgeCpu(cpuWindow([spike[0]!, spike[60]!], 60)!, 90, 98)).toBe('OK');
  });

  it('cannot measure when the counters did not advance', () => {
    const same = procStat({ user: 1, system: 1, idle: 1, iowait: 1 });
    expect(cpuWindow(read([same, same]), 1)).toBeUndefined();
  });
});

describe('the cpu check on this machine', () => {
  it('samples several times on a first run, then averages over the interval since the previous run', async () => {
    let now = Date.now();
    const ctx = { now: () => now, signal: new AbortController().signal, timeoutMs: 15_000, platform: process.platform };
    const options = { warn_percent: 90, crit_percent: 98, sample: 0.1, samples: 3 };
    const [first] = await cpuCheck.run(options, ctx);
    expect(first!.values.samples?.value).toBe(3);
    expect(first!.values.window_seconds).toEqual({ value: 0.3, unit: 'seconds' });
    expect(first!.message).toMatch(/average of 3 samples over 0.3 s, peak \d/);
    await sleep(100);
    now += 60_000;
    const [second] = await cpuCheck.run(options, ctx);
    expect(second!.values.samples?.value).toBe(1);
    expect(second!.values.window_seconds?.value).toBe(60);
    expect(second!.message).toMatch(/average over the last 60 s/);
  });
});
