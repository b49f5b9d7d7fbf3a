// The SQLite tables of API access: API keys (their secrets are never stored, only SHA-256 hashes).
// clients_json is null for a key that sees every client, else a JSON array of client names.
export const ACCESS_DDL = `
CREATE TABLE IF NOT EXISTS api_key (
  id TEXT PRIMARY KEY, name TEXT NOT NULL, role TEXT NOT NULL, clients_json TEXT, hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL, last_used_at INTEGER, revoked_at INTEGER);
`;
