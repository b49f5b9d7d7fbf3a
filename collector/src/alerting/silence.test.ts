import { describe, expect, it } from 'vitest';
import {
  createSilence,
  parseMatcher,
  type Silence,
  SilenceError,
  type SilenceLabels,
  silenceMatches,
} from './silence.js';

const T0 = Date.UTC(2025, 0, 6, 9, 0);
const HOUR = 3600_000;

const labels: SilenceLabels = {
  client: 'Northside',
  site: 'Main St',
  host: 'EMR-SRV01',
  rule: 'disk_space',
  target: 'C:',
  severity: 'critical',
};

function silence(matchers: string[], overrides: Partial<Silence> = {}): Silence {
  return {
    ...createSilence({ matchers, ends_at: T0 + HOUR, reason: 'disk swap', author: 'sam' }, 'si_1', T0),
    ...overrides,
  };
}

describe('parseMatcher', () => {
  it('reads label, operator and value', () => {
    expect(parseMatcher('host=EMR-SRV01')).toEqual({ label: 'host', op: '=', value: 'EMR-SRV01' });
    expect(parseMatcher(' severity != warning ')).toEqual({ label: 'severity', op: '!=', value: 'warning' });
    expect(parseMatcher('rule=~disk_.*')).toEqual({ label: 'rule', op: '=~', value: 'disk_.*' });
    expect(parseMatcher('target!~C:')).toEqual({ label: 'target', op: '!~', value: 'C:' });
  });

  it('takes a double-quoted value with spaces and escapes', () => {
    expect(parseMatcher('site="Main St"')).toEqual({ label: 'site', op: '=', value: 'Main St' });
    expect(parseMatcher('target="say \\"hi\\""')).toEqual({ label: 'target', op: '=', value: 'say "hi"' });
  });

  it('accepts an empty value, which matches site-level alerts by host', () => {
    expect(parseMatcher('host=')).toEqual({ label: 'host', op: '=', value: '' });
  });

  it('refuses text without an operator, naming the forms it accepts', () => {
    expect(() => parseMatcher('EMR-SRV01')).toThrow(SilenceError);
    expect(() => parseMatcher('EMR-SRV01')).toThrow(/not LABEL OP VALUE.*host=EMR-SRV01/);
  });

  it('refuses an unknown label and lists the known ones', () => {
    expect(() => parseMatcher('hostname=EMR-SRV01')).toThrow(
      'matcher "hostname=EMR-SRV01": unknown label "hostname"; labels are client, site, host, rule, target, severity',
    );
  });

  it('refuses an invalid regular expression and an unclosed quote', () => {
    expect(() => parseMatcher('rule=~disk_(')).toThrow(/invalid regular expression/);
    expect(() => parseMatcher('site="Main St')).toThrow(/quoted value is not closed/);
  });
});

describe('silenceMatches', () => {
  it('matches when every matcher matches, while the silence runs', () => {
    const s = silence(['host=EMR-SRV01', 'rule=~disk_.*']);
    expect(silenceMatches(s, labels, T0)).toBe(true);
    expect(silenceMatches(s, { ...labels, rule: 'backup' }, T0)).toBe(false);
    expect(silenceMatches(s, { ...labels, host: 'FRONT-DESK' }, T0)).toBe(false);
  });

  it('anchors regexes to the whole value, as Alertmanager does', () => {
    expect(silenceMatches(silence(['host=~EMR']), labels, T0)).toBe(false);
    expect(silenceMatches(silence(['host=~EMR.*']), labels, T0)).toBe(true);
    expect(silenceMatches(silence(['host=~SRV01|EMR-SRV01']), labels, T0)).toBe(true);
    expect(silenceMatches(silence(['host!~EMR.*']), labels, T0)).toBe(false);
  });

  it('negative matchers exclude', () => {
    expect(silenceMatches(silence(['client=Northside', 'severity!=critical']), labels, T0)).toBe(false);
    expect(silenceMatches(silence(['client=Northside', 'severity!=warning']), labels, T0)).toBe(true);
  });

  it('is active from its start up to, not including, its end', () => {
    const s = silence(['host=EMR-SRV01'], { starts_at: T0 + 10, ends_at: T0 + 20 });
    expect(silenceMatches(s, labels, T0 + 9)).toBe(false);
    expect(silenceMatches(s, labels, T0 + 10)).toBe(true);
    expect(silenceMatches(s, labels, T0 + 19)).toBe(true);
    expect(silenceMatches(s, labels, T0 + 20)).toBe(false);
  });

  it('stops matching once expired early', () => {
    const s = silence(['host=EMR-SRV01'], { expired_at: T0 + 5 });
    expect(silenceMatches(s, labels, T0 + 4)).toBe(true);
    expect(silenceMatches(s, labels, T0 + 5)).toBe(false);
  });
});

describe('createSilence', () => {
  it('builds the record, starting now by default', () => {
    expect(
      createSilence(
        { matchers: ['host=EMR-SRV01'], ends_at: T0 + HOUR, reason: ' disk swap ', author: 'sam' },
        'si_9',
        T0,
      ),
    ).toEqual({
      id: 'si_9',
      matchers: [{ label: 'host', op: '=', value: 'EMR-SRV01' }],
      starts_at: T0,
      ends_at: T0 + HOUR,
      reason: 'disk swap',
      author: 'sam',
      created_at: T0,
      expired_at: null,
    });
  });

  it('refuses an empty matcher list, which would mute every client', () => {
    expect(() => createSilence({ matchers: [], ends_at: T0 + HOUR, reason: 'x', author: 'sam' }, 'si_1', T0)).toThrow(
      /at least one matcher/,
    );
  });

  it('refuses an end before the start, an end in the past and an empty reason', () => {
    const base = { matchers: ['host=A'], reason: 'x', author: 'sam' };
    expect(() => createSilence({ ...base, starts_at: T0 + HOUR, ends_at: T0 + HOUR }, 'si_1', T0)).toThrow(
      /end after it starts/,
    );
    expect(() => createSilence({ ...base, starts_at: T0 - 2 * HOUR, ends_at: T0 - HOUR }, 'si_1', T0)).toThrow(
      /end in the future/,
    );
    expect(() => createSilence({ ...base, reason: '  ', ends_at: T0 + HOUR }, 'si_1', T0)).toThrow(/needs a reason/);
  });

  it('reports a bad matcher among several', () => {
    expect(() =>
      createSilence({ matchers: ['host=A', 'nope'], ends_at: T0 + HOUR, reason: 'x', author: 'sam' }, 'si_1', T0),
    ).toThrow(/matcher "nope"/);
  });
});
