// How `export` writes stored reports: JSON lines or RFC 4180 CSV, and how it reads --since.
import { parseDuration } from '@vitals/shared';
import { UsageError } from '../config.js';
import type { StoredReport } from '../store/store.js';

export const EXPORT_FIELDS = [
  'agent_id',
  'hostname',
  'seq',
  'boot_id',
  'ts',
  'received_at',
  'check',
  'kind',
  'target',
  'status',
  'values',
  'message',
  'duration_ms',
] as const;

/** ts and received_at stay epoch milliseconds, as on the wire. */
export function toJsonLine(r: StoredReport): string {
  const out: Record<string, unknown> = {};
  for (const f of EXPORT_FIELDS) out[f] = r[f];
  return JSON.stringify(out);
}

function csvCell(value: unknown): string {
  const text =
    value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const CSV_HEADER = EXPORT_FIELDS.join(',');

export function toCsvLine(r: StoredReport): string {
  return EXPORT_FIELDS.map((f) => csvCell(r[f])).join(',');
}

/** --since: an ISO date/time, epoch milliseconds, or a duration meaning "that long ago" (24h, 7d). */
export function parseSince(value: string, now: number): number {
  if (/^\d{10,}$/.test(value)) return Number(value);
  const ago = parseDuration(value);
  if (ago !== undefined) return now - ago;
  const parsed = Date.parse(value);
  if (Number.isNaN(parsed)) {
    throw new UsageError(
      `--since must be an ISO time (2025-01-31T08:00Z), epoch ms or a duration (24h), got "${value}"`,
    );
  }
  return parsed;
}
