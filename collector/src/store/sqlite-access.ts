// API keys in SQLite, on the SqliteStore's own connection (synchronous, like the alert store).
// A key's secret is returned once by create(); only its hash is kept.
import type Database from 'better-sqlite3';
import { type ApiKeyRecord, newApiKeyId, newApiKeySecret } from '../auth/api-key.js';
import { sha256 } from '../auth/credentials.js';
import type { Role } from '../auth/principal.js';

export interface NewApiKey {
  name: string;
  role: Role;
  /** null: every client. */
  clients: string[] | null;
  now: number;
}

export interface IssuedApiKey extends ApiKeyRecord {
  /** The bearer secret (vk_…); shown once, never stored. */
  secret: string;
}

interface ApiKeyRow {
  id: string;
  name: string;
  role: Role;
  clients_json: string | null;
  hash: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
}

// A key used on every request would otherwise write on every request; a minute is precise enough
// for "when was this key last used".
const TOUCH_EVERY_MS = 60_000;

function toRecord({ clients_json, hash: _hash, ...rest }: ApiKeyRow): ApiKeyRecord {
  return { ...rest, clients: clients_json === null ? null : (JSON.parse(clients_json) as string[]) };
}

export class SqliteAccessStore {
  private readonly stmt;

  constructor(readonly db: Database.Database) {
    this.stmt = {
      insert: db.prepare<[ApiKeyRow]>(`INSERT INTO api_key (id, name, role, clients_json, hash, created_at,
        last_used_at, revoked_at) VALUES (@id, @name, @role, @clients_json, @hash, @created_at, @last_used_at,
        @revoked_at)`),
      list: db.prepare<[], ApiKeyRow>('SELECT * FROM api_key ORDER BY created_at, id'),
      byHash: db.prepare<[string], ApiKeyRow>('SELECT * FROM api_key WHERE hash = ?'),
      revoke: db.prepare<[number, string]>('UPDATE api_key SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      touch: db.prepare<{ id: string; now: number; before: number }>(`UPDATE api_key SET last_used_at = :now
        WHERE id = :id AND revoked_at IS NULL AND (last_used_at IS NULL OR last_used_at <= :before)`),
    };
  }

  create(key: NewApiKey): IssuedApiKey {
    const secret = newApiKeySecret();
    const row: ApiKeyRow = {
      id: newApiKeyId(),
      name: key.name,
      role: key.role,
      clients_json: key.clients === null ? null : JSON.stringify(key.clients),
      hash: sha256(secret),
      created_at: key.now,
      last_used_at: null,
      revoked_at: null,
    };
    this.stmt.insert.run(row);
    return { ...toRecord(row), secret };
  }

  /** Every key, revoked ones too, oldest first. */
  list(): ApiKeyRecord[] {
    return this.stmt.list.all().map(toRecord);
  }

  /** False when there is no such key or it was already revoked. */
  revoke(id: string, now: number): boolean {
    return this.stmt.revoke.run(now, id).changes === 1;
  }

  /**
   * The key with this secret hash, revoked or not (the caller says why it refuses), with its hash
   * for a constant-time comparison. A key not revoked is marked used at `now`, at most once a minute.
   */
  findByHash(hash: string, now: number): (ApiKeyRecord & { hash: string }) | undefined {
    const row = this.stmt.byHash.get(hash);
    if (!row) return undefined;
    if (this.stmt.touch.run({ id: row.id, now, before: now - TOUCH_EVERY_MS }).changes === 1) row.last_used_at = now;
    return { ...toRecord(row), hash: row.hash };
  }
}
