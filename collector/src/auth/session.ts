// Dashboard sessions: the cookie token (256 random bits; the store keeps only its SHA-256), the
// CSRF token derived from it, the idle and absolute lifetimes, and the cookie's text.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { sha256 } from './credentials.js';

export const SESSION_COOKIE = 'vitals_session';
export const CSRF_HEADER = 'x-csrf-token';
/** A session not used for this long is over (an on-call phone left on a table overnight). */
export const SESSION_IDLE_MS = 12 * 3600_000;
/** A session is over this long after login, used or not. */
export const SESSION_ABSOLUTE_MS = 7 * 86_400_000;

export interface SessionTimes {
  created_at: number;
  last_seen_at: number;
  /** Absolute end: created_at + SESSION_ABSOLUTE_MS. */
  expires_at: number;
}

export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The session's row id: a leaked database does not give anyone a usable cookie. */
export function sessionId(token: string): string {
  return sha256(token);
}

/**
 * The CSRF token of a session: an HMAC of the cookie token, so it needs no storage, survives a
 * page reload (GET /api/v1/session gives it again) and cannot be computed without the cookie.
 */
export function csrfToken(sessionToken: string): string {
  return createHmac('sha256', sessionToken).update('vitals csrf v1').digest('base64url');
}

/** Constant-time check of the X-CSRF-Token header against the session's token. */
export function csrfMatches(sessionToken: string, header: string | undefined): boolean {
  if (header === undefined) return false;
  const expected = Buffer.from(csrfToken(sessionToken));
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Why a session is over at `now`, or undefined while it is valid. */
export function sessionExpiry(session: SessionTimes, now: number, idleMs = SESSION_IDLE_MS): string | undefined {
  if (now >= session.expires_at) return `the session ended at ${new Date(session.expires_at).toISOString()}`;
  const idleEnd = session.last_seen_at + idleMs;
  if (now >= idleEnd) return `the session was idle since ${new Date(session.last_seen_at).toISOString()}`;
  return undefined;
}

/** The value of one cookie in a Cookie header (RFC 6265 `name=value; name2=value2`), or undefined. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq < 0 || pair.slice(0, eq).trim() !== name) continue;
    let value = pair.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    return value;
  }
  return undefined;
}

/**
 * The Set-Cookie value: HttpOnly (page scripts cannot read it), SameSite=Strict (no other site's
 * page sends it), Path=/, Secure when the request came over HTTPS. maxAgeMs 0 deletes the cookie.
 */
export function sessionCookie(token: string, opts: { secure: boolean; maxAgeMs: number }): string {
  const parts = [`${SESSION_COOKIE}=${token}`, 'HttpOnly', 'SameSite=Strict', 'Path=/'];
  parts.push(`Max-Age=${Math.max(0, Math.floor(opts.maxAgeMs / 1000))}`);
  if (opts.secure) parts.push('Secure');
  return parts.join('; ');
}
