// The SQLite tables of API access: API keys (their secrets are never stored, only SHA-256 hashes),
// dashboard users (scrypt password hashes), their sessions (only the SHA-256 of the cookie token)
// and the audit log of admin actions. clients_json is null for a key or user that sees every
// client, else a JSON array of client names.
export const ACCESS_DDL = `
CREATE TABLE IF NOT EXISTS api_key (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, clients_json TEXT, hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL, last_used_at INTEGER, revoked_at INTEGER);
CREATE TABLE IF NOT EXISTS user (
  id TEXT PRIMARY KEY, email TEXT NOT NULL COLLATE NOCASE UNIQUE, name TEXT NOT NULL, role TEXT NOT NULL,
  clients_json TEXT, password_hash TEXT NOT NULL, created_at INTEGER NOT NULL, last_login_at INTEGER,
  disabled_at INTEGER);
CREATE TABLE IF NOT EXISTS session (
  id TEXT PRIMARY KEY, user_id TEXT NOT NULL REFERENCES user(id), created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, address TEXT);
CREATE INDEX IF NOT EXISTS session_user ON session (user_id);
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY, at INTEGER NOT NULL, actor_kind TEXT NOT NULL, actor_id TEXT NOT NULL,
  actor_name TEXT NOT NULL, action TEXT NOT NULL, target TEXT, client TEXT, detail_json TEXT);
CREATE INDEX IF NOT EXISTS audit_at ON audit (at);
`;
