// Hourly rollups (min/max/avg/count per agent, check, target and numeric value) and retention
// pruning for the SQLite store. Both are idempotent: a rerun recomputes whole hours.
import type Database from 'better-sqlite3';
import type { PruneOutcome, Retention } from './store.js';

export const HOUR_MS = 3_600_000;
// Reports are stamped with received_at before they wait for the group commit, so a run looks a
// little further back than its previous mark; recomputing an hour twice is harmless.
const RECEIVED_OVERLAP_MS = 60_000;
const PRUNE_CHUNK = 5000;

export function createRollup(db: Database.Database): (now: number, rawRetentionMs: number) => number {
  const getMeta = db.prepare<[string], { value: number }>('SELECT value FROM meta WHERE key = ?');
  const setMeta = db.prepare(
    'INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );
  // Hours to (re)compute: closed hours that received data since the last run (late deliveries
  // from agents that were offline), and hours that closed since the last run.
  const touched = db.prepare<[number, number, number, number], { agent_id: string; hour: number }>(`
    SELECT DISTINCT agent_id, (ts / ${HOUR_MS}) * ${HOUR_MS} AS hour FROM report
      WHERE ts < ? AND received_at > ?
    UNION
    SELECT DISTINCT agent_id, (ts / ${HOUR_MS}) * ${HOUR_MS} AS hour FROM report
      WHERE ts >= ? AND ts < ?`);
  const exists = db.prepare('SELECT 1 FROM rollup_hour WHERE agent_id = ? AND hour = ? LIMIT 1');
  const clear = db.prepare('DELETE FROM rollup_hour WHERE agent_id = ? AND hour = ?');
  const compute = db.prepare(`
    INSERT INTO rollup_hour (agent_id, check_id, target, metric, hour, min, max, avg, count)
    SELECT r.agent_id, r.check_id, r.target, j.key, @hour,
           MIN(json_extract(j.value, '$.value')), MAX(json_extract(j.value, '$.value')),
           AVG(json_extract(j.value, '$.value')), COUNT(*)
    FROM report r, json_each(r.values_json) j
    WHERE r.agent_id = @agent AND r.ts >= @hour AND r.ts < @hour + ${HOUR_MS}
      AND json_type(j.value, '$.value') IN ('integer', 'real')
    GROUP BY r.check_id, r.target, j.key`);

  return db.transaction((now: number, rawRetentionMs: number): number => {
    const closed = Math.floor(now / HOUR_MS) * HOUR_MS;
    const intact = Math.ceil((now - rawRetentionMs) / HOUR_MS) * HOUR_MS;
    const mark = getMeta.get('rollup_received_mark')?.value ?? 0;
    const closedUntil = Math.min(getMeta.get('rollup_closed_until')?.value ?? 0, closed);
    const pairs = touched.all(closed, mark, closedUntil, closed);
    let computed = 0;
    for (const { agent_id, hour } of pairs) {
      // An hour that raw retention has (partly) pruned keeps the rollup it has: recomputing it
      // from what is left would shrink it. One without a rollup gets one from what there is.
      if (hour < intact && exists.get(agent_id, hour)) continue;
      clear.run(agent_id, hour);
      compute.run({ agent: agent_id, hour });
      computed++;
    }
    setMeta.run('rollup_received_mark', now - RECEIVED_OVERLAP_MS);
    setMeta.run('rollup_closed_until', closed);
    return computed;
  });
}

export function createPrune(db: Database.Database): (now: number, retention: Retention) => PruneOutcome {
  // Chunked so one prune never holds the write lock for long.
  const reports = db.prepare(
    `DELETE FROM report WHERE (agent_id, seq) IN (SELECT agent_id, seq FROM report WHERE ts < ? LIMIT ${PRUNE_CHUNK})`,
  );
  const rollups = db.prepare(
    `DELETE FROM rollup_hour WHERE (agent_id, check_id, target, metric, hour) IN
       (SELECT agent_id, check_id, target, metric, hour FROM rollup_hour WHERE hour < ? LIMIT ${PRUNE_CHUNK})`,
  );
  const drain = (stmt: Database.Statement, before: number): number => {
    let total = 0;
    for (;;) {
      const { changes } = stmt.run(before);
      total += changes;
      if (changes < PRUNE_CHUNK) return total;
    }
  };
  return (now, retention) => ({
    reports: drain(reports, now - retention.rawMs),
    rollups: drain(rollups, now - retention.rollupsMs),
  });
}
