// How old a backup may be before someone must look: the age thresholds every backup provider
// shares, and the way ages and times are said in messages ("27 h old", "2024-11-22 02:00 UTC").
import type { Measurement, Status } from '@vitals/shared';
import { statusAbove } from './check.js';

export interface AgeThresholds {
  warnMs: number;
  critMs: number;
}

const HOUR = 3_600_000;

export function ageStatus(ageMs: number, thresholds: AgeThresholds): Status {
  return statusAbove(ageMs, thresholds.warnMs, thresholds.critMs);
}

/** "40 min", "27 h", "3 days" — rounded the way a person reads a backup's age. */
export function formatAge(ms: number): string {
  const clamped = Math.max(0, ms);
  if (clamped < HOUR) return `${Math.max(1, Math.round(clamped / 60_000))} min`;
  // One decimal, truncated: 26.2 h must not read "26 h" next to "should be less than 26 h".
  if (clamped < 72 * HOUR) return `${Math.floor((clamped / HOUR) * 10) / 10} h`;
  return `${Math.floor(clamped / (24 * HOUR))} days`;
}

/** Minute precision in UTC: the agent's clock zone may differ from the reader's. */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

export function ageHoursValue(ageMs: number): Measurement {
  return { value: Math.round((Math.max(0, ageMs) / HOUR) * 10) / 10, unit: 'hours' };
}

/** The values every provider reports when it knows a last success; the age first, as the headline. */
export function successValues(lastSuccessMs: number, now: number): Record<string, Measurement> {
  return {
    age_hours: ageHoursValue(now - lastSuccessMs),
    last_success: { value: lastSuccessMs, unit: 'epoch_ms' },
  };
}
