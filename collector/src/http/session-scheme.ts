// The dashboard's credential: the vitals_session cookie. A valid, unexpired session of an enabled
// user is a principal of kind 'user'; a state change with it must also carry the CSRF token.
import type { FastifyRequest } from 'fastify';
import type { Principal } from '../auth/principal.js';
import { CSRF_HEADER, cookieValue, csrfMatches, SESSION_COOKIE, sessionExpiry, sessionId } from '../auth/session.js';
import { type UserRecord, userPrincipal } from '../auth/user.js';
import type { SqliteAccessStore } from '../store/sqlite-access.js';
import { type SessionRecord, SqliteUserStore } from '../store/sqlite-users.js';
import { HttpError } from './api-error.js';
import { apiKeyScheme, type CredentialScheme } from './authenticate.js';

/** What a request's valid session is: the routes of /api/v1/session read it. */
export interface RequestSession {
  /** The cookie token itself (the CSRF token is derived from it). */
  token: string;
  session: SessionRecord;
  user: UserRecord;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;
const sessions = new WeakMap<FastifyRequest, RequestSession>();

const unauthorized = (why: string) => new HttpError(401, 'unauthorized', `${why}; log in again (POST /api/v1/session)`);

/** The session the scheme accepted for this request, if it was a session (not an API key). */
export function sessionOf(request: FastifyRequest): RequestSession | undefined {
  return sessions.get(request);
}

/** Reads the session cookie, checks expiry, the user and (for POST/PUT/PATCH/DELETE) X-CSRF-Token. */
export function sessionScheme(users: SqliteUserStore): CredentialScheme {
  return {
    hint: `a ${SESSION_COOKIE} cookie (log in with POST /api/v1/session)`,
    resolve(request, now): Principal | undefined {
      const token = cookieValue(request.headers.cookie, SESSION_COOKIE);
      if (token === undefined || token === '') return undefined;
      const found = TOKEN_SHAPE.test(token) ? users.findSession(sessionId(token)) : undefined;
      if (!found) throw unauthorized('the session is not valid (logged out, or it ended)');
      const { session, user } = found;
      const over = sessionExpiry(session, now);
      if (over) {
        users.deleteSession(session.id);
        throw unauthorized(over);
      }
      if (user.disabled_at !== null) throw unauthorized(`user ${user.email} is disabled`);
      if (!SAFE_METHODS.has(request.method)) {
        const header = request.headers[CSRF_HEADER];
        if (!csrfMatches(token, typeof header === 'string' ? header : undefined)) {
          throw new HttpError(
            403,
            'csrf',
            `${request.method} with the session cookie needs the header X-CSRF-Token set to the csrf_token ` +
              'that POST or GET /api/v1/session returned (it is missing or wrong)',
          );
        }
      }
      users.touchSession(session, now);
      sessions.set(request, { token, session, user });
      return userPrincipal(user);
    },
  };
}

/**
 * The credentials the dashboard's API accepts, in order: an API key (no CSRF token: a bearer
 * header is never sent by a browser on its own), then the session cookie.
 */
export function accessSchemes(access: SqliteAccessStore): CredentialScheme[] {
  return [apiKeyScheme(access), sessionScheme(new SqliteUserStore(access.db))];
}
