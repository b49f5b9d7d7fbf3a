// Login, the current session and logout: POST / GET / DELETE /api/v1/session. A login answers
// with the session cookie and the CSRF token; failures are rate limited and audited.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../auth/actor.js';
import { DEFAULT_THROTTLE, LoginThrottle } from '../auth/login-throttle.js';
import { decoyHash, verifyPassword } from '../auth/password.js';
import {
  cookieValue,
  csrfToken,
  newSessionToken,
  SESSION_ABSOLUTE_MS,
  SESSION_COOKIE,
  SESSION_IDLE_MS,
  type SessionTimes,
  sessionCookie,
  sessionId,
} from '../auth/session.js';
import { type UserRecord, userJson } from '../auth/user.js';
import { audit } from '../store/sqlite-audit.js';
import { SqliteUserStore } from '../store/sqlite-users.js';
import { ACCESS_API_PATHS, type LoginBody, LoginBodySchema } from './access-api-schema.js';
import type { AlertsApi } from './alerts-routes.js';
import { HttpError } from './api-error.js';
import { authenticate, registerPrincipal } from './authenticate.js';
import type { RouteContext } from './server.js';
import { sessionOf, sessionScheme } from './session-scheme.js';

/** One message for an unknown email, a wrong password and a disabled user: it tells an attacker nothing. */
export const LOGIN_FAILED_MESSAGE = 'email or password is wrong';

/**
 * Whether the cookie may be marked Secure: the request came over TLS, or through a proxy that says
 * it did. Trusting X-Forwarded-Proto here is harmless: it can only make the cookie stricter.
 */
export function overHttps(request: FastifyRequest): boolean {
  const forwarded = request.headers['x-forwarded-proto'];
  const proto = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim().toLowerCase();
  return request.protocol === 'https' || proto === 'https';
}

function sessionAnswer(user: UserRecord, token: string, session: SessionTimes) {
  return {
    user: userJson(user),
    csrf_token: csrfToken(token),
    expires_at: new Date(session.expires_at).toISOString(),
    idle_timeout_seconds: SESSION_IDLE_MS / 1000,
  };
}

export function registerSessionRoutes(app: FastifyInstance, ctx: RouteContext & { alerting: AlertsApi }): void {
  const limits = { ...DEFAULT_THROTTLE, ...ctx.alerting.login };
  const throttle = new LoginThrottle(limits);
  const users = new SqliteUserStore(ctx.alerting.access.db);
  const { db } = ctx.alerting.access;
  registerPrincipal(app);
  const onRequest = authenticate([sessionScheme(users)], ctx.now);
  const noStore = (reply: FastifyReply) => reply.header('cache-control', 'no-store');
  // Made now, so the first login with an unknown email takes no longer than any other.
  void decoyHash();

  app.post<{ Body: LoginBody }>(
    ACCESS_API_PATHS.session,
    {
      schema: { body: LoginBodySchema },
      bodyLimit: 8 * 1024,
      config: { rateLimit: { max: limits.requestsPerMinute, timeWindow: 60_000, hook: 'onRequest' } },
    },
    async (request, reply) => {
      const now = ctx.now();
      const email = request.body.email.trim();
      const address = request.ip;
      const refused = throttle.check(email, address, now);
      if (refused) {
        reply.header('retry-after', String(refused.retryAfterSeconds));
        const which = refused.by === 'email' ? 'this email' : 'this address';
        throw new HttpError(
          429,
          'rate_limited',
          `too many failed logins for ${which}; try again in ${refused.retryAfterSeconds} s`,
        );
      }
      const user = users.findByEmail(email);
      // An unknown email still pays for one scrypt, so the answer's timing does not reveal it.
      const matches = await verifyPassword(request.body.password, user?.password_hash ?? (await decoyHash()));
      if (!user || !matches || user.disabled_at !== null) {
        const reason = !user ? 'unknown email' : !matches ? 'wrong password' : 'user is disabled';
        const anonymous: Actor = { kind: 'anonymous', id: address, name: address };
        audit(db, { at: now, actor: anonymous, action: 'login.failed', target: email, detail: { reason, address } });
        if (throttle.fail(email, address, now)) {
          audit(db, { at: now, actor: anonymous, action: 'login.blocked', target: email, detail: { address } });
        }
        request.log.warn({ email, address, reason }, 'login failed');
        throw new HttpError(401, 'login_failed', LOGIN_FAILED_MESSAGE);
      }
      throttle.succeed(email);
      // A login from a browser that still holds a session replaces it.
      const old = cookieValue(request.headers.cookie, SESSION_COOKIE);
      if (old) users.deleteSession(sessionId(old));
      const token = newSessionToken();
      const session = users.createSession({ id: sessionId(token), userId: user.id, now, address });
      audit(db, {
        at: now,
        actor: { kind: 'user', id: user.id, name: user.name },
        action: 'login',
        target: user.email,
        detail: { address },
      });
      request.log.info({ user_id: user.id, email: user.email, address }, 'logged in');
      noStore(reply).header(
        'set-cookie',
        sessionCookie(token, { secure: overHttps(request), maxAgeMs: SESSION_ABSOLUTE_MS }),
      );
      return sessionAnswer({ ...user, last_login_at: now }, token, session);
    },
  );

  app.get(ACCESS_API_PATHS.session, { onRequest }, async (request, reply) => {
    const current = sessionOf(request);
    if (!current) throw new Error('GET /api/v1/session ran without a session');
    return noStore(reply).send(sessionAnswer(current.user, current.token, current.session));
  });

  // DELETE is a state change: the scheme has already checked X-CSRF-Token.
  app.delete(ACCESS_API_PATHS.session, { onRequest }, async (request, reply) => {
    const current = sessionOf(request);
    if (!current) throw new Error('DELETE /api/v1/session ran without a session');
    users.deleteSession(current.session.id);
    const { user } = current;
    const now = ctx.now();
    audit(db, { at: now, actor: { kind: 'user', id: user.id, name: user.name }, action: 'logout', target: user.email });
    reply.header('set-cookie', sessionCookie('', { secure: overHttps(request), maxAgeMs: 0 }));
    return noStore(reply).send({ logged_out: true });
  });
}
