import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { CLK_TCK, ownFileMappings, parseStat, processTree, sample, summary } from './tool-footprint.mjs';

describe('/proc/PID/stat', () => {
  it('counts fields from the last parenthesis, so a command name with spaces and ")" is harmless', () => {
    const text = '4242 (evil ) name) S 1 4242 4242 0 -1 4194560 500 0 0 0 120 30 7 3 20 0 9 0 100 0 0';
    expect(parseStat(text)).toMatchObject({
      pid: 4242,
      comm: 'evil ) name',
      state: 'S',
      ppid: 1,
      pgrp: 4242,
      utime: 120,
      stime: 30,
      cutime: 7,
      cstime: 3,
      threads: 9,
    });
  });
});

describe('own-file mappings in smaps', () => {
  const smaps = [
    '00400000-00600000 r-xp 00000000 08:01 123 /usr/bin/node',
    'Rss:                1000 kB',
    'Pss:                 100 kB',
    '00800000-00900000 r--p 00200000 08:01 123 /usr/bin/node',
    'Rss:                 200 kB',
    'Pss:                  20 kB',
    '7f000000-7f100000 r-xp 00000000 08:01 77 /usr/lib/x86_64-linux-gnu/libc.so.6',
    'Rss:                 900 kB',
    'Pss:                  30 kB',
    '7f200000-7f300000 rw-p 00000000 00:00 0 ',
    'Rss:                5000 kB',
    'Pss:                5000 kB',
    '7f400000-7f500000 r-xp 00000000 08:01 99 /opt/app/better_sqlite3.node (deleted)',
    'Rss:                  50 kB',
    'Pss:                  25 kB',
  ].join('\n');

  it('sums each own file over its mappings and leaves system libraries and anonymous memory out', () => {
    const files = ownFileMappings(smaps);
    expect([...files.keys()]).toEqual(['/usr/bin/node', '/opt/app/better_sqlite3.node']);
    expect(files.get('/usr/bin/node')).toEqual({ rss: 1200 * 1024, pss: 120 * 1024 });
    expect(files.get('/opt/app/better_sqlite3.node')).toEqual({ rss: 50 * 1024, pss: 25 * 1024 });
  });
});

describe('a running tool read from /proc', () => {
  const groups: number[] = [];
  afterEach(() => {
    for (const pgid of groups.splice(0)) {
      try {
        process.kill(-pgid, 'SIGKILL');
      } catch {}
    }
  });

  function startGroup(script: string): number {
    const child = spawn('sh', ['-c', script], { detached: true, stdio: 'ignore' });
    groups.push(child.pid as number);
    return child.pid as number;
  }

  async function until<T>(fn: () => T | undefined): Promise<T> {
    for (let i = 0; i < 200; i++) {
      const v = fn();
      if (v !== undefined) return v;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('condition never held');
  }

  it('finds the leader and its children, also one that left the process group', async () => {
    const leader = startGroup('sleep 30 & setsid sleep 31 & wait');
    const tree = await until(() => {
      const t = processTree(leader);
      // Until setsid has exec'd sleep, the third process is still named setsid.
      return t.length === 3 && !t.some((s) => s.comm === 'setsid') ? t : undefined;
    });
    expect(tree.map((s) => s.comm).sort()).toEqual(['sh', 'sleep', 'sleep']);
    expect(tree.some((s) => s.pgrp !== leader)).toBe(true);
  });

  it('keeps the CPU time of a child that has exited, through the parent’s cutime', async () => {
    // Burns 300 ms of CPU time (not wall time), so a busy machine cannot make it burn less.
    const burn = `${process.execPath} -e "while (process.cpuUsage().user < 300000);"`;
    const leader = startGroup(`${burn}; sleep 30`);
    const s = await until(() => {
      const x = sample(leader);
      return processTree(leader).some((p) => p.comm === 'sleep') ? x : undefined;
    });
    expect(s.processes).toBe(2);
    expect(s.ticks / CLK_TCK).toBeGreaterThanOrEqual(0.29);
  });

  it('reports memory in bytes with PSS ≤ PSS alone ≤ RSS', async () => {
    const leader = startGroup('sleep 30');
    const s = await until(() => {
      const x = sample(leader);
      return x.rss > 0 ? x : undefined;
    });
    expect(s.pss).toBeGreaterThan(0);
    expect(s.pss).toBeLessThanOrEqual(s.pssAlone);
    expect(s.pssAlone).toBeLessThanOrEqual(s.rss);
    expect(s.anon).toBeLessThanOrEqual(s.rss);
  });
});

describe('summary', () => {
  it('gives the average, the maximum and the last value', () => {
    expect(summary([10, 30, 20])).toEqual({ avg: 20, max: 30, end: 20 });
  });
});
