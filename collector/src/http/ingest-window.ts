// Which report timestamps ingest accepts: not before a fixed earliest time (default 2000-01-01)
// and not more than a margin (default 1 day) ahead of the collector's clock. A report outside is
// a broken agent clock or a forged body; stored, it would stand as the host's latest result forever.
import type { IngestRequest, SchemaIssue } from '@vitals/shared';
import { humanDuration } from '../notify/message.js';

export const DEFAULT_TS_EARLIEST = Date.UTC(2000, 0, 1);
export const DEFAULT_TS_AHEAD_MAX_MS = 24 * 3_600_000;

export interface TimestampWindow {
  /** Earliest accepted ts, epoch ms. */
  earliest: number;
  /** How far ahead of the collector's clock a ts may be, ms. */
  aheadMaxMs: number;
}

/** A timestamp as a person reads it, without ever throwing (a bad one reads as its raw number). */
function shown(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? `${ms} ms` : d.toISOString();
}

/** One issue per report whose `result.ts` is outside the window, named by its JSON path. */
export function timestampIssues(request: IngestRequest, now: number, window: TimestampWindow): SchemaIssue[] {
  const latest = now + window.aheadMaxMs;
  const issues: SchemaIssue[] = [];
  for (const [i, report] of request.reports.entries()) {
    const ts = report.result.ts;
    const path = `reports[${i}].result.ts`;
    if (ts < window.earliest) {
      issues.push({
        path,
        message: `${ts} (${shown(ts)}) is before the earliest accepted time ${shown(window.earliest)}`,
      });
    } else if (ts > latest) {
      issues.push({
        path,
        message:
          `${ts} (${shown(ts)}) is more than ${humanDuration(window.aheadMaxMs)} ahead of the collector's ` +
          `clock (${shown(now)}); check the agent's clock`,
      });
    }
  }
  return issues;
}
