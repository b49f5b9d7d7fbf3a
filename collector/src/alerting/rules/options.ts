// The option pieces rule schemas are built from (enabled, durations written as "15m", severities)
// and their reading into numbers, so every rule spells and checks its options the same way.
import { DURATION_PATTERN, parseDuration } from '@vitals/shared';
import Type, { type TSchema } from 'typebox';
import type { Severity } from '../types.js';

/** A rule option that passed the schema but makes no sense (recover above fire, 0 s silence). */
export class RuleOptionError extends Error {
  override name = 'RuleOptionError';
  constructor(
    /** The option's key under the rule, e.g. `recover_percent`. */
    readonly key: string,
    message: string,
  ) {
    super(`${key}: ${message}`);
  }
}

export function enabledOption(): TSchema {
  return Type.Boolean({ default: true, description: 'false turns the rule off' });
}

export function durationOption(defaultValue: string, description: string): TSchema {
  return Type.String({ pattern: DURATION_PATTERN, default: defaultValue, description });
}

export function severityOption(defaultValue: Severity, description: string): TSchema {
  return Type.Union([Type.Literal('warning'), Type.Literal('critical')], { default: defaultValue, description });
}

export function countOption(defaultValue: number, description: string): TSchema {
  return Type.Integer({ minimum: 1, maximum: 1000, default: defaultValue, description });
}

export function percentOption(defaultValue: number, description: string): TSchema {
  return Type.Number({ minimum: 0, maximum: 100, default: defaultValue, description });
}

/** A duration option in ms; `positive` rejects "0s" where zero would fire on everything. */
export function readDuration(raw: Record<string, unknown>, key: string, positive = false): number {
  const value = raw[key];
  const ms = typeof value === 'string' || typeof value === 'number' ? parseDuration(value) : undefined;
  if (ms === undefined)
    throw new RuleOptionError(key, `must be a duration such as 15m, 26h or 7d, got ${String(value)}`);
  if (positive && ms <= 0) throw new RuleOptionError(key, 'must be longer than 0');
  return ms;
}

export function readNumber(raw: Record<string, unknown>, key: string): number {
  const value = raw[key];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new RuleOptionError(key, 'must be a number');
  return value;
}

export function readSeverity(raw: Record<string, unknown>, key: string): Severity {
  const value = raw[key];
  if (value !== 'warning' && value !== 'critical') throw new RuleOptionError(key, 'must be warning or critical');
  return value;
}

export function readEnabled(raw: Record<string, unknown>): boolean {
  const value = raw.enabled;
  if (typeof value !== 'boolean') throw new RuleOptionError('enabled', 'must be true or false');
  return value;
}
