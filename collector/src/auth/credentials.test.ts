import { describe, expect, it } from 'vitest';
import type { TokenRecord } from '../store/store.js';
import { bearerSecret, newAgentSecret, newEnrollToken, sameHash, sha256, tokenProblem } from './credentials.js';

const token: TokenRecord = {
  id: 'tk_x',
  client: 'c',
  site: 's',
  created_at: 0,
  expires_at: 1000,
  revoked_at: null,
  uses: 0,
};

describe('credentials', () => {
  it('makes tokens of ≥128 bits and secrets of ≥256 bits, different every time', () => {
    const t = newEnrollToken();
    const s = newAgentSecret();
    expect(Buffer.from(t.slice(3), 'base64url').length * 8).toBeGreaterThanOrEqual(128);
    expect(Buffer.from(s.slice(3), 'base64url').length * 8).toBeGreaterThanOrEqual(256);
    expect(newAgentSecret()).not.toBe(s);
  });

  it('compares hashes in constant time and tells equal from different', () => {
    expect(sameHash(sha256('a'), sha256('a'))).toBe(true);
    expect(sameHash(sha256('a'), sha256('b'))).toBe(false);
    expect(sameHash(sha256('a'), 'abcd')).toBe(false);
  });

  it('reads a bearer secret and nothing else', () => {
    expect(bearerSecret('Bearer vs_0123456789abcdefgh')).toBe('vs_0123456789abcdefgh');
    expect(bearerSecret('Basic dXNlcjpwYXNz')).toBeUndefined();
    expect(bearerSecret(undefined)).toBeUndefined();
  });

  it('refuses unknown, revoked and expired tokens', () => {
    expect(tokenProblem(undefined, 0)).toMatch(/not known/);
    expect(tokenProblem({ ...token, revoked_at: 5 }, 0)).toMatch(/revoked/);
    expect(tokenProblem(token, 1000)).toMatch(/expired/);
    expect(tokenProblem(token, 999)).toBeUndefined();
  });
});
