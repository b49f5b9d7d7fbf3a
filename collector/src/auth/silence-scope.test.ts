import { describe, expect, it } from 'vitest';
import { parseMatcher } from '../alerting/silence.js';
import type { Principal } from './principal.js';
import { canSeeSilence, silenceClients, silenceScopeProblem } from './silence-scope.js';

const north: Principal = { kind: 'api_key', id: 'ak_1', name: 'north', role: 'technician', clients: ['Northside'] };
const ops: Principal = { ...north, name: 'ops', role: 'admin', clients: null };
const matchers = (...texts: string[]) => texts.map(parseMatcher);

describe('silence scope', () => {
  it('pins a silence to a client only through client= matchers, not regexes or negations', () => {
    expect(silenceClients(matchers('client=Northside', 'host=a'))).toEqual(['Northside']);
    expect(silenceClients(matchers('client=~North.*', 'client!=Eastside'))).toEqual([]);
  });

  it('shows a limited principal only silences pinned to its clients; an unlimited one sees all', () => {
    expect(canSeeSilence(north, { matchers: matchers('client=Northside') })).toBe(true);
    expect(canSeeSilence(north, { matchers: matchers('client=~Northside') })).toBe(false);
    expect(canSeeSilence(north, { matchers: matchers('host=EMR-SRV01') })).toBe(false);
    expect(canSeeSilence(ops, { matchers: matchers('host=EMR-SRV01') })).toBe(true);
  });

  it('says what to add when a limited principal silences without pinning a client of its own', () => {
    expect(silenceScopeProblem(ops, matchers('host=a'))).toBeUndefined();
    expect(silenceScopeProblem(north, matchers('client=Northside', 'host=a'))).toBeUndefined();
    expect(silenceScopeProblem(north, matchers('client=Eastside'))).toMatch(/e\.g\. client=Northside$/);
    expect(silenceScopeProblem({ ...north, clients: [] }, matchers('host=a'))).toMatch(/no client at all/);
  });
});
