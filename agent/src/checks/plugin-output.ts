// Reads what a local script printed, Nagios-plugin style ("TEXT | label=value[UOM];warn;crit;min;max"):
// a safe one-line message and the perfdata as values. Scripts print anything, so nothing here may throw.
import type { Measurement } from '@vitals/shared';

/** Longest message we keep from a script; the wire allows 2048, a table row needs far less. */
export const MAX_MESSAGE_CHARS = 300;
const MAX_PERF_VALUES = 20;
const MAX_LABEL_CHARS = 64;

// C0/C1 control characters, DEL and U+FFFD (what undecodable bytes become) — a binary blob must
// not reach a terminal or an email as escape sequences.
const UNPRINTABLE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffd]/g;
const ANSI_ESCAPE = /\x1b\[[0-9;?]*[ -/]*[@-~]/g;

/** Printable text only, whitespace collapsed, capped with an ellipsis. */
export function cleanText(text: string, max = MAX_MESSAGE_CHARS): string {
  const clean = text.replace(ANSI_ESCAPE, '').replace(UNPRINTABLE, '').replace(/\s+/g, ' ').trim();
  return clean.length > max ? `${clean.slice(0, max - 1)}…` : clean;
}

/** The first line that has something printable on it, cleaned; "" when there is none. */
export function firstLine(output: string): string {
  // Only the head matters; a 2 MB blob is not split into a million lines.
  for (const line of output.slice(0, 64 * 1024).split(/\r?\n|\r/)) {
    const clean = cleanText(line);
    if (clean !== '') return clean;
  }
  return '';
}

export interface PluginOutput {
  /** The human part of the first line, before any `|`. */
  text: string;
  values: Record<string, Measurement>;
}

const UOM_UNITS: Record<string, string> = {
  '%': 'percent',
  s: 'seconds',
  ms: 'ms',
  us: 'us',
  B: 'bytes',
  c: 'count',
};

/** Splits a plugin's first line into its text and its perfdata values. */
export function parsePluginOutput(output: string): PluginOutput {
  const line = firstLine(output);
  const bar = line.indexOf('|');
  if (bar === -1) return { text: line, values: {} };
  return { text: line.slice(0, bar).trim(), values: parsePerfdata(line.slice(bar + 1)) };
}

/**
 * `label=value[UOM];warn;crit;min;max`, space separated, labels optionally in single quotes ('' is a
 * quote). Thresholds are not kept: the plugin already judged them in its exit code. Malformed or
 * "U" (unknown) values are skipped, never guessed.
 */
export function parsePerfdata(perfdata: string): Record<string, Measurement> {
  const values: Record<string, Measurement> = {};
  const token = /('(?:[^']|'')+'|[^\s=']+)=(\S*)/g;
  let count = 0;
  for (let match = token.exec(perfdata); match !== null && count < MAX_PERF_VALUES; match = token.exec(perfdata)) {
    const rawLabel = match[1] as string;
    const label = rawLabel.startsWith("'") ? rawLabel.slice(1, -1).replace(/''/g, "'") : rawLabel;
    const number = /^(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)([A-Za-z%]{0,3})$/.exec(
      (match[2] as string).split(';')[0] ?? '',
    );
    if (!number) continue;
    const value = Number(number[1]);
    if (!Number.isFinite(value)) continue;
    const key = valueKey(label);
    if (key === '' || key in values) continue;
    const uom = number[2] as string;
    values[key] = uom === '' ? { value } : { value, unit: UOM_UNITS[uom] ?? uom };
    count++;
  }
  return values;
}

function valueKey(label: string): string {
  return label
    .replace(/[^A-Za-z0-9_.:/-]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, MAX_LABEL_CHARS);
}
