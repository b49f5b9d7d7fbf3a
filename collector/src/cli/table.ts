// Plain-text tables for the CLI's human output: left-aligned columns, a header row. Every cell
// goes through terminalSafe, so agent-provided text prints no control sequence.
import { terminalSafe } from '@vitals/shared';

export function formatTable(header: string[], rawRows: string[][]): string {
  const rows = rawRows.map((r) => r.map((c) => terminalSafe(c ?? '')));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return `${[line(header), ...rows.map(line)].join('\n')}\n`;
}

/**
 * Epoch ms as ISO time, total: null for null and for any value a Date cannot hold (±8.64e15 ms),
 * so a bad timestamp already in a database never makes a page, an API or a command fail.
 */
export function isoTime(ms: number | null | undefined): string | null {
  if (ms === null || ms === undefined) return null;
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d.toISOString();
}
