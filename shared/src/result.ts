// The check result: what every check kind produces, what the agent buffers and what the collector
// ingests. Defined once as a TypeBox schema, giving the TypeScript type and runtime validation.
import Type, { type Static } from 'typebox';
import { StatusSchema } from './status.js';

export const CHECK_KINDS = [
  'cpu',
  'memory',
  'disk',
  'service',
  'process',
  'backup',
  'smart',
  'endpoint',
  'uptime',
  'command',
] as const;
export type CheckKindName = (typeof CHECK_KINDS)[number];
export const CheckKindNameSchema = Type.Union([
  Type.Literal('cpu'),
  Type.Literal('memory'),
  Type.Literal('disk'),
  Type.Literal('service'),
  Type.Literal('process'),
  Type.Literal('backup'),
  Type.Literal('smart'),
  Type.Literal('endpoint'),
  Type.Literal('uptime'),
  Type.Literal('command'),
]);

/** One measured quantity with its unit ("bytes", "percent", "ms", "hours", "count", "celsius", …). */
export const MeasurementSchema = Type.Object(
  {
    value: Type.Union([Type.Number(), Type.String({ maxLength: 512 }), Type.Boolean(), Type.Null()]),
    unit: Type.Optional(Type.String({ maxLength: 32 })),
  },
  { additionalProperties: false },
);
export type Measurement = Static<typeof MeasurementSchema>;

export const CheckResultSchema = Type.Object(
  {
    /** The configured check's id, e.g. "disk" or "backup-nightly". */
    check: Type.String({ minLength: 1, maxLength: 128 }),
    kind: CheckKindNameSchema,
    /** What was checked: a mount point, a service name, a URL; "" when the check has one target. */
    target: Type.String({ maxLength: 512 }),
    status: StatusSchema,
    values: Type.Record(Type.String({ maxLength: 64 }), MeasurementSchema),
    /** Plain-language verdict for a person: "Disk / has 3 % free (1.2 GB) — critically low". */
    message: Type.String({ maxLength: 2048 }),
    /** When the check ran, milliseconds since the epoch. */
    ts: Type.Integer({ minimum: 0 }),
    /** How long the check took, milliseconds. */
    duration_ms: Type.Optional(Type.Number({ minimum: 0 })),
  },
  { additionalProperties: false },
);
export type CheckResult = Static<typeof CheckResultSchema>;
