import { describe, expect, it } from 'vitest';
import { T0 } from '../fixtures/reports.js';
import {
  cookieValue,
  csrfMatches,
  csrfToken,
  newSessionToken,
  SESSION_ABSOLUTE_MS,
  SESSION_IDLE_MS,
  sessionCookie,
  sessionExpiry,
  sessionId,
} from './session.js';

const HOUR = 3600_000;

describe('session', () => {
  it('makes 256-bit tokens whose row id is their SHA-256, never the token', () => {
    const token = newSessionToken();
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(sessionId(token)).toMatch(/^[0-9a-f]{64}$/);
    expect(sessionId(token)).not.toContain(token);
    expect(newSessionToken()).not.toBe(token);
  });

  it('derives a CSRF token from the cookie token: stable for one session, different for another', () => {
    const token = newSessionToken();
    expect(csrfToken(token)).toBe(csrfToken(token));
    expect(csrfToken(token)).not.toBe(csrfToken(newSessionToken()));
    expect(csrfMatches(token, csrfToken(token))).toBe(true);
    expect(csrfMatches(token, undefined)).toBe(false);
    expect(csrfMatches(token, '')).toBe(false);
    expect(csrfMatches(token, csrfToken(newSessionToken()))).toBe(false);
    expect(csrfMatches(token, token)).toBe(false);
  });

  it('ends a session 12 h after its last use or 7 days after login, whichever comes first', () => {
    const session = { created_at: T0, last_seen_at: T0, expires_at: T0 + SESSION_ABSOLUTE_MS };
    expect(sessionExpiry(session, T0 + SESSION_IDLE_MS - 1)).toBeUndefined();
    expect(sessionExpiry(session, T0 + SESSION_IDLE_MS)).toBe('the session was idle since 2025-01-06T09:00:00.000Z');
    const busy = { ...session, last_seen_at: T0 + SESSION_ABSOLUTE_MS - HOUR };
    expect(sessionExpiry(busy, T0 + SESSION_ABSOLUTE_MS - 1)).toBeUndefined();
    expect(sessionExpiry(busy, T0 + SESSION_ABSOLUTE_MS)).toBe('the session ended at 2025-01-13T09:00:00.000Z');
  });

  it('reads one cookie out of a Cookie header with others around it', () => {
    expect(cookieValue('a=1; vitals_session=abc; b=2', 'vitals_session')).toBe('abc');
    expect(cookieValue('vitals_session="abc"', 'vitals_session')).toBe('abc');
    expect(cookieValue('xvitals_session=abc; vitals_sessionx=def', 'vitals_session')).toBeUndefined();
    expect(cookieValue(undefined, 'vitals_session')).toBeUndefined();
    expect(cookieValue('garbage', 'vitals_session')).toBeUndefined();
  });

  it('writes an HttpOnly SameSite=Strict cookie for the whole site, Secure only when asked', () => {
    expect(sessionCookie('tok', { secure: false, maxAgeMs: SESSION_ABSOLUTE_MS })).toBe(
      'vitals_session=tok; HttpOnly; SameSite=Strict; Path=/; Max-Age=604800',
    );
    expect(sessionCookie('tok', { secure: true, maxAgeMs: 0 })).toBe(
      'vitals_session=tok; HttpOnly; SameSite=Strict; Path=/; Max-Age=0; Secure',
    );
  });
});
