// How `vitals check` shows results: the table (worst first, colour only when asked, values by
// unit) and the JSON report whose exit_code is the worst status.
import os from 'node:os';
import type { CheckResult, Measurement, Status } from '@vitals/shared';
import { describe, expect, it } from 'vitest';
import { buildReport, formatMeasurement, renderTable } from './check-output.js';

function result(check: string, status: Status, values: Record<string, Measurement> = {}, target = ''): CheckResult {
  return { check, kind: 'cpu', target, status, values, message: `${check} is ${status.toLowerCase()}`, ts: 1 };
}

const ESC = '\x1b[';
const RESULTS = [
  result('cpu', 'OK', { used_percent: { value: 12.3, unit: 'percent' } }),
  result('disk', 'CRITICAL', { free_bytes: { value: 1_234_567_890, unit: 'bytes' } }, '/'),
  result('backup', 'WARNING', { age_hours: { value: 30.04, unit: 'hours' } }),
  result('smart', 'UNKNOWN'),
];

describe('renderTable', () => {
  it('lists results worst first: CRITICAL, UNKNOWN, WARNING, OK', () => {
    const lines = renderTable(RESULTS, { colour: false }).split('\n');
    expect(lines[0]).toMatch(/^STATUS\s+CHECK\s+VALUE\s+WHAT IT MEANS$/);
    expect(lines.slice(1, 5).map((l) => l.split(/\s+/)[0])).toEqual(['CRITICAL', 'UNKNOWN', 'WARNING', 'OK']);
  });

  it('sorts results of the same status by name', () => {
    const lines = renderTable([result('zeta', 'OK'), result('alpha', 'OK')], { colour: false }).split('\n');
    expect(lines[1]).toContain('alpha');
    expect(lines[2]).toContain('zeta');
  });

  it('prints no escape codes without colour, and coloured statuses with it', () => {
    expect(renderTable(RESULTS, { colour: false })).not.toContain(ESC);
    const coloured = renderTable(RESULTS, { colour: true });
    expect(coloured).toContain(`\x1b[31mCRITICAL`);
    expect(coloured).toContain(`\x1b[32mOK`);
    expect(coloured).toContain('\x1b[0m');
  });

  it('shows the headline value formatted by its unit and the target beside the check', () => {
    const text = renderTable(RESULTS, { colour: false });
    expect(text).toMatch(/^CRITICAL\s+disk \/\s+1\.2 GB\s+disk is critical$/m);
    expect(text).toMatch(/^OK\s+cpu\s+12 %\s+cpu is ok$/m);
    expect(text).toMatch(/^WARNING\s+backup\s+30 h\s+/m);
  });

  it('ends with the host, the overall status, the counts and a plain-language verdict', () => {
    const text = renderTable(RESULTS, { colour: false, tookMs: 1234 });
    expect(text).toContain(`${os.hostname()}: CRITICAL — 1 critical, 1 warning, 1 unknown, 1 OK (4 results in 1.2 s)`);
    expect(text.trimEnd().endsWith('Something on this machine needs attention now. Call your IT provider.')).toBe(true);
    expect(renderTable([result('cpu', 'OK')], { colour: false })).toContain('This machine looks healthy.');
  });

  it('shortens an over-long check name with an ellipsis instead of breaking the columns', () => {
    const long = 'x'.repeat(60);
    const line = renderTable([{ ...result(long, 'OK'), message: 'fine' }], { colour: false }).split('\n')[1] ?? '';
    expect(line).toContain(`${'x'.repeat(39)}…`);
    expect(line).not.toContain('x'.repeat(40));
    expect(line).toMatch(/…\s+fine$/);
  });
});

describe('formatMeasurement', () => {
  it('formats each unit the way a person reads it', () => {
    expect(formatMeasurement({ value: 2_500_000, unit: 'bytes' })).toBe('2.5 MB');
    expect(formatMeasurement({ value: 3.21, unit: 'percent' })).toBe('3.2 %');
    expect(formatMeasurement({ value: 97.6, unit: 'percent' })).toBe('98 %');
    expect(formatMeasurement({ value: 93, unit: 'seconds' })).toBe('1 min 33 s');
    expect(formatMeasurement({ value: 12.7, unit: 'ms' })).toBe('13 ms');
    expect(formatMeasurement({ value: 4.96, unit: 'days' })).toBe('5 days');
    expect(formatMeasurement({ value: 41, unit: 'celsius' })).toBe('41 °C');
    expect(formatMeasurement({ value: 3, unit: 'count' })).toBe('3');
    expect(formatMeasurement({ value: 0.123456 })).toBe('0.12');
    expect(formatMeasurement({ value: 7, unit: 'MB/s' })).toBe('7 MB/s');
  });

  it('shows strings and booleans as they are, and nothing for no value', () => {
    expect(formatMeasurement({ value: 'running' })).toBe('running');
    expect(formatMeasurement({ value: true })).toBe('true');
    expect(formatMeasurement({ value: null })).toBe('');
    expect(formatMeasurement(undefined)).toBe('');
  });
});

describe('buildReport', () => {
  it.each([
    [['OK', 'OK'], 'OK', 0],
    [['OK', 'WARNING'], 'WARNING', 1],
    [['WARNING', 'UNKNOWN'], 'UNKNOWN', 3],
    [['UNKNOWN', 'CRITICAL', 'OK'], 'CRITICAL', 2],
  ] as [Status[], Status, number][])('gives %j the status %s and exit code %i', (statuses, worst, code) => {
    const report = buildReport(
      statuses.map((s, i) => result(`c${i}`, s)),
      99,
    );
    expect(report.status).toBe(worst);
    expect(report.exit_code).toBe(code);
  });

  it('carries the host, the time and every result unchanged', () => {
    const report = buildReport(RESULTS, 1_700_000_000_000);
    expect(report).toEqual({
      host: os.hostname(),
      ts: 1_700_000_000_000,
      status: 'CRITICAL',
      exit_code: 2,
      results: RESULTS,
    });
  });
});
