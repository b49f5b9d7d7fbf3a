import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commMatches, parseProcStat } from './process-linux.js';
import { getProcessScript, parseGetProcessJson, parsePsOutput } from './process-listings.js';
import { baselineOf, cpuPercentReported, cpuPercentSince } from './process-sample.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures/process', name), 'utf8');
const statLines = fixture('proc-stat-lines.txt').trim().split('\n');

describe('/proc/<pid>/stat parsing', () => {
  it('reads pid, comm, state, CPU ticks, start time and resident pages', () => {
    expect(parseProcStat(statLines[0] as string)).toEqual({
      pid: 812,
      comm: 'postgres',
      state: 'S',
      ticks: 1523 + 877,
      startTime: 2342,
      rssPages: 7351,
    });
  });

  it('keeps spaces and a closing parenthesis inside comm', () => {
    expect(parseProcStat(statLines[1] as string)?.comm).toBe('tmux: server');
    const weird = parseProcStat(statLines[2] as string);
    expect(weird).toMatchObject({ pid: 4410, comm: 'weird) name', state: 'R', ticks: 10 });
  });

  it('reports the state letter of a zombie so it can be left out', () => {
    expect(parseProcStat(statLines[4] as string)?.state).toBe('Z');
  });

  it('rejects truncated, empty and non-numeric lines', () => {
    expect(parseProcStat('')).toBeUndefined();
    expect(parseProcStat('812 (postgres) S 1 812')).toBeUndefined();
    expect(parseProcStat('abc (x) S 1 1 1 0 -1 0 0 0 0 0 1 1 0 0 20 0 1 0 5 0 9 0')).toBeUndefined();
    expect(parseProcStat('no parentheses at all')).toBeUndefined();
  });
});

describe('matching comm against a configured name', () => {
  it('matches short names exactly, case and all', () => {
    expect(commMatches('postgres', 'postgres')).toBe(true);
    expect(commMatches('postgres', 'Postgres')).toBe(false);
    expect(commMatches('postgres', 'postgres2')).toBe(false);
  });

  it('matches a name longer than 15 characters through its truncated comm when the executable confirms it', () => {
    expect(commMatches('dentrix-sync-ag', 'dentrix-sync-agent', ['dentrix-sync-agent'])).toBe(true);
    expect(commMatches('dentrix-sync-ag', 'dentrix-sync-agent', ['dentrix-sync-agent-old'])).toBe(false);
  });

  it('does not let a 15-character name match a longer executable that shares its first 15 characters', () => {
    expect(commMatches('dentrix-sync-ag', 'dentrix-sync-ag', ['dentrix-sync-agent'])).toBe(false);
  });

  it('falls back to the exact comm when the full executable name cannot be read', () => {
    expect(commMatches('dentrix-sync-ag', 'dentrix-sync-ag', [])).toBe(true);
    expect(commMatches('dentrix-sync-ag', 'dentrix-sync-agent', [])).toBe(false);
  });
});

describe('Get-Process JSON parsing', () => {
  it('groups processes under their configured name, case-insensitively and with or without .exe', () => {
    const found = parseGetProcessJson(fixture('get-process-ps51.json'), ['sqlservr.exe', 'dentrixserver', 'EmrSync']);
    expect(found.get('sqlservr.exe')).toEqual([
      { pid: 4312, key: '4312', cpuSeconds: 1843.578125, rssBytes: 2147483648 },
    ]);
    expect(found.get('dentrixserver')?.map((s) => s.pid)).toEqual([5120, 5188]);
    expect(found.get('EmrSync')).toEqual([]);
  });

  it('counts a process whose CPU time Windows would not give, without inventing one', () => {
    const [defender] = parseGetProcessJson(fixture('get-process-ps51.json'), ['MsMpEng']).get('MsMpEng') ?? [];
    expect(defender).toEqual({ pid: 3312, key: '3312', rssBytes: 210956288 });
  });

  it('reads a single object and empty output', () => {
    expect(parseGetProcessJson(fixture('get-process-single.json'), ['sqlservr']).get('sqlservr')).toHaveLength(1);
    expect(parseGetProcessJson('', ['sqlservr']).get('sqlservr')).toEqual([]);
  });

  it('throws with the text when the output is not JSON, and skips rows without a name or id', () => {
    expect(() => parseGetProcessJson('Get-Process : Access is denied', ['x'])).toThrow(/did not return JSON/);
    expect(parseGetProcessJson('[{"Id":1},{"Name":"x"},7,null]', ['x']).get('x')).toEqual([]);
  });

  it('strips .exe and quotes names in the script', () => {
    expect(getProcessScript(['sqlservr.exe', 'Dentrix Server'])).toMatch(
      /^Get-Process -Name 'sqlservr','Dentrix Server' -ErrorAction SilentlyContinue \| /,
    );
  });
});

describe('macOS ps parsing', () => {
  it('matches the base name of the executable path, case-insensitively, with spaces in paths', () => {
    const found = parsePsOutput(fixture('ps-macos.txt'), ['emr-sync', 'Google Chrome', 'logd']);
    expect(found.get('emr-sync')?.map((s) => s.pid)).toEqual([498, 502, 7001]);
    expect(found.get('Google Chrome')).toEqual([
      { pid: 4410, key: '4410', rssBytes: 182736 * 1024, cpuPercentPerCore: 3.2 },
    ]);
    expect(found.get('logd')?.[0]).toMatchObject({ pid: 312, rssBytes: 8832 * 1024, cpuPercentPerCore: 0.1 });
  });

  it('ignores malformed lines and finds nothing in empty output', () => {
    expect(parsePsOutput('garbage\n  12 x 0.0 /bin/foo\n', ['foo']).get('foo')).toEqual([]);
    expect(parsePsOutput('', ['foo']).get('foo')).toEqual([]);
  });
});

describe('CPU between samples', () => {
  it('adds the CPU each process used since the baseline, counting new processes whole, as % of all cores', () => {
    const baseline = baselineOf([{ pid: 1, key: '1:100', cpuSeconds: 1 }], 0);
    const now = [
      { pid: 1, key: '1:100', cpuSeconds: 2 },
      { pid: 2, key: '2:900', cpuSeconds: 0.5 },
    ];
    expect(cpuPercentSince(baseline, now, 10_000, 2)).toBeCloseTo(7.5);
  });

  it('treats a reused pid with another start time as a new process', () => {
    const baseline = baselineOf([{ pid: 1, key: '1:100', cpuSeconds: 50 }], 0);
    expect(cpuPercentSince(baseline, [{ pid: 1, key: '1:777', cpuSeconds: 1 }], 10_000, 1)).toBeCloseTo(10);
  });

  it('says nothing when no time passed or no process had a CPU time', () => {
    const baseline = baselineOf([], 5000);
    expect(cpuPercentSince(baseline, [{ pid: 1, key: '1', cpuSeconds: 1 }], 5000, 4)).toBeUndefined();
    expect(cpuPercentSince(baseline, [{ pid: 1, key: '1' }], 9000, 4)).toBeUndefined();
  });

  it("turns macOS ps's per-core percentages into % of the whole machine", () => {
    expect(cpuPercentReported([{ pid: 1, key: '1', cpuPercentPerCore: 150 }], 4)).toBeCloseTo(37.5);
    expect(cpuPercentReported([{ pid: 1, key: '1' }], 4)).toBeUndefined();
  });
});
