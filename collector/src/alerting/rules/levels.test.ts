import { describe, expect, it } from 'vitest';
import { bandAbove, bandBelow, combineLevels } from './levels.js';

describe('hysteresis bands', () => {
  it('above: fires past the threshold, holds a firing alert down to the recovery value', () => {
    expect(bandAbove(91, 90, 80, false)).toBe('beyond');
    expect(bandAbove(85, 90, 80, false)).toBe('ok');
    expect(bandAbove(85, 90, 80, true)).toBe('hold');
    expect(bandAbove(80, 90, 80, true)).toBe('hold');
    expect(bandAbove(79.9, 90, 80, true)).toBe('ok');
  });

  it('below: fires under the threshold, holds a firing alert up to the recovery value', () => {
    expect(bandBelow(9, 10, 15, false)).toBe('beyond');
    expect(bandBelow(12, 10, 15, false)).toBe('ok');
    expect(bandBelow(12, 10, 15, true)).toBe('hold');
    expect(bandBelow(15.1, 10, 15, true)).toBe('ok');
  });
});

describe('combining findings', () => {
  it('takes the worst definite finding', () => {
    expect(combineLevels(['ok', 'warning', 'critical'], undefined)).toBe('critical');
    expect(combineLevels(['ok', 'ok'], 'warning')).toBe('ok');
    expect(combineLevels([], undefined)).toBe('ok');
  });

  it('holds when an unjudgeable finding may be what keeps the alert at its firing severity', () => {
    expect(combineLevels(['hold', 'warning'], 'critical')).toBe('hold');
    expect(combineLevels(['hold', 'ok'], 'warning')).toBe('hold');
    expect(combineLevels(['hold', 'ok'], undefined)).toBe('hold');
  });

  it('a definite finding at least as bad as the firing severity wins over a hold', () => {
    expect(combineLevels(['hold', 'critical'], 'warning')).toBe('critical');
    expect(combineLevels(['hold', 'warning'], 'warning')).toBe('warning');
    expect(combineLevels(['hold', 'warning'], undefined)).toBe('warning');
  });
});
