// The SQLite tables of the alert path: alerts (one open row per host, rule and target, then
// history), notification groups and silences.
//
// The partial UNIQUE index is what makes "one open alert per key" a fact of the database rather
// than of the engine: a second open row for the same key fails the transaction that tries it.
// Site-level alerts have agent_id '' and are told apart by client and site. JSON columns hold
// the nested parts of AlertRecord exactly as the engine wrote them (value may be a number, a
// string, a boolean or null, which one TEXT column keeps apart). The router reads the open alerts
// every few seconds, so they have an index of their own that history never grows.
export const ALERT_DDL = `
CREATE TABLE IF NOT EXISTS alert (
  id TEXT PRIMARY KEY, client TEXT NOT NULL, site TEXT NOT NULL, agent_id TEXT NOT NULL, host TEXT NOT NULL,
  rule TEXT NOT NULL, target TEXT NOT NULL, state TEXT NOT NULL, severity TEXT NOT NULL,
  since_json TEXT NOT NULL, counts_json TEXT NOT NULL, last_at INTEGER NOT NULL, pending_since INTEGER NOT NULL,
  started_at INTEGER, resolved_at INTEGER, value_json TEXT NOT NULL, threshold_json TEXT NOT NULL, unit TEXT,
  summary TEXT NOT NULL, forecast_json TEXT, ack_by TEXT, ack_at INTEGER, ack_comment TEXT,
  notified_state TEXT, notified_severity TEXT, notified_at INTEGER, escalated_at INTEGER,
  updated_at INTEGER NOT NULL);
CREATE UNIQUE INDEX IF NOT EXISTS alert_open_key ON alert (agent_id, client, site, rule, target)
  WHERE state IN ('pending', 'firing');
CREATE INDEX IF NOT EXISTS alert_open_since ON alert (pending_since) WHERE state IN ('pending', 'firing');
CREATE INDEX IF NOT EXISTS alert_pending_since ON alert (pending_since);
CREATE INDEX IF NOT EXISTS alert_resolved_at ON alert (resolved_at) WHERE resolved_at IS NOT NULL;
CREATE INDEX IF NOT EXISTS alert_unnotified_resolved ON alert (resolved_at)
  WHERE state = 'resolved' AND notified_state = 'firing';
CREATE TABLE IF NOT EXISTS alert_group (
  key TEXT PRIMARY KEY, client TEXT NOT NULL, site TEXT NOT NULL, host TEXT NOT NULL, agent_id TEXT NOT NULL,
  last_flush_at INTEGER);
CREATE TABLE IF NOT EXISTS silence (
  id TEXT PRIMARY KEY, matchers_json TEXT NOT NULL, starts_at INTEGER NOT NULL, ends_at INTEGER NOT NULL,
  reason TEXT NOT NULL, author TEXT NOT NULL, created_at INTEGER NOT NULL, expired_at INTEGER);
CREATE INDEX IF NOT EXISTS silence_ends_at ON silence (ends_at);
`;
