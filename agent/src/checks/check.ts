// The one shape every check kind has (after node_exporter's collectors): its config keys as a
// schema with defaults, its default interval, and `run`, which turns config into results.
import {
  type CheckKindName,
  type CheckResult,
  DURATION_PATTERN,
  type Measurement,
  type SchemaIssue,
  type Status,
} from '@vitals/shared';
import type { Static, TProperties } from 'typebox';
import Type from 'typebox';

/** What a check returns; the runner adds the check id, kind, time and duration. */
export interface CheckOutcome {
  target: string;
  status: Status;
  values: Record<string, Measurement>;
  message: string;
}

export interface CheckContext {
  /** Injectable clock, milliseconds since the epoch. */
  now(): number;
  /** Aborted when the check's timeout expires; pass it to every child process and socket. */
  signal: AbortSignal;
  timeoutMs: number;
  platform: NodeJS.Platform;
}

/** Keys every configured check has, whatever its kind. */
export const COMMON_CHECK_KEYS = {
  id: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 128,
      pattern: '^[A-Za-z0-9][A-Za-z0-9_.:-]*$',
      description: 'unique id; default: the kind',
    }),
  ),
  kind: Type.String({ description: 'which check kind this is' }),
  interval: Type.Optional(
    Type.String({ pattern: DURATION_PATTERN, description: 'how often `vitals run` runs it, e.g. 60s, 15m, 6h' }),
  ),
  timeout: Type.Optional(
    Type.String({ pattern: DURATION_PATTERN, description: 'after this the check is cut off and reports UNKNOWN' }),
  ),
  enabled: Type.Optional(Type.Boolean({ default: true, description: 'false keeps the definition but never runs it' })),
} satisfies TProperties;

export interface CheckKind<P extends TProperties = TProperties> {
  kind: CheckKindName;
  /** One line for `--help` and the README reference. */
  summary: string;
  /** Kind-specific config keys; each carries its `default` and `description`. */
  options: P;
  defaultInterval: string;
  defaultTimeout: string;
  run(options: Static<ReturnType<typeof Type.Object<P>>>, ctx: CheckContext): Promise<CheckOutcome[]>;
  /**
   * Rules a schema cannot say (exactly one of two keys, a URL's scheme), checked by
   * `vitals config validate` on schema-valid options with defaults; paths relative to the check.
   */
  validate?(options: Static<ReturnType<typeof Type.Object<P>>>): SchemaIssue[];
}

/** Keeps the options type attached to `run` without repeating it at every definition. */
export function defineCheck<P extends TProperties>(kind: CheckKind<P>): CheckKind<P> {
  return kind;
}

export function unknownOutcome(target: string, reason: string): CheckOutcome {
  return { target, status: 'UNKNOWN', values: {}, message: reason };
}

/** Stamps a check's outcomes into wire results. */
export function toResults(
  check: { id: string; kind: CheckKindName },
  outcomes: CheckOutcome[],
  ts: number,
  durationMs: number,
): CheckResult[] {
  return outcomes.map((o) => ({
    check: check.id,
    kind: check.kind,
    target: o.target,
    status: o.status,
    values: o.values,
    message: o.message,
    ts,
    duration_ms: Math.round(durationMs * 10) / 10,
  }));
}

/** Classifies a value against "lower is worse" thresholds (free space, available memory). */
export function statusBelow(value: number, warn: number | undefined, crit: number | undefined): Status {
  if (crit !== undefined && value < crit) return 'CRITICAL';
  if (warn !== undefined && value < warn) return 'WARNING';
  return 'OK';
}

/** Classifies a value against "higher is worse" thresholds (utilisation, age, temperature). */
export function statusAbove(value: number, warn: number | undefined, crit: number | undefined): Status {
  if (crit !== undefined && value > crit) return 'CRITICAL';
  if (warn !== undefined && value > warn) return 'WARNING';
  return 'OK';
}
