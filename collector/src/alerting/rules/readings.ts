// Reads one measurement of a result as the type a rule needs; a missing or mistyped value is
// undefined, so "not reported" is never mistaken for zero or false.
import type { Measurement } from '@vitals/shared';

type Values = Record<string, Measurement>;

export function numberValue(values: Values, key: string): number | undefined {
  const v = values[key]?.value;
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

export function stringValue(values: Values, key: string): string | undefined {
  const v = values[key]?.value;
  return typeof v === 'string' ? v : undefined;
}

export function booleanValue(values: Values, key: string): boolean | undefined {
  const v = values[key]?.value;
  return typeof v === 'boolean' ? v : undefined;
}
