// How the CLI reads a moment a person types: an ISO time, or epoch milliseconds. A time without a
// zone is UTC, so a command or a series file means the same instant on every machine.
import { UsageError } from '../config.js';

const ZONELESS = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?$/;

/** Epoch ms, or undefined when the text is not a time. A bare date is midnight UTC. */
export function parseTime(text: string): number | undefined {
  const t = text.trim();
  if (/^\d+$/.test(t)) return Number(t);
  const ms = Date.parse(ZONELESS.test(t) ? `${t.replace(' ', 'T')}Z` : t);
  return Number.isNaN(ms) ? undefined : ms;
}

/** --until: a moment in the form parseTime reads; a usage error otherwise. */
export function parseUntil(value: string): number {
  const ms = parseTime(value);
  if (ms === undefined)
    throw new UsageError(`--until must be an ISO time (2026-01-31T18:00Z) or epoch ms, got "${value}"`);
  return ms;
}
