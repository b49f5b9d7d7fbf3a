// The status vocabulary shared by agent, collector and `vitals check`: one definition of
// OK/WARNING/CRITICAL/UNKNOWN, their order and their Nagios exit codes.
import Type from 'typebox';

export const STATUSES = ['OK', 'WARNING', 'CRITICAL', 'UNKNOWN'] as const;
export const StatusSchema = Type.Union([
  Type.Literal('OK'),
  Type.Literal('WARNING'),
  Type.Literal('CRITICAL'),
  Type.Literal('UNKNOWN'),
]);
export type Status = (typeof STATUSES)[number];

/** Nagios plugin convention: the exit code of `vitals check` is the worst status. */
export const EXIT_CODE: Record<Status, number> = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 };

// Severity order for "worst": CRITICAL beats UNKNOWN beats WARNING beats OK, so a machine with a
// full disk and one check that could not run is reported as CRITICAL, not "unknown".
const SEVERITY: Record<Status, number> = { OK: 0, WARNING: 1, UNKNOWN: 2, CRITICAL: 3 };

export function worstStatus(statuses: Iterable<Status>): Status {
  let worst: Status = 'OK';
  for (const s of statuses) if (SEVERITY[s] > SEVERITY[worst]) worst = s;
  return worst;
}

export function compareStatus(a: Status, b: Status): number {
  return SEVERITY[a] - SEVERITY[b];
}

export function isStatus(value: unknown): value is Status {
  return typeof value === 'string' && (STATUSES as readonly string[]).includes(value);
}

/** Maps a Nagios-style exit code to a status; anything other than 0..2 is UNKNOWN. */
export function statusFromExitCode(code: number | null): Status {
  if (code === 0) return 'OK';
  if (code === 1) return 'WARNING';
  if (code === 2) return 'CRITICAL';
  return 'UNKNOWN';
}
