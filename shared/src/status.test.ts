// The status vocabulary: which status is worst, and the Nagios exit codes both ways.
import { describe, expect, it } from 'vitest';
import { compareStatus, EXIT_CODE, isStatus, STATUSES, statusFromExitCode, worstStatus } from './status.js';

describe('worstStatus', () => {
  it('ranks CRITICAL over UNKNOWN over WARNING over OK', () => {
    expect(worstStatus(['OK', 'WARNING'])).toBe('WARNING');
    expect(worstStatus(['WARNING', 'UNKNOWN', 'OK'])).toBe('UNKNOWN');
    expect(worstStatus(['UNKNOWN', 'CRITICAL', 'WARNING'])).toBe('CRITICAL');
    expect(worstStatus(['CRITICAL', 'UNKNOWN'])).toBe('CRITICAL');
  });

  it('is OK for no statuses at all', () => {
    expect(worstStatus([])).toBe('OK');
  });

  it('takes any iterable', () => {
    expect(worstStatus(new Set(['OK', 'WARNING'] as const))).toBe('WARNING');
  });
});

describe('compareStatus', () => {
  it('orders statuses by severity for sorting', () => {
    const sorted = [...STATUSES].sort(compareStatus);
    expect(sorted).toEqual(['OK', 'WARNING', 'UNKNOWN', 'CRITICAL']);
    expect(compareStatus('OK', 'OK')).toBe(0);
  });
});

describe('exit codes', () => {
  it('follows the Nagios plugin convention', () => {
    expect(EXIT_CODE).toEqual({ OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 });
  });

  it('maps exit codes back to statuses, anything unexpected being UNKNOWN', () => {
    expect(statusFromExitCode(0)).toBe('OK');
    expect(statusFromExitCode(1)).toBe('WARNING');
    expect(statusFromExitCode(2)).toBe('CRITICAL');
    expect(statusFromExitCode(3)).toBe('UNKNOWN');
    expect(statusFromExitCode(127)).toBe('UNKNOWN');
    expect(statusFromExitCode(-1)).toBe('UNKNOWN');
    expect(statusFromExitCode(null)).toBe('UNKNOWN');
  });

  it('round-trips every status through its exit code', () => {
    for (const s of STATUSES) expect(statusFromExitCode(EXIT_CODE[s])).toBe(s);
  });
});

describe('isStatus', () => {
  it('accepts exactly the four statuses', () => {
    for (const s of STATUSES) expect(isStatus(s)).toBe(true);
    for (const v of ['ok', 'CRIT', '', 0, null, undefined]) expect(isStatus(v)).toBe(false);
  });
});
