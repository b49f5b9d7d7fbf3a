import { describe, expect, it } from 'vitest';
import { parseMatcher } from '../alerting/silence.js';
import { silenceRecord } from '../fixtures/alerts.js';
import { T0 } from '../fixtures/reports.js';
import { formatMatcher, silenceStatus } from './silence-command.js';

describe('silenceStatus', () => {
  it('is scheduled before the start, active until the end, then ended, or expired when ended early', () => {
    const s = silenceRecord({ starts_at: T0, ends_at: T0 + 100 });
    expect(silenceStatus(s, T0 - 1)).toBe('scheduled');
    expect(silenceStatus(s, T0)).toBe('active');
    expect(silenceStatus(s, T0 + 100)).toBe('ended');
    expect(silenceStatus({ ...s, expired_at: T0 + 10 }, T0 + 10)).toBe('expired');
    expect(silenceStatus({ ...s, expired_at: T0 + 10 }, T0 + 500)).toBe('expired');
  });
});

describe('formatMatcher', () => {
  it('writes a matcher so that parseMatcher reads it back the same', () => {
    for (const text of ['host=EMR-SRV01', 'rule=~disk_.*', 'target!="C:\\\\Program Files"', 'site="Main St, 2nd"']) {
      const m = parseMatcher(text);
      expect(parseMatcher(formatMatcher(m))).toEqual(m);
    }
    expect(formatMatcher({ label: 'site', op: '!~', value: 'Main St' })).toBe('site!~"Main St"');
  });
});
