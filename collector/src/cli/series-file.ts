// Reads a series of check results from a file for `rules test`: JSON lines (as `export` writes
// them, or a shorthand with the values as top-level fields) or CSV with a header. Every problem
// names the file and line, so a hand-written series is quick to fix.
import { readFileSync } from 'node:fs';
import { extname } from 'node:path';
import {
  CHECK_KINDS,
  type CheckKindName,
  type CheckResult,
  type Measurement,
  STATUSES,
  type Status,
} from '@vitals/shared';
import { parse } from 'csv-parse/sync';
import { parseTime } from './time-flag.js';

export type SeriesFormat = 'csv' | 'jsonl';

export interface SeriesFile {
  /** Oldest first (stable for equal ts). */
  results: CheckResult[];
  /** Hostnames named by `export` lines, in order of first appearance (empty for other inputs). */
  hosts: string[];
}

export class SeriesFileError extends Error {
  override name = 'SeriesFileError';
  constructor(
    readonly file: string,
    readonly line: number | undefined,
    readonly problem: string,
  ) {
    super(line === undefined ? `${file}: ${problem}` : `${file}:${line}: ${problem}`);
  }
}

/** By extension: .csv, .jsonl or .ndjson. */
export function seriesFormat(file: string): SeriesFormat | undefined {
  const ext = extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson') return 'jsonl';
  return undefined;
}

/** Fields that describe the result; every other shorthand field or CSV column is a value. */
const RESULT_FIELDS = new Set(['ts', 'check', 'kind', 'target', 'status', 'message', 'values']);
/** What `export` adds around a result; ignored here. */
const EXPORT_FIELDS = new Set(['agent_id', 'hostname', 'seq', 'boot_id', 'received_at', 'duration_ms']);

class LineProblem extends Error {}

/** An ISO time ("2026-01-01T00:00:00Z", no zone = UTC) or epoch milliseconds, as a number or digits. */
export function parseTs(raw: unknown): number {
  if (typeof raw === 'number') {
    if (Number.isInteger(raw) && raw >= 0) return raw;
  } else if (typeof raw === 'string') {
    const ms = parseTime(raw);
    if (ms !== undefined) return ms;
  }
  throw new LineProblem(
    `ts ${JSON.stringify(raw ?? null)} is not a time; write an ISO time (2026-01-01T08:00:00Z) or epoch milliseconds`,
  );
}

function parseKind(raw: unknown): CheckKindName {
  if (typeof raw === 'string' && (CHECK_KINDS as readonly string[]).includes(raw)) return raw as CheckKindName;
  if (raw === undefined || raw === '') throw new LineProblem(`kind is missing (one of ${CHECK_KINDS.join(', ')})`);
  throw new LineProblem(`kind ${JSON.stringify(raw)} is not a check kind (${CHECK_KINDS.join(', ')})`);
}

function parseStatus(raw: unknown): Status {
  if (raw === undefined || raw === '') return 'OK';
  if (typeof raw === 'string' && (STATUSES as readonly string[]).includes(raw)) return raw as Status;
  throw new LineProblem(`status ${JSON.stringify(raw)} is not one of ${STATUSES.join(', ')}`);
}

function text(raw: unknown, field: string, fallback: string): string {
  if (raw === undefined || raw === null) return fallback;
  if (typeof raw !== 'string') throw new LineProblem(`${field} must be a string, got ${JSON.stringify(raw)}`);
  return raw;
}

function measurement(name: string, raw: unknown): Measurement {
  if (raw === null || typeof raw === 'number' || typeof raw === 'string' || typeof raw === 'boolean') {
    if (typeof raw === 'number' && !Number.isFinite(raw)) throw new LineProblem(`${name} is not a finite number`);
    return { value: raw };
  }
  throw new LineProblem(`${name} must be a number, string, boolean or null, got ${JSON.stringify(raw)}`);
}

/** `values` as `export` writes it: {"free_bytes": {"value": 1, "unit": "bytes"}, …}. */
function exportValues(raw: unknown): Record<string, Measurement> {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new LineProblem('values must be an object of {"value": …, "unit": …} measurements');
  }
  const out: Record<string, Measurement> = {};
  for (const [name, m] of Object.entries(raw)) {
    if (typeof m !== 'object' || m === null || !('value' in m)) {
      throw new LineProblem(`values.${name} must be {"value": …, "unit": …}`);
    }
    const { value, unit } = m as { value: unknown; unit?: unknown };
    out[name] = measurement(`values.${name}`, value);
    if (unit !== undefined) (out[name] as Measurement).unit = text(unit, `values.${name}.unit`, '');
  }
  return out;
}

function result(fields: Record<string, unknown>, values: Record<string, Measurement>): CheckResult {
  const kind = parseKind(fields.kind);
  return {
    check: text(fields.check, 'check', '') || kind,
    kind,
    target: text(fields.target, 'target', ''),
    status: parseStatus(fields.status),
    values,
    message: text(fields.message, 'message', ''),
    ts: parseTs(fields.ts),
  };
}

function fromJsonLine(line: string): { result: CheckResult; host?: string } {
  let fields: unknown;
  try {
    fields = JSON.parse(line);
  } catch (error) {
    throw new LineProblem(`not JSON: ${(error as Error).message}`);
  }
  if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) {
    throw new LineProblem('must be a JSON object such as {"ts": "…", "kind": "disk", "target": "/", "free_bytes": 1}');
  }
  const f = fields as Record<string, unknown>;
  if ('values' in f) {
    const host = typeof f.hostname === 'string' ? f.hostname : undefined;
    return { result: result(f, exportValues(f.values)), host };
  }
  const values: Record<string, Measurement> = {};
  for (const [name, raw] of Object.entries(f)) {
    if (!RESULT_FIELDS.has(name) && !EXPORT_FIELDS.has(name)) values[name] = measurement(name, raw);
  }
  return { result: result(f, values) };
}

/** A CSV cell as a value: numbers and true/false as such, empty as absent, other text as text. */
function cellValue(cell: string): Measurement['value'] | undefined {
  const t = cell.trim();
  if (t === '') return undefined;
  if (t === 'true' || t === 'false') return t === 'true';
  const n = Number(t);
  return Number.isFinite(n) ? n : t;
}

function fromCsvRecord(record: Record<string, string>, exportColumns: boolean): CheckResult {
  if (exportColumns) {
    let values: unknown;
    try {
      values = JSON.parse(record.values ?? '');
    } catch {
      throw new LineProblem('values must be a JSON object, as `export --format csv` writes it');
    }
    return result(record, exportValues(values));
  }
  const values: Record<string, Measurement> = {};
  for (const [name, cell] of Object.entries(record)) {
    if (RESULT_FIELDS.has(name) || EXPORT_FIELDS.has(name)) continue;
    const value = cellValue(cell);
    if (value !== undefined) values[name] = { value };
  }
  return result(record, values);
}

function parseJsonl(text: string, file: string): SeriesFile {
  const rows: CheckResult[] = [];
  const hosts: string[] = [];
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      const { result: r, host } = fromJsonLine(line);
      rows.push(r);
      if (host !== undefined && !hosts.includes(host)) hosts.push(host);
    } catch (error) {
      if (error instanceof LineProblem) throw new SeriesFileError(file, i + 1, error.message);
      throw error;
    }
  });
  return { results: rows, hosts };
}

function parseCsv(text: string, file: string): SeriesFile {
  let records: { record: Record<string, string>; info: { lines: number } }[];
  try {
    records = parse(text, { columns: true, info: true, skip_empty_lines: true, trim: true, bom: true });
  } catch (error) {
    const e = error as Error & { lines?: number };
    throw new SeriesFileError(file, e.lines, e.message.replace(/ (on|at) line \d+$/, ''));
  }
  const header = Object.keys(records[0]?.record ?? {});
  for (const required of ['ts', 'kind']) {
    if (records.length > 0 && !header.includes(required)) {
      throw new SeriesFileError(file, 1, `the header has no "${required}" column (needs ts, kind and target)`);
    }
  }
  const exportColumns = header.includes('values');
  const results = records.map(({ record, info }) => {
    try {
      return fromCsvRecord(record, exportColumns);
    } catch (error) {
      if (error instanceof LineProblem) throw new SeriesFileError(file, info.lines, error.message);
      throw error;
    }
  });
  const hosts = exportColumns ? [...new Set(records.map((r) => r.record.hostname ?? '').filter((h) => h !== ''))] : [];
  return { results, hosts };
}

/** Parses a series file's text; throws SeriesFileError naming the line. */
export function parseSeries(text: string, format: SeriesFormat, file: string): SeriesFile {
  const parsed = format === 'csv' ? parseCsv(text, file) : parseJsonl(text, file);
  if (parsed.results.length === 0) throw new SeriesFileError(file, undefined, 'holds no results');
  const results = parsed.results
    .map((r, i) => ({ r, i }))
    .sort((a, b) => a.r.ts - b.r.ts || a.i - b.i)
    .map(({ r }) => r);
  return { results, hosts: parsed.hosts };
}

export function readSeriesFile(file: string): SeriesFile {
  const format = seriesFormat(file);
  if (!format) throw new SeriesFileError(file, undefined, 'unknown format; name it .csv, .jsonl or .ndjson');
  let content: string;
  try {
    content = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SeriesFileError(file, undefined, code === 'ENOENT' ? 'file not found' : `cannot read: ${String(error)}`);
  }
  return parseSeries(content, format, file);
}
