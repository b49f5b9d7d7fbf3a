// The agent ↔ collector wire protocol: enrollment and ingest bodies, one schema each, giving the
// TypeScript types for both sides and the collector's request validation.
import Type, { type Static } from 'typebox';
import { CheckResultSchema } from './result.js';

export const API_PATHS = {
  enroll: '/api/v1/enroll',
  ingest: '/api/v1/ingest',
  healthz: '/healthz',
  metrics: '/metrics',
} as const;

/** Host facts sent at enrollment: inventory only, nothing about users or patients. */
export const HostFactsSchema = Type.Object(
  {
    hostname: Type.String({ minLength: 1, maxLength: 253 }),
    platform: Type.String({ maxLength: 32 }),
    arch: Type.String({ maxLength: 32 }),
    os_release: Type.String({ maxLength: 128 }),
    agent_version: Type.String({ maxLength: 64 }),
  },
  { additionalProperties: false },
);
export type HostFacts = Static<typeof HostFactsSchema>;

export const EnrollRequestSchema = Type.Object(
  {
    token: Type.String({ minLength: 16, maxLength: 256 }),
    host: HostFactsSchema,
  },
  { additionalProperties: false },
);
export type EnrollRequest = Static<typeof EnrollRequestSchema>;

export const EnrollResponseSchema = Type.Object({
  agent_id: Type.String(),
  /** Shown once; the collector keeps only its hash. */
  secret: Type.String(),
  client: Type.String(),
  site: Type.String(),
});
export type EnrollResponse = Static<typeof EnrollResponseSchema>;

/** One buffered check result with the agent's delivery bookkeeping. */
export const ReportSchema = Type.Object(
  {
    /** Per-agent, strictly increasing across restarts; the collector stores (agent, seq) once. */
    // At most 2^53−1: a larger seq cannot be told from its neighbours once parsed as a JSON number
    // (9223372036854775807 reads as …808), so it would be acked as a duplicate and never stored.
    seq: Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER }),
    /** Random id of the agent process run (session) that produced it. */
    boot_id: Type.String({ minLength: 1, maxLength: 64 }),
    result: CheckResultSchema,
  },
  { additionalProperties: false },
);
export type Report = Static<typeof ReportSchema>;

export const MAX_REPORTS_PER_INGEST = 5000;

export const IngestRequestSchema = Type.Object(
  {
    agent_id: Type.String({ minLength: 1, maxLength: 64 }),
    reports: Type.Array(ReportSchema, { maxItems: MAX_REPORTS_PER_INGEST }),
    /** The agent's own state, so the collector can show buffer health and count losses. */
    agent: Type.Object(
      {
        boot_id: Type.String({ minLength: 1, maxLength: 64 }),
        version: Type.String({ maxLength: 64 }),
        /** Results dropped unsent since the agent was enrolled (buffer cap or age). */
        dropped_total: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
        /** Results still waiting in the buffer after this batch. */
        buffer_depth: Type.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }),
        /** "stopping" on a clean shutdown: the collector marks the host offline, not silent. */
        state: Type.Union([Type.Literal('running'), Type.Literal('stopping')]),
        /**
         * The agent found its buffer damaged and replaced it (sent until a batch carrying it is
         * acknowledged). Optional: older agents never send it.
         */
        buffer_lost: Type.Optional(
          Type.Object(
            {
              /** When the damage was found (ms since the epoch, agent clock). */
              at: Type.Integer({ minimum: 0 }),
              /** Unsent results that could not be recovered; null when the file was too damaged to tell. */
              lost: Type.Union([Type.Integer({ minimum: 0 }), Type.Null()]),
              /** Unsent results read back from the damaged file (delivered as usual). */
              salvaged: Type.Integer({ minimum: 0 }),
            },
            { additionalProperties: false },
          ),
        ),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type IngestRequest = Static<typeof IngestRequestSchema>;

export const IngestResponseSchema = Type.Object({
  /** Every sequence number of the request that is now stored (newly or before): safe to delete. */
  acked: Type.Array(Type.Integer()),
  /** How many of them were already stored (a retried batch). */
  duplicates: Type.Integer(),
});
export type IngestResponse = Static<typeof IngestResponseSchema>;

/** Every 4xx/5xx body of the API. */
export const ApiErrorSchema = Type.Object({
  error: Type.String({ description: 'machine-readable code, e.g. invalid_body, unauthorized, too_large' }),
  message: Type.String({ description: 'what was wrong, for a person' }),
});
export type ApiError = Static<typeof ApiErrorSchema>;
