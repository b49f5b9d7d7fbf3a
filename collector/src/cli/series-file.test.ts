import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSeries, parseTs, readSeriesFile, SeriesFileError, seriesFormat } from './series-file.js';

const T = Date.UTC(2026, 0, 1);

function problem(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(SeriesFileError);
    return (error as Error).message;
  }
  throw new Error('expected a SeriesFileError');
}

describe('seriesFormat', () => {
  it('tells the format by extension, whatever the case', () => {
    expect(seriesFormat('disk.csv')).toBe('csv');
    expect(seriesFormat('a/b/DISK.JSONL')).toBe('jsonl');
    expect(seriesFormat('x.ndjson')).toBe('jsonl');
    expect(seriesFormat('x.json')).toBeUndefined();
  });
});

describe('parseTs', () => {
  it('reads ISO times, zone-less times as UTC, and epoch milliseconds as number or digits', () => {
    expect(parseTs('2026-01-01T00:00:00Z')).toBe(T);
    expect(parseTs('2026-01-01T01:00:00+01:00')).toBe(T);
    expect(parseTs('2026-01-01 00:30')).toBe(T + 1_800_000);
    expect(parseTs('2026-01-01')).toBe(T);
    expect(parseTs(T)).toBe(T);
    expect(parseTs(String(T))).toBe(T);
    expect(() => parseTs('yesterday')).toThrow(/not a time/);
    expect(() => parseTs(-5)).toThrow(/not a time/);
  });
});

describe('parseSeries JSON lines', () => {
  it('turns shorthand fields other than the result fields into values', () => {
    const text = [
      '{"ts": "2026-01-01T00:00:00Z", "kind": "disk", "target": "/", "free_bytes": 123, "size_bytes": 456}',
      '',
      `{"ts": ${T + 60_000}, "kind": "service", "check": "spooler", "target": "Spooler", "status": "CRITICAL", "state": "stopped"}`,
    ].join('\n');
    const { results, hosts } = parseSeries(text, 'jsonl', 's.jsonl');
    expect(hosts).toEqual([]);
    expect(results).toStrictEqual([
      {
        check: 'disk',
        kind: 'disk',
        target: '/',
        status: 'OK',
        values: { free_bytes: { value: 123 }, size_bytes: { value: 456 } },
        message: '',
        ts: T,
      },
      {
        check: 'spooler',
        kind: 'service',
        target: 'Spooler',
        status: 'CRITICAL',
        values: { state: { value: 'stopped' } },
        message: '',
        ts: T + 60_000,
      },
    ]);
  });

  it('reads `export` lines with their units and names the hosts they came from', () => {
    const line = {
      agent_id: 'ag_1',
      hostname: 'EMR-SRV01',
      seq: 7,
      boot_id: 'b',
      ts: T,
      received_at: T + 5,
      check: 'disk-c',
      kind: 'disk',
      target: 'C:',
      status: 'WARNING',
      values: { free_percent: { value: 12.5, unit: 'percent' }, fs: { value: 'NTFS' } },
      message: 'Disk C: has 12.5 % free',
      duration_ms: 3,
    };
    const { results, hosts } = parseSeries(JSON.stringify(line), 'jsonl', 'e.jsonl');
    expect(hosts).toEqual(['EMR-SRV01']);
    expect(results).toStrictEqual([
      {
        check: 'disk-c',
        kind: 'disk',
        target: 'C:',
        status: 'WARNING',
        values: { free_percent: { value: 12.5, unit: 'percent' }, fs: { value: 'NTFS' } },
        message: 'Disk C: has 12.5 % free',
        ts: T,
      },
    ]);
  });

  it('sorts by time, keeping file order for equal times', () => {
    const lines = [
      `{"ts": ${T + 2}, "kind": "cpu", "used_percent": 3}`,
      `{"ts": ${T}, "kind": "cpu", "used_percent": 1}`,
      `{"ts": ${T}, "kind": "cpu", "used_percent": 2}`,
    ];
    const { results } = parseSeries(lines.join('\n'), 'jsonl', 's.jsonl');
    expect(results.map((r) => r.values.used_percent?.value)).toEqual([1, 2, 3]);
  });

  it('names the file and line of a bad line', () => {
    const good = `{"ts": ${T}, "kind": "disk", "target": "/", "free_bytes": 1}`;
    expect(problem(() => parseSeries(`${good}\n{"ts": 1, "kind": "disk"`, 'jsonl', 's.jsonl'))).toMatch(
      /^s\.jsonl:2: not JSON/,
    );
    expect(problem(() => parseSeries(`${good}\n\n[1]`, 'jsonl', 's.jsonl'))).toMatch(
      /^s\.jsonl:3: must be a JSON object/,
    );
    expect(problem(() => parseSeries(`{"ts": ${T}, "kind": "dsk"}`, 'jsonl', 's.jsonl'))).toBe(
      's.jsonl:1: kind "dsk" is not a check kind (cpu, memory, disk, service, process, backup, smart, endpoint, uptime, command)',
    );
    expect(problem(() => parseSeries(`{"ts": "soon", "kind": "disk"}`, 'jsonl', 's.jsonl'))).toMatch(
      /^s\.jsonl:1: ts "soon" is not a time/,
    );
    expect(problem(() => parseSeries(`{"ts": ${T}, "kind": "disk", "status": "BAD"}`, 'jsonl', 's.jsonl'))).toMatch(
      /^s\.jsonl:1: status "BAD" is not one of OK, WARNING, CRITICAL, UNKNOWN/,
    );
    expect(problem(() => parseSeries(`{"ts": ${T}, "kind": "disk", "free": {"x": 1}}`, 'jsonl', 's.jsonl'))).toMatch(
      /^s\.jsonl:1: free must be a number, string, boolean or null/,
    );
    expect(problem(() => parseSeries(`{"ts": ${T}, "kind": "disk", "values": {"f": 1}}`, 'jsonl', 's.jsonl'))).toMatch(
      /^s\.jsonl:1: values\.f must be \{"value"/,
    );
  });

  it('refuses a file with no results', () => {
    expect(problem(() => parseSeries('\n\n', 'jsonl', 'empty.jsonl'))).toBe('empty.jsonl: holds no results');
  });
});

describe('parseSeries CSV', () => {
  it('reads numeric, boolean and text columns as values and leaves empty cells out', () => {
    const text = [
      'ts,kind,target,status,free_bytes,size_bytes,reboot_pending,note',
      '2026-01-01T00:00:00Z,disk,C:,,100,400,,',
      `${T + 60_000},uptime,,WARNING,,,true,patch`,
    ].join('\n');
    const { results } = parseSeries(text, 'csv', 's.csv');
    expect(results).toStrictEqual([
      {
        check: 'disk',
        kind: 'disk',
        target: 'C:',
        status: 'OK',
        values: { free_bytes: { value: 100 }, size_bytes: { value: 400 } },
        message: '',
        ts: T,
      },
      {
        check: 'uptime',
        kind: 'uptime',
        target: '',
        status: 'WARNING',
        values: { reboot_pending: { value: true }, note: { value: 'patch' } },
        message: '',
        ts: T + 60_000,
      },
    ]);
  });

  it('reads what `export --format csv` writes, values from its JSON column', () => {
    const text = [
      'agent_id,hostname,seq,boot_id,ts,received_at,check,kind,target,status,values,message,duration_ms',
      `ag_1,EMR-SRV01,1,b,${T},${T},disk,disk,/,OK,"{""free_bytes"":{""value"":5,""unit"":""bytes""}}",fine,2`,
    ].join('\r\n');
    const { results, hosts } = parseSeries(text, 'csv', 'e.csv');
    expect(hosts).toEqual(['EMR-SRV01']);
    expect(results[0]?.values).toStrictEqual({ free_bytes: { value: 5, unit: 'bytes' } });
    expect(results[0]?.message).toBe('fine');
  });

  it('names the file and line of a bad row or header', () => {
    const header = 'ts,kind,target,free_bytes';
    expect(problem(() => parseSeries(`${header}\n${T},disk,/,1\n${T},disk,/,1,2`, 'csv', 's.csv'))).toMatch(
      /^s\.csv:3: Invalid Record Length/,
    );
    expect(problem(() => parseSeries(`${header}\n${T},disk,/,1\n\nlater,disk,/,2`, 'csv', 's.csv'))).toMatch(
      /^s\.csv:4: ts "later" is not a time/,
    );
    expect(problem(() => parseSeries(`time,kind,target\n${T},disk,/`, 'csv', 's.csv'))).toBe(
      's.csv:1: the header has no "ts" column (needs ts, kind and target)',
    );
    expect(problem(() => parseSeries(`${header}\n"${T},disk,/,1`, 'csv', 's.csv'))).toMatch(
      /^s\.csv:2: Quote Not Closed/,
    );
  });
});

describe('readSeriesFile', () => {
  it('reads a file by its extension and refuses unknown extensions and missing files', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vitals-series-'));
    try {
      const file = join(dir, 'disk.ndjson');
      writeFileSync(file, `{"ts": ${T}, "kind": "disk", "target": "/", "free_bytes": 1}\n`);
      expect(readSeriesFile(file).results).toHaveLength(1);
      expect(problem(() => readSeriesFile(join(dir, 'disk.txt')))).toMatch(/unknown format; name it \.csv/);
      expect(problem(() => readSeriesFile(join(dir, 'none.csv')))).toMatch(/none\.csv: file not found$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
