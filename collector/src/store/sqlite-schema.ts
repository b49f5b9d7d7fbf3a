// The SQLite schema of the collector: tenancy (clients → sites → agents), enrolment tokens,
// one row per agent report, a latest-result row per (agent, check, target) and hourly rollups.
import type Database from 'better-sqlite3';
import { ACCESS_DDL } from './sqlite-access-schema.js';
import { ALERT_DDL } from './sqlite-alerts-schema.js';
import { OUTBOX_DDL } from './sqlite-outbox-schema.js';

export const SCHEMA_VERSION = 2;

// `check` and `values` are SQL keywords, hence check_id and values_json. The report table is
// WITHOUT ROWID on (agent_id, seq): the key that makes retries idempotent is also the row order
// that `export` reads.
const DDL = `
CREATE TABLE IF NOT EXISTS clients (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS sites (
  id INTEGER PRIMARY KEY, client_id INTEGER NOT NULL REFERENCES clients(id), name TEXT NOT NULL,
  created_at INTEGER NOT NULL, UNIQUE (client_id, name));
CREATE TABLE IF NOT EXISTS tokens (
  id TEXT PRIMARY KEY, site_id INTEGER NOT NULL REFERENCES sites(id), hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, revoked_at INTEGER,
  uses INTEGER NOT NULL DEFAULT 0);
CREATE TABLE IF NOT EXISTS agents (
  id TEXT PRIMARY KEY, site_id INTEGER NOT NULL REFERENCES sites(id), token_id TEXT,
  hostname TEXT NOT NULL, facts TEXT NOT NULL, secret_hash TEXT NOT NULL UNIQUE,
  enrolled_at INTEGER NOT NULL, last_seen INTEGER NOT NULL, last_boot_id TEXT,
  state TEXT NOT NULL DEFAULT 'running', dropped_total INTEGER NOT NULL DEFAULT 0,
  buffer_depth INTEGER NOT NULL DEFAULT 0, last_seq INTEGER, retired_at INTEGER);
CREATE INDEX IF NOT EXISTS agents_hostname ON agents (hostname COLLATE NOCASE);
CREATE TABLE IF NOT EXISTS report (
  agent_id TEXT NOT NULL, seq INTEGER NOT NULL, boot_id TEXT NOT NULL, ts INTEGER NOT NULL,
  received_at INTEGER NOT NULL, check_id TEXT NOT NULL, kind TEXT NOT NULL, target TEXT NOT NULL,
  status TEXT NOT NULL, values_json TEXT NOT NULL, message TEXT NOT NULL, duration_ms REAL,
  PRIMARY KEY (agent_id, seq)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS report_ts ON report (ts);
CREATE INDEX IF NOT EXISTS report_received ON report (received_at);
CREATE TABLE IF NOT EXISTS host_latest (
  agent_id TEXT NOT NULL, check_id TEXT NOT NULL, target TEXT NOT NULL, seq INTEGER NOT NULL,
  ts INTEGER NOT NULL, kind TEXT NOT NULL, status TEXT NOT NULL, values_json TEXT NOT NULL,
  message TEXT NOT NULL, known_ts INTEGER, known_values_json TEXT,
  PRIMARY KEY (agent_id, check_id, target)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS rollup_hour (
  agent_id TEXT NOT NULL, check_id TEXT NOT NULL, target TEXT NOT NULL, metric TEXT NOT NULL,
  hour INTEGER NOT NULL, min REAL NOT NULL, max REAL NOT NULL, avg REAL NOT NULL,
  count INTEGER NOT NULL, PRIMARY KEY (agent_id, check_id, target, metric, hour)) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rollup_hour_hour ON rollup_hour (hour);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
`;

export function openSchema(db: Database.Database): void {
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // The CLI and the server share the file; a writer waits for the other instead of failing.
  db.pragma('busy_timeout = 5000');
  db.pragma('foreign_keys = ON');
  const version = db.pragma('user_version', { simple: true }) as number;
  if (version > SCHEMA_VERSION) {
    throw new Error(`database schema version ${version} is newer than this collector (${SCHEMA_VERSION}); upgrade it`);
  }
  // Version 1 had no "last result with a known status" in host_latest (rules need it).
  if (version === 1) {
    db.exec('ALTER TABLE host_latest ADD COLUMN known_ts INTEGER');
    db.exec('ALTER TABLE host_latest ADD COLUMN known_values_json TEXT');
  }
  db.exec(DDL);
  addBufferLossColumns(db);
  db.exec(ALERT_DDL);
  db.exec(OUTBOX_DDL);
  db.exec(ACCESS_DDL);
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
}

/**
 * The last buffer replacement an agent reported (its buffer file was damaged): when, and how many
 * unsent results were lost (NULL with a time: unknown). Added in place, without a version step.
 */
function addBufferLossColumns(db: Database.Database): void {
  const columns = new Set((db.pragma('table_info(agents)') as { name: string }[]).map((c) => c.name));
  if (!columns.has('buffer_lost_at')) db.exec('ALTER TABLE agents ADD COLUMN buffer_lost_at INTEGER');
  if (!columns.has('buffer_lost_count')) db.exec('ALTER TABLE agents ADD COLUMN buffer_lost_count INTEGER');
}
