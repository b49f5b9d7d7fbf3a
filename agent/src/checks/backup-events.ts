// The Windows event-log backup providers (Windows Server Backup, Veeam): the PowerShell queries, the
// parsing of their JSON, and a pure verdict on (events, now, thresholds). Results are decided by numeric
// event ID or level only — message text is localised and never read for the verdict.
import { compareStatus, type Measurement, type Status } from '@vitals/shared';
import { parsePowerShellDate, parsePowerShellJson } from '../platform/powershell.js';
import { type AgeThresholds, ageStatus, formatAge, formatTime, successValues } from './backup-age.js';
import type { CheckOutcome } from './check.js';

export type RunResult = 'success' | 'warning' | 'failure';

export interface BackupEvent {
  at: number;
  id: number;
  result: RunResult;
}

export interface EventSource {
  /** How the message names the product: "Windows Server Backup", "Veeam Agent". */
  name: string;
  lookbackDays: number;
}

/** Microsoft-Windows-Backup event IDs (research/tech.md §4.1). 14 "completed" follows any run, so it is not a result. */
export const WSB_RESULTS: Readonly<Record<number, RunResult>> = {
  4: 'success',
  5: 'failure',
  9: 'failure',
  19: 'failure',
  49: 'failure',
  7: 'warning',
  51: 'warning',
  146: 'warning',
};

const WSB_LOG = 'Microsoft-Windows-Backup';
const MAX_EVENTS = 50;

export function wsbScript(lookbackDays: number): string {
  return (
    `Get-WinEvent -FilterHashtable @{LogName='${WSB_LOG}'; Id=4,5,7,9,14,19,49,51,146; ` +
    `StartTime=(Get-Date).AddDays(-${lookbackDays})} -MaxEvents ${MAX_EVENTS} -ErrorAction SilentlyContinue | ` +
    'Select-Object Id,LevelDisplayName,Level,TimeCreated | ConvertTo-Json -Compress'
  );
}

/** Veeam's ID 190 "job finished"; the message is read only to pick one job, never for the result. */
export function veeamScript(log: string, lookbackDays: number, withMessage: boolean): string {
  return (
    `Get-WinEvent -FilterHashtable @{LogName='${log}'; Id=190; StartTime=(Get-Date).AddDays(-${lookbackDays})} ` +
    `-MaxEvents ${MAX_EVENTS} -ErrorAction SilentlyContinue | ` +
    `Select-Object Id,LevelDisplayName,Level,TimeCreated${withMessage ? ',Message' : ''} | ConvertTo-Json -Compress`
  );
}

/** Empty output when the log does not exist: the product is not installed (or never ran). */
export function logExistsScript(log: string): string {
  return `Get-WinEvent -ListLog '${log}' -ErrorAction SilentlyContinue | Select-Object LogName | ConvertTo-Json -Compress`;
}

export const WSB_LOG_NAME = WSB_LOG;

export class EventOutputError extends Error {
  override name = 'EventOutputError';
}

interface EventRecord {
  id: number;
  level: number | undefined;
  at: number;
  message: string | undefined;
}

function readRecords(text: string): EventRecord[] {
  let raw: unknown[];
  try {
    raw = parsePowerShellJson(text);
  } catch (error) {
    throw new EventOutputError(`the event query printed something that is not JSON (${(error as Error).message})`);
  }
  return raw.map((r, i) => {
    const rec = (r ?? {}) as Record<string, unknown>;
    const at = parsePowerShellDate(rec.TimeCreated);
    if (typeof rec.Id !== 'number' || at === undefined)
      throw new EventOutputError(`event ${i + 1} of the query output has no numeric Id or readable TimeCreated`);
    return {
      id: rec.Id,
      level: typeof rec.Level === 'number' ? rec.Level : undefined,
      at,
      message: typeof rec.Message === 'string' ? rec.Message : undefined,
    };
  });
}

export function parseWsbEvents(text: string): BackupEvent[] {
  return readRecords(text).flatMap((r) => {
    const result = WSB_RESULTS[r.id];
    return result ? [{ at: r.at, id: r.id, result }] : [];
  });
}

// Event levels: 1 Critical, 2 Error, 3 Warning, 4 Information (0 LogAlways is written as Information).
const VEEAM_LEVELS: Readonly<Record<number, RunResult>> = {
  0: 'success',
  4: 'success',
  3: 'warning',
  2: 'failure',
  1: 'failure',
};

/** Veeam ID 190 by level: Information = Success, Warning = Warning, Error = Failed. */
export function parseVeeamEvents(text: string, job?: string): BackupEvent[] {
  const wanted = job?.toLowerCase();
  return readRecords(text).flatMap((r) => {
    const result = r.level === undefined ? undefined : VEEAM_LEVELS[r.level];
    if (r.id !== 190 || !result) return [];
    // The job name is the customer's own word, so matching it is not reading localised text.
    if (wanted !== undefined && !r.message?.toLowerCase().includes(wanted)) return [];
    return [{ at: r.at, id: r.id, result }];
  });
}

function describeRun(e: BackupEvent): string {
  const what = e.result === 'failure' ? 'failed' : e.result === 'warning' ? 'finished with warnings' : 'succeeded';
  return `${what} at ${formatTime(e.at)} (event ${e.id})`;
}

function worse(a: Status, b: Status): Status {
  return compareStatus(a, b) >= 0 ? a : b;
}

/**
 * Pure verdict: OK when the last success is within the warning age; a failed run after it is a
 * WARNING at once (and the age rules still apply); no success in the window is CRITICAL.
 */
export function judgeBackupEvents(
  events: BackupEvent[],
  now: number,
  thresholds: AgeThresholds,
  source: EventSource,
): CheckOutcome {
  const target = source.name;
  const sorted = [...events].sort((a, b) => b.at - a.at);
  const latest = sorted[0];
  if (!latest)
    return {
      target,
      status: 'CRITICAL',
      values: {},
      message: `no backup recorded in ${source.lookbackDays} days (${source.name} event log)`,
    };
  const lastSuccess = sorted.find((e) => e.result === 'success');
  const values: Record<string, Measurement> = {};
  if (!lastSuccess) {
    values.last_result = { value: latest.result };
    values.last_event_id = { value: latest.id };
    return {
      target,
      status: 'CRITICAL',
      values,
      message: `no successful backup in ${source.lookbackDays} days (${source.name}); the last run ${describeRun(latest)}`,
    };
  }
  const after = sorted.filter((e) => e.at > lastSuccess.at);
  const problem = after.find((e) => e.result === 'failure') ?? after.find((e) => e.result === 'warning');
  const ageMs = Math.max(0, now - lastSuccess.at);
  const byAge = ageStatus(ageMs, thresholds);
  Object.assign(values, successValues(lastSuccess.at, now), {
    last_result: { value: problem?.result ?? 'success' },
    last_event_id: { value: (problem ?? lastSuccess).id },
  });
  const tooOld = byAge === 'OK' ? '' : ` — it should be less than ${formatAge(thresholds.warnMs)}`;
  if (problem)
    return {
      target,
      status: worse(byAge, 'WARNING'),
      values,
      message: `the last backup run ${describeRun(problem)}; the last success was ${formatAge(ageMs)} ago${tooOld}`,
    };
  return {
    target,
    status: byAge,
    values,
    message: `the last backup ${describeRun(lastSuccess)}, ${formatAge(ageMs)} ago${tooOld}`,
  };
}

/** Parse and judge in one step; unreadable output is UNKNOWN with the reason, never OK. */
export function judgeEventOutput(
  text: string,
  parse: (text: string) => BackupEvent[],
  now: number,
  thresholds: AgeThresholds,
  source: EventSource,
): CheckOutcome {
  try {
    return judgeBackupEvents(parse(text), now, thresholds, source);
  } catch (error) {
    if (!(error instanceof EventOutputError)) throw error;
    return {
      target: source.name,
      status: 'UNKNOWN',
      values: {},
      message: `could not read the ${source.name} events: ${error.message}`,
    };
  }
}
