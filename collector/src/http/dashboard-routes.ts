// The dashboard's data API (read only): the fleet, one host, its chart series and its disks.
// Every route authenticates a principal; a host of a client it may not see answers 404, exactly
// like a host that does not exist.
import { parseDuration } from '@vitals/shared';
import type { FastifyInstance } from 'fastify';
import type { AlertRecord } from '../alerting/types.js';
import { canSee, type Principal } from '../auth/principal.js';
import { isoTime } from '../cli/table.js';
import { parseTime } from '../cli/time-flag.js';
import { FIT_WINDOW_MS, type ForecastView, fitForecast, forecastView } from '../dashboard/disk-forecast-view.js';
import { buildFleet, type HostFilter } from '../dashboard/fleet.js';
import { hostPage } from '../dashboard/host.js';
import { RecentFits } from '../dashboard/recent-fits.js';
import { HOUR_MS, mergeBuckets, planSeries, RAW_MAX_RANGE_MS, toPoints } from '../dashboard/series.js';
import { type HostResult, SqliteDashboardStore } from '../store/sqlite-dashboard.js';
import { type Bucket, type SeriesRange, SqliteSeriesStore } from '../store/sqlite-series.js';
import type { AgentRecord } from '../store/store.js';
import type { AlertsApi } from './alerts-routes.js';
import { HttpError, InvalidBodyError } from './api-error.js';
import { apiKeyScheme, authenticate, type CredentialScheme, principalOf, registerPrincipal } from './authenticate.js';
import {
  DASHBOARD_API_PATHS,
  DEFAULT_SERIES_RANGE,
  type FleetQuery,
  FleetQuerySchema,
  type HostParams,
  HostParamsSchema,
  MAX_SERIES_RANGE_MS,
  RESOLVED_ALERTS_SHOWN,
  type SeriesQuery,
  SeriesQuerySchema,
} from './dashboard-api-schema.js';
import type { RouteContext } from './server.js';

export interface DashboardOptions {
  /** An agent not heard from this long is "silent" (the collector's `silent_after`, 10 min by default). */
  silentAfterMs?: number;
  /** How requests prove who they are; default: API keys only. The login session is added here. */
  schemes?: readonly CredentialScheme[];
}

const DEFAULT_SILENT_AFTER_MS = 10 * 60_000;

/** A numeric value of a result; null when it is missing or not a number. */
function numberValue(result: HostResult, key: string): number | null {
  const v = result.values[key]?.value;
  return typeof v === 'number' ? v : null;
}

const queryError = (path: string, message: string) => new InvalidBodyError([{ path, message }], 'querystring');

/** The chart's time range from `from`/`range`/`to`; 400 when it is not a range. */
export function seriesRange(query: SeriesQuery, now: number): { from: number; to: number } {
  const time = (key: 'from' | 'to') => {
    const text = query[key];
    if (text === undefined) return undefined;
    const ms = parseTime(text);
    if (ms === undefined) throw queryError(key, 'must be an ISO time (2026-01-31T18:00Z) or epoch ms');
    return ms;
  };
  if (query.from !== undefined && query.range !== undefined) throw queryError('range', 'give from or range, not both');
  const to = time('to') ?? now;
  const from = time('from') ?? to - (parseDuration(query.range ?? DEFAULT_SERIES_RANGE) as number);
  if (!(from < to)) throw queryError('from', 'must be before to');
  if (to - from > MAX_SERIES_RANGE_MS) throw queryError('from', 'the range must be at most 400 days');
  return { from, to };
}

export function registerDashboardRoutes(
  app: FastifyInstance,
  ctx: RouteContext & { alerting: AlertsApi },
  options: DashboardOptions = {},
): void {
  const { alerts, access } = ctx.alerting;
  const dashboard = new SqliteDashboardStore(alerts.db, alerts);
  const series = new SqliteSeriesStore(alerts.db);
  const silentAfterMs = options.silentAfterMs ?? DEFAULT_SILENT_AFTER_MS;
  const fits = new RecentFits();
  registerPrincipal(app);
  const onRequest = authenticate(options.schemes ?? [apiKeyScheme(access)], ctx.now);

  const visibleHost = async (principal: Principal, agentId: string): Promise<AgentRecord> => {
    const agent = await dashboard.agent(agentId);
    if (!agent || !canSee(principal, agent.client)) throw new HttpError(404, 'not_found', `no host ${agentId}`);
    return agent;
  };

  /** The disk's forecast: its open disk_forecast alert's, else a fresh fit over the day before its latest result. */
  const diskForecast = async (
    agentId: string,
    disk: HostResult,
    open: readonly AlertRecord[],
    metric: string,
  ): Promise<ForecastView | null> => {
    const sizeBytes = numberValue(disk, 'size_bytes');
    const freeBytes = numberValue(disk, 'free_bytes');
    const freePercent =
      numberValue(disk, 'free_percent') ?? (freeBytes !== null && sizeBytes ? (freeBytes / sizeBytes) * 100 : null);
    const alert = open.find((a) => a.rule === 'disk_forecast' && a.target === disk.target && a.forecast);
    if (alert?.forecast) return forecastView(alert.forecast, { source: 'alert', alertId: alert.id }, metric, sizeBytes);
    const range = { agentId, check: disk.check, target: disk.target, metric: 'free_bytes' };
    const fit = await fits.get({ ...range, latestTs: disk.ts }, async () =>
      fitForecast(
        await series.rawPoints({ ...range, from: disk.ts - FIT_WINDOW_MS, to: disk.ts }),
        disk.ts,
        freePercent,
      ),
    );
    return fit ? forecastView(fit, { source: 'fit' }, metric, sizeBytes) : null;
  };

  /** Rollups, plus the hours since the last rollup run read from raw reports (at most RAW_MAX_RANGE_MS of them). */
  const hourBuckets = async (range: SeriesRange, bucketMs: number): Promise<Bucket[]> => {
    const fromHour = range.from - (range.from % HOUR_MS);
    const tailFrom = Math.max(fromHour, await series.rolledUntil(), range.to - RAW_MAX_RANGE_MS);
    const rolledTo = Math.min(tailFrom - 1, range.to);
    const rolled = await series.hourBuckets({ ...range, from: fromHour, to: rolledTo, bucketMs });
    if (tailFrom > range.to) return rolled;
    return mergeBuckets(rolled, await series.rawBuckets({ ...range, from: tailFrom, bucketMs }));
  };

  app.get<{ Querystring: FleetQuery }>(
    DASHBOARD_API_PATHS.fleet,
    { schema: { querystring: FleetQuerySchema }, onRequest },
    async (request) => {
      const principal = principalOf(request);
      const now = ctx.now();
      const [sites, agents, worst, openAlerts] = await Promise.all([
        dashboard.sites(),
        dashboard.agents(),
        dashboard.worstResults(),
        dashboard.openAlerts(),
      ]);
      const { q, client } = request.query;
      const status = request.query.status?.split(',') as HostFilter[] | undefined;
      const fleet = buildFleet(
        { sites, agents, worst, openAlerts, now, silentAfterMs },
        { q, status, client, canSee: (c) => canSee(principal, c) },
      );
      return { now: isoTime(now), ...fleet };
    },
  );

  app.get<{ Params: HostParams }>(
    DASHBOARD_API_PATHS.host,
    { schema: { params: HostParamsSchema }, onRequest },
    async (request) => {
      const agent = await visibleHost(principalOf(request), request.params.agent_id);
      const now = ctx.now();
      const [results, { open, resolved }] = await Promise.all([
        dashboard.latestResults(agent.id),
        dashboard.hostAlerts(agent.id, RESOLVED_ALERTS_SHOWN),
      ]);
      return hostPage({ agent, results, open, resolved, silences: alerts.activeSilences(now), now, silentAfterMs });
    },
  );

  app.get<{ Params: HostParams; Querystring: SeriesQuery }>(
    DASHBOARD_API_PATHS.series,
    { schema: { params: HostParamsSchema, querystring: SeriesQuerySchema }, onRequest },
    async (request) => {
      const agent = await visibleHost(principalOf(request), request.params.agent_id);
      const { check, metric, target = '' } = request.query;
      const { from, to } = seriesRange(request.query, ctx.now());
      const latest = await dashboard.latestResult(agent.id, check, target);
      if (!latest) {
        throw new HttpError(404, 'not_found', `host ${agent.hostname} has no check "${check}" with target "${target}"`);
      }
      if (!(metric in latest.values)) {
        const known = Object.keys(latest.values).join(', ');
        throw queryError('metric', `check "${check}" has no value "${metric}"; it has ${known || 'none'}`);
      }
      const plan = planSeries(from, to);
      const range = { agentId: agent.id, check, target, metric, from, to };
      let resolution = plan.resolution;
      let buckets =
        resolution === 'raw'
          ? await series.rawBuckets({ ...range, bucketMs: plan.bucketMs })
          : await hourBuckets(range, plan.bucketMs);
      let bucketMs = plan.bucketMs;
      // A short range older than the raw retention still has its hours.
      if (resolution === 'raw' && buckets.length === 0) {
        resolution = 'hour';
        bucketMs = HOUR_MS;
        buckets = await series.hourBuckets({ ...range, from: from - (from % bucketMs), bucketMs });
      }
      const forecast =
        latest.kind === 'disk'
          ? await diskForecast(agent.id, latest, alerts.openAlertsForAgent(agent.id), metric)
          : undefined;
      return {
        agent_id: agent.id,
        check,
        target,
        metric,
        unit: latest.values[metric]?.unit ?? null,
        from,
        to,
        resolution,
        bucket_ms: bucketMs,
        points: toPoints(buckets),
        ...(forecast === undefined ? {} : { forecast }),
      };
    },
  );

  app.get<{ Params: HostParams }>(
    DASHBOARD_API_PATHS.disks,
    { schema: { params: HostParamsSchema }, onRequest },
    async (request) => {
      const agent = await visibleHost(principalOf(request), request.params.agent_id);
      const disks = (await dashboard.latestResults(agent.id)).filter((r) => r.kind === 'disk');
      const open = alerts.openAlertsForAgent(agent.id);
      return {
        agent_id: agent.id,
        disks: await Promise.all(
          disks.map(async (d) => ({
            check: d.check,
            target: d.target,
            status: d.status,
            message: d.message,
            ts: isoTime(d.ts),
            free_bytes: numberValue(d, 'free_bytes'),
            size_bytes: numberValue(d, 'size_bytes'),
            free_percent: numberValue(d, 'free_percent'),
            forecast: await diskForecast(agent.id, d, open, 'free_bytes'),
          })),
        ),
      };
    },
  );
}
