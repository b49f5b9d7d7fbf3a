import { describe, expect, it } from 'vitest';
import { parseMatcher } from '../alerting/silence.js';
import type { Principal } from './principal.js';
import { canSeeSilence, checkSilenceScope, silenceClients } from './silence-scope.js';

const north: Principal = { kind: 'api_key', id: 'ak_1', name: 'north', role: 'technician', clients: ['Northside'] };
const ops: Principal = { ...north, name: 'ops', role: 'admin', clients: null };
const matchers = (...texts: string[]) => texts.map(parseMatcher);
const hosts = new Map([
  ['a', ['Northside']],
  ['PC-1', ['Eastside']],
]);
const problem = (p: Principal, m: string[]) => {
  try {
    checkSilenceScope(p, matchers(...m), hosts);
    return undefined;
  } catch (error) {
    const e = error as Error & { statusCode: number };
    return `${e.statusCode} ${e.message}`;
  }
};

describe('silence scope', () => {
  it('pins a silence to a client only through client= matchers, not regexes or negations', () => {
    expect(silenceClients(matchers('client=Northside', 'host=a'))).toEqual(['Northside']);
    expect(silenceClients(matchers('client=~North.*', 'client!=Eastside'))).toEqual([]);
  });

  it('shows a limited principal only silences pinned to clients that are all its own', () => {
    expect(canSeeSilence(north, { matchers: matchers('client=Northside') })).toBe(true);
    expect(canSeeSilence(north, { matchers: matchers('client=Northside', 'client=Eastside') })).toBe(false);
    expect(canSeeSilence(north, { matchers: matchers('client=~Northside') })).toBe(false);
    expect(canSeeSilence(north, { matchers: matchers('host=EMR-SRV01') })).toBe(false);
    expect(canSeeSilence(ops, { matchers: matchers('host=EMR-SRV01') })).toBe(true);
  });

  it('answers 404 for another client or its host, 403 without a pin, 400 for two clients', () => {
    expect(problem(ops, ['host=a'])).toBeUndefined();
    expect(problem(north, ['client=Northside', 'host=a'])).toBeUndefined();
    expect(problem(north, ['client=Eastside'])).toBe('404 no client Eastside');
    expect(problem(north, ['client=Northside', 'host=PC-1'])).toBe('404 no host PC-1 in client Northside');
    expect(problem(north, ['client=Northside', 'host=nowhere'])).toBe('404 no host nowhere in client Northside');
    expect(problem(north, ['host=a'])).toMatch(/^403 .*e\.g\. client=Northside$/);
    expect(problem({ ...north, clients: [] }, ['host=a'])).toMatch(/no client at all/);
    expect(problem(ops, ['client=Northside', 'client=Eastside'])).toMatch(/^400 matchers: .*can never both match/);
  });
});
