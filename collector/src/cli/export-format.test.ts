import { describe, expect, it } from 'vitest';
import type { StoredReport } from '../store/store.js';
import { CSV_HEADER, parseSince, toCsvLine, toJsonLine } from './export-format.js';

const r: StoredReport = {
  agent_id: 'ag_1',
  hostname: 'EMR-SRV01',
  seq: 7,
  boot_id: 'b1',
  ts: 1000,
  received_at: 2000,
  check: 'disk',
  kind: 'disk',
  target: 'C:\\',
  status: 'WARNING',
  values: { free_pct: { value: 9, unit: 'percent' } },
  message: 'Disk C:\\ has 9 % free, "low", check it',
  duration_ms: null,
};

describe('export format', () => {
  it('writes one JSON object per line with seq, boot id, ts and values', () => {
    expect(JSON.parse(toJsonLine(r))).toEqual(r);
  });

  it('quotes CSV cells that hold commas or quotes, with values as JSON', () => {
    expect(CSV_HEADER.split(',')).toContain('seq');
    const line = toCsvLine(r);
    expect(line.startsWith('ag_1,EMR-SRV01,7,b1,1000,2000,disk,disk,C:\\,WARNING,')).toBe(true);
    expect(line).toContain('"{""free_pct"":{""value"":9,""unit"":""percent""}}"');
    expect(line).toContain('"Disk C:\\ has 9 % free, ""low"", check it",');
  });

  it('reads --since as an ISO time, epoch ms or a duration ago', () => {
    expect(parseSince('2025-01-31T08:00:00Z', 0)).toBe(Date.UTC(2025, 0, 31, 8));
    expect(parseSince('1738310400000', 0)).toBe(1738310400000);
    expect(parseSince('24h', 100_000_000)).toBe(100_000_000 - 86_400_000);
    expect(() => parseSince('yesterday-ish', 0)).toThrow(/--since/);
  });
});
