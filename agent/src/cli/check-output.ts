// How `vitals check` shows results to a person: a plain-language table, worst first, colour only
// when the output is a terminal; and the JSON document for machines.
import os from 'node:os';
import {
  type CheckResult,
  compareStatus,
  EXIT_CODE,
  formatBytes,
  formatDuration,
  type Measurement,
  type Status,
  terminalSafe,
  worstStatus,
} from '@vitals/shared';

const COLOUR: Record<Status, string> = {
  OK: '\x1b[32m',
  WARNING: '\x1b[33m',
  CRITICAL: '\x1b[31m',
  UNKNOWN: '\x1b[35m',
};
const RESET = '\x1b[0m';

/** The headline value of a result, formatted by its unit: "1.2 GB", "42 %", "31 h". */
export function formatMeasurement(m: Measurement | undefined): string {
  if (!m || m.value === null) return '';
  if (typeof m.value !== 'number') return String(m.value);
  const v = m.value;
  switch (m.unit) {
    case 'bytes':
      return formatBytes(v);
    case 'percent':
      return `${v < 10 ? Math.round(v * 10) / 10 : Math.round(v)} %`;
    case 'seconds':
      return formatDuration(v);
    case 'ms':
      return `${Math.round(v)} ms`;
    case 'hours':
      return `${Math.round(v * 10) / 10} h`;
    case 'days':
      return `${Math.round(v * 10) / 10} days`;
    case 'celsius':
      return `${v} °C`;
    case undefined:
    case 'count':
      return String(Math.round(v * 100) / 100);
    default:
      return `${Math.round(v * 100) / 100} ${m.unit}`;
  }
}

function label(r: CheckResult): string {
  return r.target === '' || r.target === r.check ? r.check : `${r.check} ${r.target}`;
}

function sortWorstFirst(results: CheckResult[]): CheckResult[] {
  return [...results].sort((a, b) => compareStatus(b.status, a.status) || label(a).localeCompare(label(b)));
}

export function renderTable(
  results: CheckResult[],
  options: { colour: boolean; width?: number; tookMs?: number },
): string {
  const rows = sortWorstFirst(results).map((r) => [
    r.status,
    // Targets and messages come from the machine (volume labels, service names): no raw escapes.
    terminalSafe(label(r)),
    formatMeasurement(Object.values(r.values)[0]),
    terminalSafe(r.message),
  ]);
  const headers = ['STATUS', 'CHECK', 'VALUE', 'WHAT IT MEANS'];
  const widths = [0, 1, 2].map((i) => Math.min(40, Math.max(headers[i]!.length, ...rows.map((row) => row[i]!.length))));
  const pad = (text: string, width: number) =>
    text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
  const lines = [headers.map((h, i) => (i < 3 ? pad(h, widths[i]!) : h)).join('  ')];
  for (const row of rows) {
    const status = pad(row[0]!, widths[0]!);
    const coloured = options.colour ? `${COLOUR[row[0] as Status]}${status}${RESET}` : status;
    lines.push([coloured, pad(row[1]!, widths[1]!), pad(row[2]!, widths[2]!), row[3]].join('  '));
  }
  const worst = worstStatus(results.map((r) => r.status));
  const counts = (['CRITICAL', 'WARNING', 'UNKNOWN', 'OK'] as Status[])
    .map((s) => [s, results.filter((r) => r.status === s).length] as const)
    .filter(([, n]) => n > 0)
    .map(([s, n]) => `${n} ${s === 'OK' ? 'OK' : s.toLowerCase()}`)
    .join(', ');
  const overall = options.colour ? `${COLOUR[worst]}${worst}${RESET}` : worst;
  const took = options.tookMs !== undefined ? ` in ${(options.tookMs / 1000).toFixed(1)} s` : '';
  lines.push('', `${os.hostname()}: ${overall} — ${counts} (${results.length} results${took})`, verdictLine(worst));
  return `${lines.join('\n')}\n`;
}

function verdictLine(worst: Status): string {
  switch (worst) {
    case 'OK':
      return 'This machine looks healthy.';
    case 'WARNING':
      return 'This machine works, but something needs attention soon. Tell your IT provider.';
    case 'CRITICAL':
      return 'Something on this machine needs attention now. Call your IT provider.';
    default:
      return 'Some checks could not run, so this machine’s health is not fully known.';
  }
}

export interface CheckReport {
  host: string;
  ts: number;
  status: Status;
  exit_code: number;
  results: CheckResult[];
}

export function buildReport(results: CheckResult[], ts: number): CheckReport {
  const status = worstStatus(results.map((r) => r.status));
  return { host: os.hostname(), ts, status, exit_code: EXIT_CODE[status], results };
}
