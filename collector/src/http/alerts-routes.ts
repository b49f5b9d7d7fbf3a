// The alerts API: list and acknowledge alerts, add / list / expire silences, list maintenance
// windows. Every route authenticates a principal; another tenant's objects answer 404.
import { parseDuration } from '@vitals/shared';
import type { FastifyInstance } from 'fastify';
import type { RoutingConfig } from '../alerting/routing-config.js';
import { createSilence, type Matcher, parseMatcher, SilenceError } from '../alerting/silence.js';
import type { AlertRecord } from '../alerting/types.js';
import { actorOf } from '../auth/actor.js';
import type { ThrottleLimits } from '../auth/login-throttle.js';
import { canSee, type Principal, requireRole } from '../auth/principal.js';
import { canSeeSilence, checkSilenceScope, silenceClients, silenceHosts } from '../auth/silence-scope.js';
import { alertJson, silencedBy } from '../cli/alerts-command.js';
import { maintenanceRows } from '../cli/maintenance-command.js';
import { silenceJson, silenceStatus } from '../cli/silence-command.js';
import { parseTime } from '../cli/time-flag.js';
import type { SqliteAccessStore } from '../store/sqlite-access.js';
import type { SqliteAlertStore } from '../store/sqlite-alerts.js';
import { audit } from '../store/sqlite-audit.js';
import {
  type AckBody,
  AckBodySchema,
  ALERTS_API_PATHS,
  type AlertsQuery,
  AlertsQuerySchema,
  DEFAULT_ALERT_LIMIT,
  type IdParams,
  IdParamsSchema,
  MAX_ALERT_LIMIT,
  type SilenceBody,
  SilenceBodySchema,
  type SilencesQuery,
  SilencesQuerySchema,
} from './alerts-api-schema.js';
import { HttpError, InvalidBodyError } from './api-error.js';
import { authenticate, principalOf, registerPrincipal } from './authenticate.js';
import type { RouteContext } from './server.js';
import { accessSchemes } from './session-scheme.js';

/** What the alerts API reads and writes: given to buildServer as `alerting`. */
export interface AlertsApi {
  alerts: SqliteAlertStore;
  access: SqliteAccessStore;
  routing: RoutingConfig;
  /** The login rate limit (dashboard sessions); left out, DEFAULT_THROTTLE: 5 failures per email in 15 min. */
  login?: Partial<ThrottleLimits>;
}

const ACTING_ROLES = ['admin', 'technician'] as const;

const notFound = (what: string, id: string) => new HttpError(404, 'not_found', `no ${what} ${id}`);
const conflict = (message: string) => new HttpError(409, 'conflict', message);
const fieldError = (path: string, message: string) => new HttpError(400, 'invalid_body', `${path}: ${message}`);

/** pending_since DESC, id DESC: the order SqliteAlertStore.list answers in. */
function newestFirst(a: AlertRecord, b: AlertRecord): number {
  return b.pending_since - a.pending_since || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

function alertLimit(raw: string | undefined): number {
  const limit = raw === undefined ? DEFAULT_ALERT_LIMIT : Number(raw);
  if (limit < 1 || limit > MAX_ALERT_LIMIT) {
    throw new InvalidBodyError([{ path: 'limit', message: `must be between 1 and ${MAX_ALERT_LIMIT}` }], 'querystring');
  }
  return limit;
}

/** The alerts a principal may see, filtered in SQL: one query per client it is limited to. */
function visibleAlerts(
  alerts: SqliteAlertStore,
  principal: Principal,
  query: { open: boolean; client?: string; limit: number },
): AlertRecord[] {
  const { open, limit } = query;
  if (query.client !== undefined) return canSee(principal, query.client) ? alerts.list(query) : [];
  if (principal.clients === null) return alerts.list({ open, limit });
  return [...new Set(principal.clients)]
    .flatMap((client) => alerts.list({ open, client, limit }))
    .sort(newestFirst)
    .slice(0, limit);
}

function parseMatchers(texts: readonly string[]): Matcher[] {
  return texts.map((text, i) => {
    try {
      return parseMatcher(text);
    } catch (error) {
      if (error instanceof SilenceError) throw fieldError(`matchers[${i}]`, error.message);
      throw error;
    }
  });
}

/** The end of a new silence: exactly one of `duration` (from now) or `ends_at`. */
function silenceEnd(body: SilenceBody, now: number): number {
  if ((body.duration === undefined) === (body.ends_at === undefined)) {
    throw fieldError('duration', 'give exactly one of duration (e.g. "2h") or ends_at (an ISO time)');
  }
  if (body.duration !== undefined) {
    const ms = parseDuration(body.duration) ?? 0;
    if (ms <= 0) throw fieldError('duration', 'must be longer than 0');
    return now + ms;
  }
  const endsAt = parseTime(body.ends_at as string);
  if (endsAt === undefined) throw fieldError('ends_at', 'must be an ISO time such as 2026-01-31T18:00:00Z');
  if (endsAt <= now) throw fieldError('ends_at', `must be in the future (now is ${new Date(now).toISOString()})`);
  return endsAt;
}

export function registerAlertsRoutes(app: FastifyInstance, ctx: RouteContext & { alerting: AlertsApi }): void {
  const { alerts, access, routing } = ctx.alerting;
  registerPrincipal(app);
  // API keys and dashboard sessions alike: the same tenant rules for both.
  const onRequest = authenticate(accessSchemes(access), ctx.now);

  const visibleAlert = (principal: Principal, id: string): AlertRecord => {
    const alert = alerts.get(id);
    // Another tenant's alert is answered exactly like a missing one.
    if (!alert || !canSee(principal, alert.client)) throw notFound('alert', id);
    return alert;
  };
  const withSilence = (alert: AlertRecord, now: number) =>
    alertJson(alert, silencedBy(alert, alerts.activeSilences(now), now));

  app.get<{ Querystring: AlertsQuery }>(
    ALERTS_API_PATHS.alerts,
    { schema: { querystring: AlertsQuerySchema }, onRequest },
    async (request) => {
      const now = ctx.now();
      const { state = 'open', client } = request.query;
      const found = visibleAlerts(alerts, principalOf(request), {
        open: state === 'open',
        client,
        limit: alertLimit(request.query.limit),
      });
      const silences = alerts.activeSilences(now);
      return { alerts: found.map((a) => alertJson(a, silencedBy(a, silences, now))) };
    },
  );

  app.get<{ Params: IdParams }>(
    ALERTS_API_PATHS.alert,
    { schema: { params: IdParamsSchema }, onRequest },
    async (request) => withSilence(visibleAlert(principalOf(request), request.params.id), ctx.now()),
  );

  app.post<{ Params: IdParams; Body: AckBody }>(
    ALERTS_API_PATHS.ack,
    {
      schema: { params: IdParamsSchema, body: AckBodySchema },
      onRequest,
      // No body at all is an ack without a comment.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { id } = request.params;
      visibleAlert(principal, id);
      requireRole(principal, ACTING_ROLES, 'acknowledge alerts');
      const now = ctx.now();
      const acked = alerts.acknowledge(id, {
        by: principal.name,
        at: now,
        comment: request.body.comment?.trim() ?? '',
      });
      if (!acked) {
        const state = alerts.get(id)?.state ?? 'gone';
        throw conflict(`alert ${id} is ${state}; only a firing alert can be acknowledged`);
      }
      request.log.info({ alert_id: id, by: principal.name, principal: principal.id }, 'alert acknowledged');
      const detail = { comment: acked.ack?.comment ?? '', rule: acked.rule, host: acked.host, target: acked.target };
      audit(access.db, {
        at: now,
        actor: actorOf(principal),
        action: 'alert.ack',
        target: id,
        client: acked.client,
        detail,
      });
      return withSilence(acked, now);
    },
  );

  app.get<{ Querystring: SilencesQuery }>(
    ALERTS_API_PATHS.silences,
    { schema: { querystring: SilencesQuerySchema }, onRequest },
    async (request) => {
      const principal = principalOf(request);
      const now = ctx.now();
      const silences = alerts.listSilences({ active: request.query.all !== 'true', now });
      return { silences: silences.filter((s) => canSeeSilence(principal, s)).map((s) => silenceJson(s, now)) };
    },
  );

  app.post<{ Body: SilenceBody }>(
    ALERTS_API_PATHS.silences,
    { schema: { body: SilenceBodySchema }, onRequest },
    async (request, reply) => {
      const principal = principalOf(request);
      requireRole(principal, ACTING_ROLES, 'create silences');
      const body = request.body;
      const matchers = parseMatchers(body.matchers);
      // The clients of each host the matchers name, so another client's host answers 404.
      const hosts = new Map<string, string[]>();
      for (const host of principal.clients === null ? [] : silenceHosts(matchers)) {
        const agents = await ctx.store.findHosts(host);
        hosts.set(
          host,
          agents.filter((a) => a.hostname === host).map((a) => a.client),
        );
      }
      checkSilenceScope(principal, matchers, hosts);
      const now = ctx.now();
      const endsAt = silenceEnd(body, now);
      if (body.reason.trim() === '') throw fieldError('reason', 'must say why the alerts are muted');
      let silence: ReturnType<typeof createSilence>;
      try {
        const request = { matchers: body.matchers, ends_at: endsAt, reason: body.reason, author: principal.name };
        silence = createSilence(request, alerts.newSilenceId(), now);
      } catch (error) {
        if (error instanceof SilenceError) throw new HttpError(400, 'invalid_body', error.message);
        throw error;
      }
      alerts.addSilence(silence);
      request.log.info({ silence_id: silence.id, by: principal.name, principal: principal.id }, 'silence created');
      audit(access.db, {
        at: now,
        actor: actorOf(principal),
        action: 'silence.add',
        target: silence.id,
        client: silenceClients(silence.matchers)[0] ?? null,
        detail: { matchers: body.matchers, ends_at: new Date(silence.ends_at).toISOString(), reason: silence.reason },
      });
      return reply.status(201).send(silenceJson(silence, now));
    },
  );

  app.delete<{ Params: IdParams }>(
    ALERTS_API_PATHS.silence,
    { schema: { params: IdParamsSchema }, onRequest },
    async (request) => {
      const principal = principalOf(request);
      const { id } = request.params;
      const silence = alerts.getSilence(id);
      if (!silence || !canSeeSilence(principal, silence)) throw notFound('silence', id);
      requireRole(principal, ACTING_ROLES, 'expire silences');
      const now = ctx.now();
      if (!alerts.expireSilence(id, now))
        throw conflict(`silence ${id} is already over (${silenceStatus(silence, now)})`);
      request.log.info({ silence_id: id, by: principal.name, principal: principal.id }, 'silence expired');
      const client = silenceClients(silence.matchers)[0] ?? null;
      audit(access.db, { at: now, actor: actorOf(principal), action: 'silence.expire', target: id, client });
      return silenceJson({ ...silence, expired_at: now }, now);
    },
  );

  app.get(ALERTS_API_PATHS.maintenanceWindows, { onRequest }, async (request) => {
    const principal = principalOf(request);
    const rows = maintenanceRows(routing, ctx.now()).filter((w) => canSee(principal, w.client));
    return { maintenance_windows: rows };
  });
}
