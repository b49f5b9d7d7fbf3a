import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Report } from '@vitals/shared';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hostFacts } from '../fixtures/reports.js';
import { SqliteStore } from './sqlite.js';
import { SEQ_ORDER_SLACK_MS, SqliteSeriesStore } from './sqlite-series.js';

const MINUTE = 60_000;
const T0 = Date.UTC(2025, 0, 6);

let dir: string;
let store: SqliteStore;
let series: SqliteSeriesStore;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'vitals-series-'));
  store = SqliteStore.open(dir);
  series = new SqliteSeriesStore(store.db);
  for (const id of ['ag_a', 'ag_b']) {
    await store.createToken({
      id: `tk_${id}`,
      hash: `h_${id}`,
      client: 'C',
      site: 'S',
      createdAt: T0,
      expiresAt: T0 + 1,
    });
    await store.createAgent({ id, tokenId: `tk_${id}`, secretHash: `s_${id}`, facts: hostFacts(id), now: T0 });
  }
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function cpuReport(seq: number, ts: number, value: number): Report {
  return {
    seq,
    boot_id: 'b',
    result: {
      check: 'cpu',
      kind: 'cpu',
      target: '',
      status: 'OK',
      values: { used_percent: { value, unit: 'percent' } },
      message: '',
      ts,
    },
  };
}

async function ingest(agentId: string, reports: Report[]): Promise<void> {
  const agent = { boot_id: 'b', version: '0', dropped_total: 0, buffer_depth: 0, state: 'running' as const };
  await store.ingest({ agentId, receivedAt: T0, request: { agent_id: agentId, reports, agent } });
}

describe('SqliteSeriesStore', () => {
  it('returns exactly the samples in [from, to] although seq order strays from time order by seconds', async () => {
    // Each minute's samples are numbered in reverse time order (a slow check finishing last),
    // and a new agent buffer jumps the seqs by a billion half-way.
    const reports: Report[] = [];
    let seq = 1000;
    for (let m = 0; m < 600; m++) {
      if (m === 300) seq += 1_000_000_000;
      for (const s of [40, 20, 0]) reports.push(cpuReport(seq++, T0 + m * MINUTE + s * 1000, m));
    }
    await ingest('ag_a', reports);
    await ingest('ag_b', [cpuReport(1, T0 + 5 * MINUTE, 99)]);
    for (const [from, to] of [
      [T0 + 100 * MINUTE + 20_000, T0 + 310 * MINUTE + 20_000],
      [T0, T0 + 600 * MINUTE],
      [T0 - 60 * MINUTE, T0 + 1],
      [T0 + 299 * MINUTE + 30_000, T0 + 300 * MINUTE + 30_000],
    ] as const) {
      const points = await series.rawPoints({
        agentId: 'ag_a',
        check: 'cpu',
        target: '',
        metric: 'used_percent',
        from,
        to,
      });
      const expected = reports.map((r) => r.result.ts).filter((ts) => ts >= from && ts <= to);
      expect(points.map((p) => p.ts)).toEqual(expected.sort((a, b) => a - b));
    }
  });

  it('turns a time range into a key range by binary search, widened by the slack', async () => {
    await ingest(
      'ag_a',
      Array.from({ length: 1000 }, (_, i) => cpuReport(500 + i, T0 + i * MINUTE, i)),
    );
    const range = series.seqRange('ag_a', T0 + 100 * MINUTE, T0 + 200 * MINUTE);
    const slack = SEQ_ORDER_SLACK_MS / MINUTE;
    expect(range).toEqual({ lo: 600 - slack, hi: 700 + slack - 1 });
    expect(series.seqRange('ag_a', T0 + 2000 * MINUTE, T0 + 3000 * MINUTE)).toBeUndefined();
    expect(series.seqRange('ag_none', T0, T0 + MINUTE)).toBeUndefined();
  });

  it('reads raw data through the primary key of the agent, never a scan of the report table', () => {
    const plan = (sql: string) =>
      store.db
        .prepare(`EXPLAIN QUERY PLAN ${sql}`)
        .all({ agent: 'a', lo: 1, hi: 2, from: 1, to: 2, check: 'cpu', target: '', path: '$.x', bucket: 1000 })
        .map((r) => (r as { detail: string }).detail)
        .join('; ');
    const source = (series as unknown as { stmt: Record<string, { source: string }> }).stmt;
    for (const name of ['rawBuckets', 'rawPoints']) {
      const detail = plan(source[name]?.source ?? '');
      expect(detail, name).toMatch(/SEARCH report USING PRIMARY KEY \(agent_id=\? AND seq>\? AND seq<\?\)/);
      expect(detail, name).not.toMatch(/SCAN report|report_ts/);
    }
  });

  it('averages raw samples per bucket, skipping results without the metric', async () => {
    await ingest('ag_a', [
      cpuReport(1, T0, 10),
      cpuReport(2, T0 + 20_000, 20),
      cpuReport(3, T0 + 70_000, 30),
      { ...cpuReport(4, T0 + 80_000, 0), result: { ...cpuReport(4, T0 + 80_000, 0).result, values: {} } },
    ]);
    const buckets = await series.rawBuckets({
      agentId: 'ag_a',
      check: 'cpu',
      target: '',
      metric: 'used_percent',
      from: T0,
      to: T0 + 2 * MINUTE,
      bucketMs: MINUTE,
    });
    expect(buckets).toEqual([
      { ts: T0, avg: 15, min: 10, max: 20, count: 2 },
      { ts: T0 + MINUTE, avg: 30, min: 30, max: 30, count: 1 },
    ]);
  });

  it('merges hourly rollups into wider buckets, averages weighted by sample counts', async () => {
    const HOUR = 60 * MINUTE;
    // Hour 0: 60 samples of 10; hour 1: 1 sample of 100.
    const reports = Array.from({ length: 60 }, (_, i) => cpuReport(i + 1, T0 + i * MINUTE, 10));
    reports.push(cpuReport(61, T0 + HOUR + MINUTE, 100));
    await ingest('ag_a', reports);
    await store.rollup(T0 + 3 * HOUR);
    expect(await series.rolledUntil()).toBe(T0 + 3 * HOUR);
    const range = { agentId: 'ag_a', check: 'cpu', target: '', metric: 'used_percent', from: T0, to: T0 + 2 * HOUR };
    const buckets = await series.hourBuckets({ ...range, bucketMs: 2 * HOUR });
    expect(buckets).toHaveLength(1);
    expect(buckets[0]).toMatchObject({ ts: T0, min: 10, max: 100, count: 61 });
    expect(buckets[0]?.avg).toBeCloseTo((60 * 10 + 100) / 61, 9);
  });
});
