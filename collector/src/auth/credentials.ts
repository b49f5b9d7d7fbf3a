// Enrolment tokens, agent secrets and their public ids: how they are made, hashed and checked.
// Only SHA-256 hashes are stored; both secrets are random enough that a plain hash suffices.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { TokenRecord } from '../store/store.js';

/** 192 bits (the spec asks for ≥ 128). */
export function newEnrollToken(): string {
  return `vt_${randomBytes(24).toString('base64url')}`;
}

/** 256 bits, as the spec asks. */
export function newAgentSecret(): string {
  return `vs_${randomBytes(32).toString('base64url')}`;
}

// Prefixed so an id never starts with "-" (commander would read it as an option).
export function newTokenId(): string {
  return `tk_${randomBytes(6).toString('base64url')}`;
}

export function newAgentId(): string {
  return `ag_${randomBytes(9).toString('base64url')}`;
}

export function sha256(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Constant-time comparison of two hex hashes of equal length. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The secret of an `Authorization: Bearer <secret>` header, or undefined. */
export function bearerSecret(header: string | undefined): string | undefined {
  const match = /^Bearer\s+(\S{16,512})\s*$/i.exec(header ?? '');
  return match?.[1];
}

/** Why a token cannot enrol an agent at `now`, or undefined when it can. */
export function tokenProblem(token: TokenRecord | undefined, now: number): string | undefined {
  if (!token) return 'enrollment token is not known to this collector';
  if (token.revoked_at !== null) return `enrollment token ${token.id} was revoked`;
  if (token.expires_at <= now)
    return `enrollment token ${token.id} expired at ${new Date(token.expires_at).toISOString()}`;
  return undefined;
}
