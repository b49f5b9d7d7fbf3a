// Durations and sizes as written in config files, and as `vitals check` prints them.
import { describe, expect, it } from 'vitest';
import {
  DURATION_PATTERN,
  formatBytes,
  formatDuration,
  formatPercent,
  parseDuration,
  parseSize,
  SIZE_PATTERN,
} from './units.js';

describe('parseDuration', () => {
  it('reads every unit into milliseconds', () => {
    expect(parseDuration('250ms')).toBe(250);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('6h')).toBe(21_600_000);
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration('2w')).toBe(1_209_600_000);
  });

  it('accepts fractions, spaces and upper case', () => {
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration(' 30 s ')).toBe(30_000);
    expect(parseDuration('2H')).toBe(7_200_000);
  });

  it('takes a bare number as seconds', () => {
    expect(parseDuration(45)).toBe(45_000);
    expect(parseDuration(0.5)).toBe(500);
  });

  it('gives 0 for zero durations, so callers can reject them', () => {
    expect(parseDuration('0s')).toBe(0);
    expect(parseDuration('0ms')).toBe(0);
  });

  it('refuses negative, unitless, unknown-unit and non-finite values', () => {
    for (const bad of ['-5s', '10', 's', '5 minutes', '5y', '', '1e3s', '5s5'])
      expect(parseDuration(bad)).toBeUndefined();
    expect(parseDuration(-1)).toBeUndefined();
    expect(parseDuration(Number.NaN)).toBeUndefined();
    expect(parseDuration(Number.POSITIVE_INFINITY)).toBeUndefined();
  });

  it('agrees with DURATION_PATTERN on what is a duration', () => {
    const pattern = new RegExp(DURATION_PATTERN);
    for (const text of ['90s', '1.5h', ' 30 s ', '7D', '-5s', '10', '5y', '']) {
      expect(pattern.test(text), text).toBe(parseDuration(text) !== undefined);
    }
  });
});

describe('parseSize', () => {
  it('reads decimal and binary units', () => {
    expect(parseSize('64MB')).toBe(64_000_000);
    expect(parseSize('10 GiB')).toBe(10 * 1024 ** 3);
    expect(parseSize('1kb')).toBe(1000);
    expect(parseSize('2 KiB')).toBe(2048);
    expect(parseSize('1TB')).toBe(1e12);
    expect(parseSize('1.5GB')).toBe(1_500_000_000);
  });

  it('takes a bare number, or a number of bytes written as B, as bytes', () => {
    expect(parseSize('512')).toBe(512);
    expect(parseSize('512B')).toBe(512);
    expect(parseSize(4096)).toBe(4096);
  });

  it('refuses negative and malformed sizes', () => {
    for (const bad of ['-1MB', 'lots', '10 XB', '', 'MB', '1,5GB']) expect(parseSize(bad)).toBeUndefined();
    expect(parseSize(-1)).toBeUndefined();
    expect(parseSize(Number.NaN)).toBeUndefined();
  });

  it('agrees with SIZE_PATTERN on what is a size', () => {
    const pattern = new RegExp(SIZE_PATTERN);
    for (const text of ['64MB', '10 GiB', '512', '-1MB', 'lots', '10 XB']) {
      expect(pattern.test(text), text).toBe(parseSize(text) !== undefined);
    }
  });
});

describe('formatBytes', () => {
  it('uses decimal units with one decimal below 100', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1000)).toBe('1.0 KB');
    expect(formatBytes(1_234_567)).toBe('1.2 MB');
    expect(formatBytes(45_600_000_000)).toBe('45.6 GB');
    expect(formatBytes(512_000_000_000)).toBe('512 GB');
  });

  it('moves to the next unit instead of printing "1000 KB" or "100.0 KB"', () => {
    expect(formatBytes(999_999)).toBe('1.0 MB');
    expect(formatBytes(999_400)).toBe('999 KB');
    expect(formatBytes(99_960)).toBe('100 KB');
  });

  it('keeps the sign and stops at the largest unit', () => {
    expect(formatBytes(-2500)).toBe('-2.5 KB');
    expect(formatBytes(2e18)).toBe('2000 PB');
    expect(formatBytes(Number.NaN)).toBe('NaN');
  });
});

describe('formatDuration', () => {
  it('shows the largest unit and the one below it', () => {
    expect(formatDuration(93)).toBe('1 min 33 s');
    expect(formatDuration(3600)).toBe('1 h');
    expect(formatDuration(100_000)).toBe('1 day 3 h');
    expect(formatDuration(3 * 86_400 + 7200)).toBe('3 days 2 h');
  });

  it('does not skip a unit: 1 day and 1 second is "1 day", not "1 day 1 s"', () => {
    expect(formatDuration(86_401)).toBe('1 day');
    expect(formatDuration(3601)).toBe('1 h');
    expect(formatDuration(3660)).toBe('1 h 1 min');
  });

  it('rounds to whole seconds and never goes below zero', () => {
    expect(formatDuration(0)).toBe('0 s');
    expect(formatDuration(0.4)).toBe('0 s');
    expect(formatDuration(59.6)).toBe('1 min');
    expect(formatDuration(-30)).toBe('0 s');
  });
});

describe('formatPercent', () => {
  it('keeps one decimal for small shares and rounds the rest', () => {
    expect(formatPercent(3.14)).toBe('3.1 %');
    expect(formatPercent(42.6)).toBe('43 %');
    expect(formatPercent(0)).toBe('0 %');
    expect(formatPercent(100)).toBe('100 %');
  });
});
