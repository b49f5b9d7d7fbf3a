// Request schemas of the alerts API (alerts, silences, maintenance windows). Query strings are
// validated as the strings they arrive as (no coercion), so numbers are patterns here.
import { DURATION_PATTERN } from '@vitals/shared';
import Type, { type Static } from 'typebox';

export const ALERTS_API_PATHS = {
  alerts: '/api/v1/alerts',
  alert: '/api/v1/alerts/:id',
  ack: '/api/v1/alerts/:id/ack',
  silences: '/api/v1/silences',
  silence: '/api/v1/silences/:id',
  maintenanceWindows: '/api/v1/maintenance-windows',
} as const;

export const DEFAULT_ALERT_LIMIT = 100;
export const MAX_ALERT_LIMIT = 1000;

export const IdParamsSchema = Type.Object(
  { id: Type.String({ minLength: 1, maxLength: 64, description: 'al_… or si_…' }) },
  { additionalProperties: false },
);
export type IdParams = Static<typeof IdParamsSchema>;

export const AlertsQuerySchema = Type.Object(
  {
    state: Type.Optional(Type.Enum(['open', 'all'], { description: 'open (pending and firing, default) or all' })),
    client: Type.Optional(Type.String({ minLength: 1, description: 'only alerts of this client' })),
    limit: Type.Optional(
      Type.String({ pattern: '^[0-9]{1,6}$', description: `at most this many, 1..${MAX_ALERT_LIMIT} (default 100)` }),
    ),
  },
  { additionalProperties: false },
);
export type AlertsQuery = Static<typeof AlertsQuerySchema>;

export const AckBodySchema = Type.Object(
  { comment: Type.Optional(Type.String({ maxLength: 2000, description: 'a note for the others' })) },
  { additionalProperties: false },
);
export type AckBody = Static<typeof AckBodySchema>;

export const SilencesQuerySchema = Type.Object(
  { all: Type.Optional(Type.Enum(['true', 'false'], { description: 'also ended and expired silences' })) },
  { additionalProperties: false },
);
export type SilencesQuery = Static<typeof SilencesQuerySchema>;

export const SilenceBodySchema = Type.Object(
  {
    matchers: Type.Array(Type.String({ minLength: 1, maxLength: 500 }), {
      minItems: 1,
      maxItems: 32,
      description: 'LABEL OP VALUE, all must match: "host=EMR-SRV01", "rule=~disk_.*"',
    }),
    duration: Type.Optional(Type.String({ pattern: DURATION_PATTERN, description: 'how long from now, e.g. 2h' })),
    ends_at: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'ISO time (no zone = UTC)' })),
    reason: Type.String({ minLength: 1, maxLength: 1000, description: 'why it is muted' }),
  },
  { additionalProperties: false },
);
export type SilenceBody = Static<typeof SilenceBodySchema>;
