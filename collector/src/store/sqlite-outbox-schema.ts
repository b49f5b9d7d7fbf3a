// The SQLite table of the notification outbox: one row per (notification, channel), written in
// the same transaction as the alert change that caused it, claimed and delivered by the dispatcher.
// channel_health holds the run of failed sends per channel ("a channel that keeps failing").
export const OUTBOX_DDL = `
CREATE TABLE IF NOT EXISTS outbox (
  id TEXT PRIMARY KEY, idempotency_key TEXT NOT NULL UNIQUE, channel TEXT NOT NULL, kind TEXT NOT NULL,
  client TEXT NOT NULL, site TEXT NOT NULL, host TEXT NOT NULL, agent_id TEXT NOT NULL,
  severity TEXT NOT NULL, alerts_json TEXT NOT NULL, channel_issue_json TEXT, created_at INTEGER NOT NULL,
  status TEXT NOT NULL DEFAULT 'queued', attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at INTEGER NOT NULL,
  claimed_until INTEGER, last_error TEXT, delivered_at INTEGER);
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS outbox_channel ON outbox (channel, status);
CREATE INDEX IF NOT EXISTS outbox_created ON outbox (created_at);
CREATE TABLE IF NOT EXISTS channel_health (
  channel TEXT PRIMARY KEY, consecutive_failures INTEGER NOT NULL DEFAULT 0, failing_since INTEGER,
  last_error TEXT, last_success_at INTEGER, alerted_at INTEGER);
`;
