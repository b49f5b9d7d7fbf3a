// Enrollment tokens as the CLI (`token create|list|revoke`) and the HTTP API both hand them out:
// issue (the secret once, its hash stored) and revoke, each written to the audit log with who did
// it and for which client and site; and one token as both list it.
import type Database from 'better-sqlite3';
import type { Actor } from '../auth/actor.js';
import { type IssuedToken, issueToken } from '../auth/issue-token.js';
import { isoTime } from '../cli/table.js';
import { audit } from '../store/sqlite-audit.js';
import type { Store, TokenRecord } from '../store/store.js';

export type TokenStatus = 'active' | 'expired' | 'revoked';

export function tokenStatus(t: TokenRecord, now: number): TokenStatus {
  if (t.revoked_at !== null) return 'revoked';
  return t.expires_at <= now ? 'expired' : 'active';
}

/** A token as `token list --json` and GET /api/v1/enrollment-tokens show it: never the secret or its hash. */
export function tokenJson(t: TokenRecord, now: number) {
  return {
    id: t.id,
    client: t.client,
    site: t.site,
    status: tokenStatus(t, now),
    created_at: isoTime(t.created_at) as string,
    expires_at: isoTime(t.expires_at) as string,
    revoked_at: isoTime(t.revoked_at),
    uses: t.uses,
  };
}

export interface TokenAction {
  /** The database the audit row goes to (the store's own connection). */
  db: Database.Database;
  actor: Actor;
  now: number;
}

/** Issues a token for a site (creating the client and site if needed) and audits it as token.create. */
export async function createEnrollmentToken(
  store: Store,
  input: { client: string; site: string; lifetimeMs?: number },
  action: TokenAction,
): Promise<IssuedToken> {
  const { db, actor, now } = action;
  const token = await issueToken(store, { ...input, now });
  audit(db, {
    at: now,
    actor,
    action: 'token.create',
    target: token.id,
    client: token.client,
    detail: { site: token.site, expires_at: isoTime(token.expires_at) },
  });
  return token;
}

/** The token with this id, revoked and expired ones included. */
export async function findToken(store: Store, id: string): Promise<TokenRecord | undefined> {
  return (await store.listTokens()).find((t) => t.id === id);
}

/** Revokes a token and audits it as token.revoke; false (nothing written) when it was already revoked. */
export async function revokeEnrollmentToken(store: Store, token: TokenRecord, action: TokenAction): Promise<boolean> {
  const { db, actor, now } = action;
  if (!(await store.revokeToken(token.id, now))) return false;
  audit(db, {
    at: now,
    actor,
    action: 'token.revoke',
    target: token.id,
    client: token.client,
    detail: { site: token.site },
  });
  return true;
}
