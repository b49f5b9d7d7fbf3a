import { describe, expect, it } from 'vitest';
import { T0 } from '../fixtures/reports.js';
import { DEFAULT_THROTTLE, LoginThrottle } from './login-throttle.js';

const MINUTE = 60_000;
const IP = '192.0.2.10';

describe('LoginThrottle', () => {
  it('refuses an email after 5 failures in 15 minutes, and frees it when the oldest leaves the window', () => {
    const throttle = new LoginThrottle();
    for (let i = 0; i < 4; i++) expect(throttle.fail('dana@example.com', IP, T0 + i * MINUTE)).toBe(false);
    expect(throttle.check('dana@example.com', IP, T0 + 4 * MINUTE)).toBeUndefined();
    expect(throttle.fail('dana@example.com', IP, T0 + 4 * MINUTE)).toBe(true);
    // The same email in another case, from another address: still refused.
    expect(throttle.check('DANA@example.com ', '198.51.100.7', T0 + 5 * MINUTE)).toEqual({
      by: 'email',
      retryAfterSeconds: 600,
    });
    expect(throttle.check('dana@example.com', IP, T0 + 15 * MINUTE - 1000)).toEqual({
      by: 'email',
      retryAfterSeconds: 1,
    });
    expect(throttle.check('dana@example.com', IP, T0 + 15 * MINUTE)).toBeUndefined();
    expect(throttle.check('sam@example.com', '198.51.100.7', T0 + 5 * MINUTE)).toBeUndefined();
  });

  it('refuses an address after 20 failures spread over many emails (password spraying)', () => {
    const throttle = new LoginThrottle();
    for (let i = 0; i < 19; i++) throttle.fail(`user${i}@example.com`, IP, T0);
    expect(throttle.check('new@example.com', IP, T0)).toBeUndefined();
    expect(throttle.fail('user19@example.com', IP, T0)).toBe(true);
    expect(throttle.check('new@example.com', IP, T0 + MINUTE)).toEqual({ by: 'address', retryAfterSeconds: 840 });
    expect(throttle.check('new@example.com', '198.51.100.7', T0 + MINUTE)).toBeUndefined();
  });

  it("clears an email's failures on a successful login but not its address's", () => {
    const throttle = new LoginThrottle({
      ...DEFAULT_THROTTLE,
      perEmail: 2,
      perAddress: 3,
      windowMs: 15 * MINUTE,
      maxKeys: 100,
    });
    throttle.fail('dana@example.com', IP, T0);
    throttle.succeed('dana@example.com');
    throttle.fail('dana@example.com', IP, T0);
    expect(throttle.check('dana@example.com', IP, T0)).toBeUndefined();
    // Three failures from the address (one before the success): the address is refused for anyone.
    throttle.fail('dana@example.com', IP, T0);
    expect(throttle.check('sam@example.com', IP, T0)?.by).toBe('address');
  });

  it('forgets the least recently failing keys beyond its size limit', () => {
    const throttle = new LoginThrottle({
      ...DEFAULT_THROTTLE,
      perEmail: 1,
      perAddress: 1000,
      windowMs: 15 * MINUTE,
      maxKeys: 4,
    });
    throttle.fail('a@example.com', IP, T0);
    throttle.fail('b@example.com', IP, T0);
    throttle.fail('c@example.com', IP, T0);
    // Keys: a, b, c and the address; d pushes out a.
    throttle.fail('d@example.com', IP, T0);
    expect(throttle.check('a@example.com', '198.51.100.7', T0)).toBeUndefined();
    expect(throttle.check('d@example.com', '198.51.100.7', T0)?.by).toBe('email');
  });
});
