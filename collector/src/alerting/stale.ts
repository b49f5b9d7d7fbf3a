// Stale targets (SPEC §7.1): a volume, service or check the host no longer reports. Pure: when a
// latest result counts as stale, how its interval is read from the spacing of its reports, and
// what becomes of an open alert on it (pending: dropped quietly; firing: resolved with a notice).

import { sayDay } from './rules/wording.js';
import type { AlertRecord, LatestResult, TransitionEvent } from './types.js';

/** `stale_after` as written: a multiple of the target's own interval ("3x") or a fixed duration. */
export type StaleAfter = { times: number } | { ms: number };

export const DEFAULT_STALE_AFTER = '3x';
/** "3x", "2.5x" or a duration ("30m"); checked again by parseStaleAfter (no zero). */
export const STALE_AFTER_PATTERN = '^\\s*(\\d+(\\.\\d+)?\\s*[xX]|\\d+(\\.\\d+)?\\s*(ms|s|m|h|d|w|MS|S|M|H|D|W))\\s*$';

/**
 * Used when a target's interval cannot be read from its reports (it was reported once, or its
 * history is past retention): the longest default check interval (smart, 6 h), so a slow check
 * seen once is not taken for gone; 3x of it is 18 h.
 */
export const FALLBACK_INTERVAL_MS = 6 * 3_600_000;

const UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/** "3x" → { times: 3 }, "30m" → { ms: 1800000 }; undefined when malformed or zero. */
export function parseStaleAfter(value: unknown): StaleAfter | undefined {
  if (typeof value !== 'string') return undefined;
  const times = /^\s*(\d+(?:\.\d+)?)\s*x\s*$/i.exec(value);
  if (times) {
    const n = Number(times[1]);
    return n > 0 ? { times: n } : undefined;
  }
  const d = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/i.exec(value);
  if (!d) return undefined;
  const ms = Math.round(Number(d[1]) * (UNITS[(d[2] as string).toLowerCase()] as number));
  return ms > 0 ? { ms } : undefined;
}

/** The silence after which a target with this interval is stale. */
export function staleAfterMs(s: StaleAfter, intervalMs: number | undefined): number {
  return 'ms' in s ? s.ms : s.times * (intervalMs ?? FALLBACK_INTERVAL_MS);
}

/**
 * A target's reporting interval from the times of its last reports (any order): the median gap,
 * so one late or doubled report does not move it. Undefined with fewer than two distinct times.
 */
export function intervalFromSpacing(times: readonly number[]): number | undefined {
  const sorted = [...new Set(times)].sort((a, b) => a - b);
  const gaps = sorted.slice(1).map((t, i) => t - (sorted[i] as number));
  if (gaps.length === 0) return undefined;
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor((gaps.length - 1) / 2)];
}

/**
 * How long the host has kept reporting other results without this one: measured to the time of
 * its newest result, not to the clock or the receive time, so a host silent altogether
 * (heartbeat's business) or an agent delivering a backlog in several batches never makes its
 * targets stale.
 */
export function silenceOf(row: Pick<LatestResult, 'ts'>, latest: readonly Pick<LatestResult, 'ts'>[]): number {
  return newestOf(latest) - row.ts;
}

export function newestOf(latest: readonly Pick<LatestResult, 'ts'>[]): number {
  return latest.reduce((max, r) => Math.max(max, r.ts), 0);
}

/** "D:", "service Spooler", "the backup-nightly check": what is no longer reported. */
export function targetWords(row: Pick<LatestResult, 'check' | 'kind' | 'target'>): string {
  if (!row.target) return `the ${row.check} check`;
  if (row.kind === 'disk') return row.target;
  return `${row.kind} ${row.target}`;
}

/** "D: on EMR-SRV01 is no longer reported since Tue 8 Dec 01:12 UTC" */
export function staleSummary(row: Pick<LatestResult, 'check' | 'kind' | 'target' | 'ts'>, host: string): string {
  return `${targetWords(row)} on ${host} is no longer reported since ${sayDay(row.ts)}`;
}

export interface StaleStep {
  prev: AlertRecord;
  next?: AlertRecord;
  event: TransitionEvent;
}

/**
 * An open alert whose target went stale: a pending one is dropped without a notice (nobody was
 * told about it), a firing one resolves now with the "no longer reported" summary, which routing
 * sends as its resolved notice.
 */
export function resolveStale(alert: AlertRecord, summary: string, now: number): StaleStep {
  if (alert.state !== 'firing') return { prev: alert, event: 'cancelled' };
  return {
    prev: alert,
    next: { ...alert, state: 'resolved', resolved_at: now, summary, updated_at: now },
    event: 'resolved',
  };
}
