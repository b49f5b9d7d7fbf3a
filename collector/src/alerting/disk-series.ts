// The free bytes of every disk over the forecast window, in memory, so the predictive rule fits a
// line without reading a day of reports from SQLite on every sample.
import type { SeriesPoint } from './types.js';

export interface DiskSeriesOptions {
  /** At most one point per this much time (the latest in it is kept). */
  resolutionMs?: number;
  /** Points older than this, relative to the newest point of the series, are dropped. */
  keepMs?: number;
}

/** Two packed number arrays instead of an object per point: 1,500 points a disk, thousands of disks. */
interface Packed {
  ts: number[];
  values: number[];
  /** The points as objects, kept for the one series read last (see `get`). */
  view?: SeriesPoint[] | undefined;
}

export class DiskSeries {
  readonly resolutionMs: number;
  readonly keepMs: number;
  private readonly agents = new Map<string, Map<string, Packed>>();
  /**
   * The series whose object view is kept. Reading the same disk after each of its samples (the
   * ingest path, and replay) then allocates one point per sample instead of the whole window;
   * keeping only one view bounds the memory that costs.
   */
  private viewed: Packed | undefined;

  constructor(options: DiskSeriesOptions = {}) {
    this.resolutionMs = options.resolutionMs ?? 60_000;
    this.keepMs = options.keepMs ?? 25 * 3_600_000;
    if (!(this.resolutionMs > 0))
      throw new RangeError(`DiskSeries: resolutionMs must be > 0, got ${this.resolutionMs}`);
    if (!(this.keepMs > 0)) throw new RangeError(`DiskSeries: keepMs must be > 0, got ${this.keepMs}`);
  }

  private series(agentId: string, target: string): Packed {
    let targets = this.agents.get(agentId);
    if (!targets) {
      targets = new Map();
      this.agents.set(agentId, targets);
    }
    let s = targets.get(target);
    if (!s) {
      s = { ts: [], values: [] };
      targets.set(target, s);
    }
    return s;
  }

  /** Adds one point; a point in the same resolution slot as a stored one replaces it if newer. */
  add(agentId: string, target: string, ts: number, freeBytes: number): void {
    if (!Number.isFinite(ts) || !Number.isFinite(freeBytes)) return;
    const s = this.series(agentId, target);
    this.insert(s, ts, freeBytes);
    this.trim(s);
  }

  private insert(s: Packed, ts: number, value: number): void {
    const slot = Math.floor(ts / this.resolutionMs);
    const n = s.ts.length;
    const lastTs = s.ts[n - 1];
    // The usual case: samples arrive in time order.
    if (lastTs === undefined || ts >= lastTs) {
      if (lastTs !== undefined && Math.floor(lastTs / this.resolutionMs) === slot) {
        s.ts[n - 1] = ts;
        s.values[n - 1] = value;
        if (s.view) s.view[n - 1] = { ts, value };
      } else {
        s.ts.push(ts);
        s.values.push(value);
        s.view?.push({ ts, value });
      }
      return;
    }
    // A late point (backlog, or history loaded after live samples): insert in order.
    s.view = undefined;
    let lo = 0;
    let hi = n;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((s.ts[mid] as number) <= ts) lo = mid + 1;
      else hi = mid;
    }
    for (const i of [lo - 1, lo]) {
      const other = s.ts[i];
      if (other !== undefined && Math.floor(other / this.resolutionMs) === slot) {
        if (ts > other) {
          s.ts[i] = ts;
          s.values[i] = value;
        }
        return;
      }
    }
    s.ts.splice(lo, 0, ts);
    s.values.splice(lo, 0, value);
  }

  private trim(s: Packed): void {
    const newest = s.ts[s.ts.length - 1];
    if (newest === undefined) return;
    const from = newest - this.keepMs;
    let drop = 0;
    while (drop < s.ts.length && (s.ts[drop] as number) < from) drop++;
    if (drop > 0) {
      s.ts.splice(0, drop);
      s.values.splice(0, drop);
      s.view?.splice(0, drop);
    }
  }

  /** The points of one disk, oldest first (a new array); only those at or after `from` when given. */
  get(agentId: string, target: string, from = Number.NEGATIVE_INFINITY): SeriesPoint[] {
    const s = this.agents.get(agentId)?.get(target);
    if (!s) return [];
    if (from === Number.NEGATIVE_INFINITY) return this.view(s).slice();
    const out: SeriesPoint[] = [];
    for (let i = 0; i < s.ts.length; i++) {
      const ts = s.ts[i] as number;
      if (ts >= from) out.push({ ts, value: s.values[i] as number });
    }
    return out;
  }

  private view(s: Packed): SeriesPoint[] {
    if (this.viewed !== s) {
      if (this.viewed) this.viewed.view = undefined;
      this.viewed = s;
    }
    if (!s.view) s.view = s.ts.map((ts, i) => ({ ts, value: s.values[i] as number }));
    return s.view;
  }

  /** Whether this disk was loaded or added to since the process started (even with no points). */
  has(agentId: string, target: string): boolean {
    return this.agents.get(agentId)?.has(target) ?? false;
  }

  /**
   * Bulk load (from stored reports after a restart), merged with what is already there. An
   * empty load still marks the disk as known, so the caller does not query the store again.
   */
  load(agentId: string, target: string, points: readonly SeriesPoint[]): void {
    const s = this.series(agentId, target);
    const ordered = [...points].sort((a, b) => a.ts - b.ts);
    for (const p of ordered) {
      if (Number.isFinite(p.ts) && Number.isFinite(p.value)) this.insert(s, p.ts, p.value);
    }
    this.trim(s);
  }

  /** Drops every series of an agent (retired or deleted). */
  forget(agentId: string): void {
    const targets = this.agents.get(agentId);
    if (this.viewed && targets && [...targets.values()].includes(this.viewed)) this.viewed = undefined;
    this.agents.delete(agentId);
  }

  /** Points held in total, for the collector's own metrics. */
  size(): number {
    let n = 0;
    for (const targets of this.agents.values()) for (const s of targets.values()) n += s.ts.length;
    return n;
  }
}
