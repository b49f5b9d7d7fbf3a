// Request schemas of the dashboard's data API (fleet, host, chart series, disks). Query strings
// are validated as the strings they arrive as (no coercion), so numbers and lists are patterns.
import { DURATION_PATTERN } from '@vitals/shared';
import Type, { type Static } from 'typebox';
import { HOST_FILTERS } from '../dashboard/fleet.js';

export const DASHBOARD_API_PATHS = {
  fleet: '/api/v1/fleet',
  host: '/api/v1/hosts/:agent_id',
  series: '/api/v1/hosts/:agent_id/series',
  disks: '/api/v1/hosts/:agent_id/disks',
} as const;

/** Resolved alerts listed on the host page. */
export const RESOLVED_ALERTS_SHOWN = 50;
/** The longest chart range: the default rollup retention (13 months) and a little more. */
export const MAX_SERIES_RANGE_MS = 400 * 24 * 3_600_000;
export const DEFAULT_SERIES_RANGE = '24h';

const filter = `(${HOST_FILTERS.join('|')})`;

export const FleetQuerySchema = Type.Object(
  {
    q: Type.Optional(Type.String({ maxLength: 200, description: 'hostname, site or client contains this (any case)' })),
    status: Type.Optional(
      Type.String({
        pattern: `^${filter}(,${filter})*$`,
        description: `comma-separated: levels (critical, warning, unknown, ok) and/or agent statuses (online, silent, offline, retired)`,
      }),
    ),
    client: Type.Optional(Type.String({ minLength: 1, maxLength: 200, description: 'only this client (exact name)' })),
  },
  { additionalProperties: false },
);
export type FleetQuery = Static<typeof FleetQuerySchema>;

export const HostParamsSchema = Type.Object(
  { agent_id: Type.String({ minLength: 1, maxLength: 64, description: 'the agent id (ag_…)' }) },
  { additionalProperties: false },
);
export type HostParams = Static<typeof HostParamsSchema>;

export const SeriesQuerySchema = Type.Object(
  {
    check: Type.String({ minLength: 1, maxLength: 200, description: 'check id: cpu, memory, disk…' }),
    target: Type.Optional(Type.String({ maxLength: 500, description: 'mount point, drive…; default ""' })),
    metric: Type.String({
      pattern: '^[A-Za-z0-9_]{1,64}$',
      description: 'a numeric value of the results: used_percent, free_bytes…',
    }),
    from: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'ISO time or epoch ms' })),
    to: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'ISO time or epoch ms; default now' })),
    range: Type.Optional(
      Type.String({ pattern: DURATION_PATTERN, description: `instead of from: this long before to (default 24h)` }),
    ),
  },
  { additionalProperties: false },
);
export type SeriesQuery = Static<typeof SeriesQuerySchema>;
