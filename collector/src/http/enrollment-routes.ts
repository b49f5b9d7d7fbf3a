// The enrollment-token API the dashboard's enrollment page uses: list, create (the token answered
// once, with the install command of each OS) and revoke. Admins and technicians only; a principal
// limited to clients creates and sees tokens of those clients only (another client, or its token, is 404).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { actorOf } from '../auth/actor.js';
import { canAct, canSee, requireRole } from '../auth/principal.js';
import { InstallCommandError, installCommands, normalizeBaseUrl } from '../enroll/install-command.js';
import { createEnrollmentToken, findToken, revokeEnrollmentToken, tokenJson } from '../enroll/tokens.js';
import type { AlertsApi } from './alerts-routes.js';
import { HttpError } from './api-error.js';
import { authenticate, principalOf, registerPrincipal } from './authenticate.js';
import {
  ENROLLMENT_API_PATHS,
  type NewTokenBody,
  NewTokenBodySchema,
  type TokenIdParams,
  TokenIdParamsSchema,
} from './enrollment-api-schema.js';
import type { RouteContext } from './server.js';
import { overHttps } from './session-routes.js';
import { accessSchemes } from './session-scheme.js';

const ACTING_ROLES = ['admin', 'technician'] as const;
const HOUR_MS = 3_600_000;

/**
 * The collector's base URL as agents reach it: `public_url` from the config, else the address this
 * request came to (its Host header; https when it came over TLS or a proxy says so).
 */
export function publicBaseUrl(request: FastifyRequest, configured: string | undefined): string {
  if (configured !== undefined) return normalizeBaseUrl(configured);
  const scheme = overHttps(request) ? 'https' : 'http';
  try {
    return normalizeBaseUrl(`${scheme}://${request.host}`);
  } catch (error) {
    if (!(error instanceof InstallCommandError)) throw error;
    const why = `the request's Host header "${request.host}" gives no usable URL (${error.message})`;
    throw new HttpError(400, 'bad_request', `${why}; set public_url in the collector config`);
  }
}

export function registerEnrollmentRoutes(
  app: FastifyInstance,
  ctx: RouteContext & { alerting: AlertsApi },
  options: { publicUrl?: string } = {},
): void {
  const { db } = ctx.alerting.access;
  registerPrincipal(app);
  const onRequest = authenticate(accessSchemes(ctx.alerting.access), ctx.now);

  app.get(ENROLLMENT_API_PATHS.tokens, { onRequest }, async (request) => {
    const principal = principalOf(request);
    requireRole(principal, ACTING_ROLES, 'list enrollment tokens');
    const now = ctx.now();
    // Newest first: the one just made for a rollout is at the top.
    const tokens = (await ctx.store.listTokens()).filter((t) => canSee(principal, t.client)).reverse();
    return { tokens: tokens.map((t) => tokenJson(t, now)) };
  });

  app.post<{ Body: NewTokenBody }>(
    ENROLLMENT_API_PATHS.tokens,
    { schema: { body: NewTokenBodySchema }, onRequest },
    async (request, reply) => {
      const principal = principalOf(request);
      requireRole(principal, ACTING_ROLES, 'create enrollment tokens');
      const client = request.body.client.trim();
      const site = request.body.site.trim();
      if (client === '' || site === '')
        throw new HttpError(400, 'invalid_body', 'client and site must not be empty or only spaces');
      // Another client is answered exactly like one that does not exist (the role was checked above).
      if (!canAct(principal, client)) throw new HttpError(404, 'not_found', `no client ${client}`);
      // The URL first: a request that cannot get its install commands leaves no token behind.
      const url = publicBaseUrl(request, options.publicUrl);
      const hours = request.body.expires_in_hours;
      const now = ctx.now();
      const issued = await createEnrollmentToken(
        ctx.store,
        { client, site, lifetimeMs: hours === undefined ? undefined : Math.round(hours * HOUR_MS) },
        { db, actor: actorOf(principal), now },
      );
      request.log.info(
        { token_id: issued.id, client, site, by: principal.name, principal: principal.id },
        'enrollment token created',
      );
      // The token is in this answer only; the store keeps its SHA-256.
      return reply
        .status(201)
        .header('cache-control', 'no-store')
        .send({
          ...tokenJson(issued, now),
          token: issued.token,
          url,
          install: installCommands({ url, token: issued.token }),
        });
    },
  );

  app.delete<{ Params: TokenIdParams }>(
    ENROLLMENT_API_PATHS.token,
    { schema: { params: TokenIdParamsSchema }, onRequest },
    async (request) => {
      const principal = principalOf(request);
      requireRole(principal, ACTING_ROLES, 'revoke enrollment tokens');
      const { id } = request.params;
      const token = await findToken(ctx.store, id);
      // Another client's token is answered exactly like a missing one.
      if (!token || !canSee(principal, token.client))
        throw new HttpError(404, 'not_found', `no enrollment token ${id}`);
      const now = ctx.now();
      if (!(await revokeEnrollmentToken(ctx.store, token, { db, actor: actorOf(principal), now }))) {
        throw new HttpError(409, 'conflict', `enrollment token ${id} is already revoked`);
      }
      request.log.info({ token_id: id, by: principal.name, principal: principal.id }, 'enrollment token revoked');
      return tokenJson({ ...token, revoked_at: now }, now);
    },
  );
}
