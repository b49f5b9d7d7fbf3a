// Chart data of one metric of one host's check: bucketed from raw reports or from hourly rollups.
// Raw reads stay on the host's own rows: reports are keyed (agent_id, seq) and an agent's seq
// grows with time, so a binary search over its seqs turns a time range into a key range.
import type Database from 'better-sqlite3';
import type { SeriesPoint } from '../alerting/types.js';

export interface SeriesRange {
  agentId: string;
  check: string;
  target: string;
  /** A numeric value of the check's results: free_bytes, used_percent… */
  metric: string;
  /** Epoch ms, both ends included. */
  from: number;
  to: number;
}

/** One time bucket: `ts` is its start (a multiple of the bucket size since the epoch). */
export interface Bucket {
  ts: number;
  avg: number;
  min: number;
  max: number;
  count: number;
}

/**
 * An agent stamps seq when a result enters its buffer and ts when the check ran, so seq order
 * follows time order only to within a check's run time (seconds). The key range is widened by
 * this much on each side; the ts filter then keeps exactly [from, to].
 */
export const SEQ_ORDER_SLACK_MS = 10 * 60_000;

/** A JSON path to `values.<metric>.value`; metric names are checked by the API schema ([A-Za-z0-9_]). */
function valuePath(metric: string): string {
  return `$."${metric}".value`;
}

export class SqliteSeriesStore {
  private readonly stmt;

  constructor(readonly db: Database.Database) {
    const range = `agent_id = @agent AND seq >= @lo AND seq <= @hi AND +ts >= @from AND +ts <= @to
      AND check_id = @check AND target = @target`;
    this.stmt = {
      firstSeq: db.prepare<[string], { seq: number }>('SELECT seq FROM report WHERE agent_id = ? ORDER BY seq LIMIT 1'),
      lastSeq: db.prepare<[string], { seq: number }>(
        'SELECT seq FROM report WHERE agent_id = ? ORDER BY seq DESC LIMIT 1',
      ),
      seek: db.prepare<[string, number], { seq: number; ts: number }>(
        'SELECT seq, ts FROM report WHERE agent_id = ? AND seq >= ? ORDER BY seq LIMIT 1',
      ),
      // `+ts` keeps the planner on the primary key: the ts index would walk every agent's rows.
      // `%` works on integers whatever type the bound bucket size arrives as.
      rawBuckets: db.prepare(`SELECT t AS ts, AVG(v) AS avg, MIN(v) AS min, MAX(v) AS max, COUNT(*) AS count
        FROM (SELECT ts - ts % @bucket AS t, json_extract(values_json, @path) AS v FROM report WHERE ${range})
        WHERE typeof(v) IN ('integer', 'real') GROUP BY t ORDER BY t`),
      rawPoints: db.prepare(`SELECT ts, v AS value
        FROM (SELECT ts, json_extract(values_json, @path) AS v FROM report WHERE ${range})
        WHERE typeof(v) IN ('integer', 'real') ORDER BY ts`),
      hourBuckets: db.prepare(`SELECT hour - hour % @bucket AS ts, SUM(avg * count) / SUM(count) AS avg,
        MIN(min) AS min, MAX(max) AS max, SUM(count) AS count FROM rollup_hour
        WHERE agent_id = @agent AND check_id = @check AND target = @target AND metric = @metric
          AND hour >= @from AND hour <= @to
        GROUP BY 1 ORDER BY 1`),
      rolledUntil: db.prepare<[], { value: number }>("SELECT value FROM meta WHERE key = 'rollup_closed_until'"),
    };
  }

  /**
   * The smallest seq such that every row of the agent at or past it has ts ≥ `ts` (rows before it
   * are older), by binary search over [lo, hi]; each step is one primary-key seek.
   */
  private seqAt(agentId: string, ts: number, lo: number, hi: number): number {
    let low = lo;
    let high = hi + 1;
    while (low < high) {
      const mid = low + Math.floor((high - low) / 2);
      const row = this.stmt.seek.get(agentId, mid);
      if (row && row.ts < ts) low = row.seq + 1;
      else high = mid;
    }
    return low;
  }

  /** The seqs of an agent's rows around [from, to], or undefined when it has none there. */
  seqRange(agentId: string, from: number, to: number): { lo: number; hi: number } | undefined {
    const first = this.stmt.firstSeq.get(agentId)?.seq;
    const last = this.stmt.lastSeq.get(agentId)?.seq;
    if (first === undefined || last === undefined) return undefined;
    const lo = this.seqAt(agentId, from - SEQ_ORDER_SLACK_MS, first, last);
    const hi = this.seqAt(agentId, to + SEQ_ORDER_SLACK_MS, first, last) - 1;
    return lo <= hi ? { lo, hi } : undefined;
  }

  private rawParams(r: SeriesRange) {
    const seqs = this.seqRange(r.agentId, r.from, r.to);
    if (!seqs) return undefined;
    return {
      agent: r.agentId,
      check: r.check,
      target: r.target,
      path: valuePath(r.metric),
      from: r.from,
      to: r.to,
      ...seqs,
    };
  }

  /** Raw reports in [from, to] averaged per bucket of `bucketMs`. */
  async rawBuckets(r: SeriesRange & { bucketMs: number }): Promise<Bucket[]> {
    const params = this.rawParams(r);
    return params ? (this.stmt.rawBuckets.all({ ...params, bucket: r.bucketMs }) as Bucket[]) : [];
  }

  /** Every raw value in [from, to], oldest first (forecast fits). */
  async rawPoints(r: SeriesRange): Promise<SeriesPoint[]> {
    const params = this.rawParams(r);
    return params ? (this.stmt.rawPoints.all(params) as SeriesPoint[]) : [];
  }

  /** Hourly rollups of the hours starting in [from, to], merged per bucket of `bucketMs` (whole hours). */
  async hourBuckets(r: SeriesRange & { bucketMs: number }): Promise<Bucket[]> {
    const { agentId: agent, check, target, metric, from, to, bucketMs: bucket } = r;
    return this.stmt.hourBuckets.all({ agent, check, target, metric, from, to, bucket }) as Bucket[];
  }

  /** Hours before this have their rollups; the hours from it on are read from raw reports. */
  async rolledUntil(): Promise<number> {
    return this.stmt.rolledUntil.get()?.value ?? 0;
  }
}
