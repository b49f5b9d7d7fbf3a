// Admin-only routes: list, add and disable dashboard users, and read the audit log. A new user's
// generated password is answered once and stored only as its scrypt hash.
import type { FastifyInstance } from 'fastify';
import { actorOf } from '../auth/actor.js';
import { generatePassword, hashPassword } from '../auth/password.js';
import { requireRole } from '../auth/principal.js';
import { checkNewUser, userJson } from '../auth/user.js';
import { parseTime } from '../cli/time-flag.js';
import { audit, auditJson, SqliteAuditStore } from '../store/sqlite-audit.js';
import { SqliteUserStore, UserExistsError } from '../store/sqlite-users.js';
import {
  ACCESS_API_PATHS,
  type AuditQuery,
  AuditQuerySchema,
  DEFAULT_AUDIT_LIMIT,
  MAX_AUDIT_LIMIT,
  type NewUserBody,
  NewUserBodySchema,
  type UserIdParams,
  UserIdParamsSchema,
} from './access-api-schema.js';
import type { AlertsApi } from './alerts-routes.js';
import { HttpError, InvalidBodyError } from './api-error.js';
import { authenticate, principalOf, registerPrincipal } from './authenticate.js';
import type { RouteContext } from './server.js';
import { accessSchemes } from './session-scheme.js';

const ADMIN = ['admin'] as const;

function auditQuery(query: AuditQuery): { since?: number; limit: number } {
  const limit = query.limit === undefined ? DEFAULT_AUDIT_LIMIT : Number(query.limit);
  if (limit < 1 || limit > MAX_AUDIT_LIMIT) {
    throw new InvalidBodyError([{ path: 'limit', message: `must be between 1 and ${MAX_AUDIT_LIMIT}` }], 'querystring');
  }
  if (query.since === undefined) return { limit };
  const since = parseTime(query.since);
  if (since === undefined) {
    const message = 'must be an ISO time such as 2026-01-31T08:00:00Z or epoch ms';
    throw new InvalidBodyError([{ path: 'since', message }], 'querystring');
  }
  return { since, limit };
}

export function registerUsersRoutes(app: FastifyInstance, ctx: RouteContext & { alerting: AlertsApi }): void {
  const { db } = ctx.alerting.access;
  const users = new SqliteUserStore(db);
  const auditLog = new SqliteAuditStore(db);
  registerPrincipal(app);
  const onRequest = authenticate(accessSchemes(ctx.alerting.access), ctx.now);

  app.get(ACCESS_API_PATHS.users, { onRequest }, async (request) => {
    requireRole(principalOf(request), ADMIN, 'list users');
    return { users: users.list().map(userJson) };
  });

  app.post<{ Body: NewUserBody }>(
    ACCESS_API_PATHS.users,
    { schema: { body: NewUserBodySchema }, onRequest },
    async (request, reply) => {
      const principal = principalOf(request);
      requireRole(principal, ADMIN, 'add users');
      const input = checkNewUser(request.body);
      if (Array.isArray(input)) throw new InvalidBodyError([{ path: input[0], message: input[1] }]);
      const password = generatePassword();
      const passwordHash = await hashPassword(password);
      const now = ctx.now();
      let user: ReturnType<typeof users.create>;
      try {
        user = users.create({ ...input, passwordHash, now });
      } catch (error) {
        if (error instanceof UserExistsError) throw new HttpError(409, 'conflict', error.message);
        throw error;
      }
      audit(db, {
        at: now,
        actor: actorOf(principal),
        action: 'user.add',
        target: user.id,
        detail: { email: user.email, role: user.role, clients: user.clients },
      });
      request.log.info({ user_id: user.id, by: principal.name, principal: principal.id }, 'user added');
      // The password is in this answer only; nobody can read it back later.
      return reply
        .status(201)
        .header('cache-control', 'no-store')
        .send({ user: userJson(user), password });
    },
  );

  app.post<{ Params: UserIdParams }>(
    ACCESS_API_PATHS.userDisable,
    { schema: { params: UserIdParamsSchema }, onRequest },
    async (request) => {
      const principal = principalOf(request);
      requireRole(principal, ADMIN, 'disable users');
      const { id } = request.params;
      const user = users.get(id);
      if (!user) throw new HttpError(404, 'not_found', `no user ${id}`);
      if (principal.kind === 'user' && principal.id === id) {
        throw new HttpError(409, 'conflict', 'you cannot disable yourself; another admin (or `user disable`) can');
      }
      const now = ctx.now();
      if (!users.disable(id, now)) throw new HttpError(409, 'conflict', `user ${user.email} is already disabled`);
      audit(db, {
        at: now,
        actor: actorOf(principal),
        action: 'user.disable',
        target: id,
        detail: { email: user.email },
      });
      request.log.info({ user_id: id, by: principal.name, principal: principal.id }, 'user disabled');
      return { user: userJson({ ...user, disabled_at: now }) };
    },
  );

  app.post<{ Params: UserIdParams }>(
    ACCESS_API_PATHS.userPassword,
    { schema: { params: UserIdParamsSchema }, onRequest },
    async (request, reply) => {
      const principal = principalOf(request);
      requireRole(principal, ADMIN, 'reset passwords');
      const { id } = request.params;
      const user = users.get(id);
      if (!user) throw new HttpError(404, 'not_found', `no user ${id}`);
      const password = generatePassword();
      // setPassword ends the user's sessions in the same transaction.
      users.setPassword(id, await hashPassword(password));
      audit(db, {
        at: ctx.now(),
        actor: actorOf(principal),
        action: 'user.passwd',
        target: id,
        detail: { email: user.email },
      });
      request.log.info({ user_id: id, by: principal.name, principal: principal.id }, 'password reset');
      // Like a new user's: in this answer only.
      return reply.header('cache-control', 'no-store').send({ user: userJson(user), password });
    },
  );

  app.get<{ Querystring: AuditQuery }>(
    ACCESS_API_PATHS.audit,
    { schema: { querystring: AuditQuerySchema }, onRequest },
    async (request) => {
      requireRole(principalOf(request), ADMIN, 'read the audit log');
      return { audit: auditLog.list(auditQuery(request.query)).map(auditJson) };
    },
  );
}
