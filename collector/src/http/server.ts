// The collector's HTTP server: fastify with gzip request bodies (json-body.ts; body limit counted
// after decompression), schema validation from shared/, per-agent rate limits and JSON errors.
import rateLimit from '@fastify/rate-limit';
import { API_PATHS, compileSchema } from '@vitals/shared';
import Fastify, { type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { TSchema } from 'typebox';
import type { Store } from '../store/store.js';
import { type AlertsApi, registerAlertsRoutes } from './alerts-routes.js';
import { HttpError, InvalidBodyError, toApiError } from './api-error.js';
import { type DashboardOptions, registerDashboardRoutes } from './dashboard-routes.js';
import { type DownloadDirs, registerDownloadRoutes } from './download-routes.js';
import { registerEnrollRoute } from './enroll-route.js';
import { registerEnrollmentRoutes } from './enrollment-routes.js';
import { registerIngestRoute } from './ingest-route.js';
import type { TimestampWindow } from './ingest-window.js';
import { registerJsonBody } from './json-body.js';
import { CollectorMetrics } from './metrics.js';
import { registerSessionRoutes } from './session-routes.js';
import { accessSchemes } from './session-scheme.js';
import { registerUsersRoutes } from './users-routes.js';
import { registerWebRoutes } from './web-routes.js';

export interface ServerLimits {
  bodyMaxBytes: number;
  ratePerMinute: number;
  enrollPerMinute: number;
  /** Report timestamps accepted by ingest (ingest-window.ts); left out, 2000-01-01 … now + 1 day. */
  tsWindow?: TimestampWindow;
}

export interface ServerOptions {
  store: Store;
  logger: Logger;
  limits: ServerLimits;
  /** Injected clock (ms since epoch) for token expiry and received-at stamps. */
  now?: () => number;
  https?: { cert: Buffer; key: Buffer };
  /** The alerts API (alerts, silences, maintenance windows; API-key access); left out, those routes do not exist. */
  alerting?: AlertsApi;
  /** The dashboard's data API (fleet, hosts, series); served with the alerts API. */
  dashboard?: DashboardOptions;
  /** Where the built dashboard pages are (index.html, assets); default beside the collector bundle. */
  webDir?: string;
  /** The collector's base URL for install commands (config `public_url`); left out, each request's Host. */
  publicUrl?: string;
  /** Where /install/* and /download/* are read from; each left out, the checkout's install-scripts/ or dist/agent/. */
  downloads?: Partial<DownloadDirs>;
}

export interface RouteContext {
  store: Store;
  metrics: CollectorMetrics;
  limits: ServerLimits;
  now: () => number;
  alerting?: AlertsApi;
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger,
    // One log line per failed request (below) instead of two per request: ingest is hot.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: options.limits.bodyMaxBytes,
    ...(options.https ? { https: options.https } : {}),
  }) as unknown as FastifyInstance;
  const ctx: RouteContext = {
    store: options.store,
    metrics: new CollectorMetrics(),
    limits: options.limits,
    now: options.now ?? Date.now,
    alerting: options.alerting,
  };

  // Validation through the shared schema compiler, so a 400 names the field the way config
  // errors do ("reports[3].result.ts: must be a whole number").
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const validator = compileSchema(schema as TSchema);
    return (data: unknown) =>
      validator.check(data) ? { value: data } : { error: new InvalidBodyError(validator.issues(data), httpPart) };
  });
  // Only JSON is accepted; anything else is a 415, not a string that fails validation.
  app.removeContentTypeParser('text/plain');

  app.setErrorHandler((error: unknown, request, reply) => {
    const { status, body } = toApiError(error);
    ctx.metrics.reject(body.error);
    const line = { method: request.method, url: request.url, status, error: body.error };
    if (status >= 500) request.log.error({ ...line, err: error }, 'request failed');
    else request.log.warn({ ...line, message: body.message }, 'request rejected');
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) => {
    ctx.metrics.reject('not_found');
    return reply.status(404).send({ error: 'not_found', message: `no route ${request.method} ${request.url}` });
  });

  // Plain or gzip JSON, the limit counted after decompression.
  registerJsonBody(app, options.limits.bodyMaxBytes);
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, context) =>
      new HttpError(
        429,
        'rate_limited',
        `too many requests: limit is ${context.max} per minute; retry in ${context.after}`,
      ),
  });

  app.get(API_PATHS.healthz, async () => ({ status: 'ok' }));
  app.get(API_PATHS.metrics, async (_request, reply) => {
    const text = ctx.metrics.render(await ctx.store.stats());
    return reply.type('text/plain; version=0.0.4; charset=utf-8').send(text);
  });
  registerEnrollRoute(app, ctx);
  registerIngestRoute(app, ctx);
  registerDownloadRoutes(app, options.downloads);
  if (ctx.alerting) {
    registerAlertsRoutes(app, { ...ctx, alerting: ctx.alerting });
    // Dashboard access: login / session / logout, users and the audit log.
    registerSessionRoutes(app, { ...ctx, alerting: ctx.alerting });
    registerUsersRoutes(app, { ...ctx, alerting: ctx.alerting });
    registerEnrollmentRoutes(app, { ...ctx, alerting: ctx.alerting }, { publicUrl: options.publicUrl });
    const schemes = accessSchemes(ctx.alerting.access);
    registerDashboardRoutes(app, { ...ctx, alerting: ctx.alerting }, { schemes, ...options.dashboard });
    // The dashboard's pages, which read the APIs above.
    registerWebRoutes(app, { dir: options.webDir });
  }
  return app;
}
