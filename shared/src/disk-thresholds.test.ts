import { describe, expect, it } from 'vitest';
import { DEFAULT_DISK_LEVELS, diskSpaceStatus } from './disk-thresholds.js';

describe('diskSpaceStatus (the one disk verdict of agent and collector)', () => {
  it('judges by percent with the defaults, whatever the size', () => {
    expect(diskSpaceStatus(50, 60e6, 120e6)).toBe('OK');
    expect(diskSpaceStatus(16, 3.2e12, 20e12)).toBe('OK');
    expect(diskSpaceStatus(14, 2.8e12, 20e12)).toBe('WARNING');
    expect(diskSpaceStatus(4.9, 0.98e12, 20e12)).toBe('CRITICAL');
  });

  it('a byte floor counts only on a volume at least 10x its size', () => {
    const levels = { ...DEFAULT_DISK_LEVELS, critical: { freePercent: 5, freeBytes: 2e9 } };
    expect(diskSpaceStatus(50, 60e6, 120e6, levels)).toBe('OK');
    expect(diskSpaceStatus(9, 1.8e9, 20e9, levels)).toBe('CRITICAL');
    expect(diskSpaceStatus(9, 1.8e9, 19e9, levels)).toBe('WARNING');
  });
});
