// Who sent a request: each credential scheme (API key now; the dashboard's session cookie later)
// either recognises its credential and returns the principal, or says the request carries none.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { apiKeyPrincipal } from '../auth/api-key.js';
import { bearerSecret, sameHash, sha256 } from '../auth/credentials.js';
import type { Principal } from '../auth/principal.js';
import type { SqliteAccessStore } from '../store/sqlite-access.js';
import { HttpError } from './api-error.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the authenticate hook on routes that need one; null elsewhere. */
    principal: Principal | null;
  }
}

/**
 * One kind of credential. `resolve` returns undefined when the request does not carry this kind
 * (the next scheme is asked), the principal when it is valid, and throws a 401 HttpError when it
 * carries one that is not valid (wrong, revoked, expired), so a bad key is never mistaken for "none".
 */
export interface CredentialScheme {
  /** How a person sends it, for the 401 message: "Authorization: Bearer <API key>". */
  hint: string;
  resolve(request: FastifyRequest, now: number): Principal | undefined | Promise<Principal | undefined>;
}

const unauthorized = (message: string) => new HttpError(401, 'unauthorized', message);

/** `Authorization: Bearer vk_…`, looked up by SHA-256 in the api_key table. */
export function apiKeyScheme(access: SqliteAccessStore): CredentialScheme {
  return {
    hint: 'Authorization: Bearer <API key> (vk_…, from `vitals-collector apikey create`)',
    resolve(request, now) {
      const header = request.headers.authorization;
      if (header === undefined) return undefined;
      const secret = bearerSecret(header);
      if (!secret) throw unauthorized('the Authorization header is not "Bearer <API key>"');
      const hash = sha256(secret);
      const key = access.findByHash(hash, now);
      if (!key || !sameHash(key.hash, hash)) throw unauthorized('API key is not valid');
      if (key.revoked_at !== null)
        throw unauthorized(`API key ${key.id} was revoked at ${new Date(key.revoked_at).toISOString()}`);
      return apiKeyPrincipal(key);
    },
  };
}

/** Lets routes of this instance use request.principal (once per instance; safe to call again). */
export function registerPrincipal(app: FastifyInstance): void {
  if (!app.hasRequestDecorator('principal')) app.decorateRequest('principal', null);
}

/**
 * An onRequest hook that sets request.principal from the first scheme that recognises a
 * credential; 401 (with WWW-Authenticate) when none does. Runs before the body is read.
 */
export function authenticate(schemes: readonly CredentialScheme[], now: () => number) {
  return async (request: FastifyRequest, reply: FastifyReply): Promise<void> => {
    reply.header('www-authenticate', 'Bearer realm="vitals"');
    for (const scheme of schemes) {
      const principal = await scheme.resolve(request, now());
      if (principal) {
        request.principal = principal;
        reply.removeHeader('www-authenticate');
        return;
      }
    }
    throw unauthorized(`send ${schemes.map((s) => s.hint).join(' or ')}`);
  };
}

/** The principal the authenticate hook set; a route that forgot the hook fails loudly (500). */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error(`route ${request.routeOptions.url} has no authenticate hook`);
  return request.principal;
}
