// How bad a host, site or client is, in the one word the fleet sorts by: the worst of its open
// alerts, its latest check statuses and whether its agent still reports.
import type { Status } from '@vitals/shared';
import type { Severity } from '../alerting/types.js';

/** `unknown`: a check could not tell, or the agent stopped reporting (its results are stale). */
export type Level = 'critical' | 'warning' | 'unknown' | 'ok';
export const LEVELS: readonly Level[] = ['critical', 'warning', 'unknown', 'ok'];

const RANK: Record<Level, number> = { critical: 3, warning: 2, unknown: 1, ok: 0 };

export function levelOfStatus(status: Status | string | null): Level {
  if (status === 'CRITICAL') return 'critical';
  if (status === 'WARNING') return 'warning';
  if (status === 'UNKNOWN') return 'unknown';
  return 'ok';
}

export function levelOfSeverity(severity: Severity | null): Level {
  return severity ?? 'ok';
}

/** The worse of two levels; `ok` for none. */
export function worstLevel(levels: Iterable<Level>): Level {
  let worst: Level = 'ok';
  for (const level of levels) if (RANK[level] > RANK[worst]) worst = level;
  return worst;
}

/** For sorting: the worse level first, then by name (case-insensitive, numbers in order: PC-2 before PC-10). */
export function worstFirst(a: { level: Level; name: string }, b: { level: Level; name: string }): number {
  return RANK[b.level] - RANK[a.level] || compareNames(a.name, b.name);
}

export function compareNames(a: string, b: string): number {
  return a.localeCompare(b, 'en', { sensitivity: 'base', numeric: true }) || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * A host's level: the worst of its open alerts and latest results; a silent or offline agent's
 * results are stale, so at least `unknown`; a retired host is history and counts as `ok`.
 */
export function hostLevel(
  status: 'online' | 'silent' | 'offline' | 'retired',
  alertSeverities: readonly Severity[],
  resultStatuses: readonly (Status | string)[],
): Level {
  if (status === 'retired') return 'ok';
  const stale: Level = status === 'silent' || status === 'offline' ? 'unknown' : 'ok';
  return worstLevel([...alertSeverities.map(levelOfSeverity), ...resultStatuses.map(levelOfStatus), stale]);
}
