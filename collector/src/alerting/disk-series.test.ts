import { describe, expect, it } from 'vitest';
import { DiskSeries } from './disk-series.js';

const MIN = 60_000;
const HOUR = 3_600_000;
const T0 = Date.UTC(2025, 0, 6, 0, 0);

describe('DiskSeries', () => {
  it('keeps the points of each disk of each agent apart, oldest first', () => {
    const s = new DiskSeries();
    s.add('ag_1', 'C:', T0, 100);
    s.add('ag_1', 'C:', T0 + MIN, 90);
    s.add('ag_1', 'D:', T0, 5);
    s.add('ag_2', 'C:', T0, 7);
    expect(s.get('ag_1', 'C:')).toEqual([
      { ts: T0, value: 100 },
      { ts: T0 + MIN, value: 90 },
    ]);
    expect(s.get('ag_1', 'D:')).toEqual([{ ts: T0, value: 5 }]);
    expect(s.get('ag_2', 'C:')).toEqual([{ ts: T0, value: 7 }]);
    expect(s.get('ag_3', 'C:')).toEqual([]);
  });

  it('keeps one point per minute, the latest of it', () => {
    const s = new DiskSeries();
    s.add('a', '/', T0 + 1_000, 1);
    s.add('a', '/', T0 + 30_000, 2);
    s.add('a', '/', T0 + 59_999, 3);
    s.add('a', '/', T0 + MIN, 4);
    expect(s.get('a', '/')).toEqual([
      { ts: T0 + 59_999, value: 3 },
      { ts: T0 + MIN, value: 4 },
    ]);
  });

  it('drops points older than the keep time, relative to the newest point', () => {
    const s = new DiskSeries({ keepMs: 2 * HOUR });
    for (let m = 0; m <= 180; m++) s.add('a', '/', T0 + m * MIN, m);
    const points = s.get('a', '/');
    expect(points).toHaveLength(121);
    expect(points[0]).toEqual({ ts: T0 + 60 * MIN, value: 60 });
    expect(points.at(-1)).toEqual({ ts: T0 + 180 * MIN, value: 180 });
    expect(s.size()).toBe(121);
  });

  it('puts a late point in its place, and keeps the later of two in one slot', () => {
    const s = new DiskSeries();
    s.add('a', '/', T0, 1);
    s.add('a', '/', T0 + 2 * MIN, 3);
    s.add('a', '/', T0 + MIN, 2);
    s.add('a', '/', T0 + 10, 0.5);
    s.add('a', '/', T0 + 2 * MIN - 5, 99);
    s.add('a', '/', T0 + MIN + 5, 7);
    expect(s.get('a', '/')).toEqual([
      { ts: T0 + 10, value: 0.5 },
      { ts: T0 + 2 * MIN - 5, value: 99 },
      { ts: T0 + 2 * MIN, value: 3 },
    ]);
  });

  it('returns only the points from a given time', () => {
    const s = new DiskSeries();
    for (let m = 0; m < 10; m++) s.add('a', '/', T0 + m * MIN, m);
    expect(s.get('a', '/', T0 + 7 * MIN).map((p) => p.value)).toEqual([7, 8, 9]);
  });

  it('loads stored history in bulk, merged with live points and trimmed', () => {
    const s = new DiskSeries({ keepMs: HOUR });
    s.add('a', '/', T0 + 90 * MIN, 90);
    const history = Array.from({ length: 90 }, (_, m) => ({ ts: T0 + m * MIN, value: m })).reverse();
    s.load('a', '/', history);
    const points = s.get('a', '/');
    expect(points).toHaveLength(61);
    expect(points[0]).toEqual({ ts: T0 + 30 * MIN, value: 30 });
    expect(points.at(-1)).toEqual({ ts: T0 + 90 * MIN, value: 90 });
  });

  it('knows a disk once loaded, even with no history', () => {
    const s = new DiskSeries();
    expect(s.has('a', '/')).toBe(false);
    s.load('a', '/', []);
    expect(s.has('a', '/')).toBe(true);
    expect(s.has('a', '/data')).toBe(false);
  });

  it('forgets every disk of an agent', () => {
    const s = new DiskSeries();
    s.add('a', '/', T0, 1);
    s.add('a', '/data', T0, 1);
    s.add('b', '/', T0, 1);
    s.forget('a');
    expect(s.has('a', '/')).toBe(false);
    expect(s.get('a', '/data')).toEqual([]);
    expect(s.get('b', '/')).toEqual([{ ts: T0, value: 1 }]);
  });

  it('ignores points that are not numbers and refuses a zero resolution', () => {
    const s = new DiskSeries();
    s.add('a', '/', T0, Number.NaN);
    s.add('a', '/', Number.POSITIVE_INFINITY, 1);
    expect(s.get('a', '/')).toEqual([]);
    expect(() => new DiskSeries({ resolutionMs: 0 })).toThrow(/resolutionMs must be > 0/);
  });

  it('holds 25 h of minute points of a disk in about 1,500 entries', () => {
    const s = new DiskSeries();
    for (let m = 0; m < 48 * 60; m++) s.add('a', '/', T0 + m * MIN + 500, 1e11 - m);
    expect(s.size()).toBe(25 * 60 + 1);
  });
});
