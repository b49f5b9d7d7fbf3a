import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SCRYPT,
  generatePassword,
  hashPassword,
  MIN_PASSWORD_LENGTH,
  PasswordError,
  passwordProblem,
  verifyPassword,
} from './password.js';

// Cheap parameters where the cost is not what is tested.
const FAST = { N: 2 ** 10, r: 8, p: 1 };

describe('password', () => {
  it('hashes with scrypt, a per-user salt and the parameters in the string', async () => {
    const a = await hashPassword('correct horse battery', FAST);
    const b = await hashPassword('correct horse battery', FAST);
    expect(a).toMatch(/^scrypt\$1024\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(a).not.toBe(b);
    expect(a).not.toContain('correct horse');
  });

  it('verifies the right password and refuses a wrong one, with the parameters the hash names', async () => {
    const stored = await hashPassword('correct horse battery', FAST);
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
    expect(await verifyPassword('correct horse batterY', stored)).toBe(false);
    expect(await verifyPassword('', stored)).toBe(false);
  });

  it('uses N = 2^15, r = 8 by default, and one hash takes tens of milliseconds, not microseconds', async () => {
    const started = performance.now();
    const stored = await hashPassword('correct horse battery');
    const ms = performance.now() - started;
    expect(stored.startsWith(`scrypt$${2 ** 15}$8$1$`)).toBe(true);
    expect(DEFAULT_SCRYPT).toEqual({ N: 32768, r: 8, p: 1 });
    expect(ms).toBeGreaterThan(10);
    expect(await verifyPassword('correct horse battery', stored)).toBe(true);
  });

  it('matches nothing against an unreadable or absurd hash instead of throwing', async () => {
    expect(await verifyPassword('correct horse battery', '')).toBe(false);
    expect(await verifyPassword('correct horse battery', 'sha1$abc')).toBe(false);
    // N = 2^30 would allocate 128 GiB: refused before scrypt runs.
    expect(await verifyPassword('correct horse battery', 'scrypt$1073741824$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAA')).toBe(
      false,
    );
    expect(
      await verifyPassword('correct horse battery', 'scrypt$1000$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAA'),
    ).toBe(false);
  });

  it(`refuses passwords shorter than ${MIN_PASSWORD_LENGTH} characters with a message that says the minimum`, async () => {
    expect(passwordProblem('short')).toBe('the password must be at least 12 characters long (got 5)');
    expect(passwordProblem('x'.repeat(12))).toBeUndefined();
    expect(passwordProblem('x'.repeat(1025))).toMatch(/at most 1024/);
    await expect(hashPassword('short', FAST)).rejects.toBeInstanceOf(PasswordError);
  });

  it('generates 20-character URL-safe passwords that pass the length rule and differ each time', () => {
    const a = generatePassword();
    expect(a).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(passwordProblem(a)).toBeUndefined();
    expect(generatePassword()).not.toBe(a);
  });
});
