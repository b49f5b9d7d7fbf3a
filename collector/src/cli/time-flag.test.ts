import { describe, expect, it } from 'vitest';
import { parseTime, parseUntil } from './time-flag.js';

describe('parseTime', () => {
  it('reads ISO times with a zone, zone-less times and bare dates as UTC, and epoch milliseconds', () => {
    const t = Date.UTC(2026, 0, 31, 18);
    expect(parseTime('2026-01-31T18:00:00Z')).toBe(t);
    expect(parseTime('2026-01-31T19:00+01:00')).toBe(t);
    expect(parseTime('2026-01-31 18:00')).toBe(t);
    expect(parseTime('2026-01-31T18:00:00.000')).toBe(t);
    expect(parseTime('2026-01-31')).toBe(Date.UTC(2026, 0, 31));
    expect(parseTime(` ${t} `)).toBe(t);
    expect(parseTime('tomorrow')).toBeUndefined();
  });
});

describe('parseUntil', () => {
  it('names the flag and the bad value', () => {
    expect(() => parseUntil('soon')).toThrow('--until must be an ISO time (2026-01-31T18:00Z) or epoch ms, got "soon"');
  });
});
