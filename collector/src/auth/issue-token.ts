// Issues an enrolment token for a site: the secret goes to the caller once, its hash to the store.
import type { Store, TokenRecord } from '../store/store.js';
import { newEnrollToken, newTokenId, sha256 } from './credentials.js';

export const DEFAULT_TOKEN_LIFETIME_MS = 7 * 86_400_000;

export interface IssuedToken extends TokenRecord {
  token: string;
}

export async function issueToken(
  store: Store,
  opts: { client: string; site: string; lifetimeMs?: number; now: number },
): Promise<IssuedToken> {
  const token = newEnrollToken();
  const record = await store.createToken({
    id: newTokenId(),
    hash: sha256(token),
    client: opts.client,
    site: opts.site,
    createdAt: opts.now,
    expiresAt: opts.now + (opts.lifetimeMs ?? DEFAULT_TOKEN_LIFETIME_MS),
  });
  return { ...record, token };
}
