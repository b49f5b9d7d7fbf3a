// The audit log: one row per admin action (acknowledgements, silences, users, tokens, API keys,
// logins) with who and when. Written by the one `audit` function; read newest first.
import type Database from 'better-sqlite3';
import type { Actor } from '../auth/actor.js';

export type AuditAction =
  | 'alert.ack'
  | 'silence.add'
  | 'silence.expire'
  | 'user.add'
  | 'user.disable'
  | 'user.passwd'
  | 'token.create'
  | 'token.revoke'
  | 'apikey.create'
  | 'apikey.revoke'
  | 'login'
  | 'login.failed'
  /** A failed login reached the rate limit: later attempts are refused (429) without a row each. */
  | 'login.blocked'
  | 'logout';

export interface AuditEntry {
  at: number;
  actor: Actor;
  action: AuditAction;
  /** What was acted on: an alert, silence, user, token or key id, or the email of a login. */
  target?: string | null;
  /** The client it concerns, when there is one: lets a page filter by practice. */
  client?: string | null;
  /** Whatever else explains it (a comment, matchers, a reason). Never a password or a secret. */
  detail?: Record<string, unknown> | null;
}

export interface AuditRecord {
  id: number;
  at: number;
  actor: Actor;
  action: AuditAction;
  target: string | null;
  client: string | null;
  detail: Record<string, unknown> | null;
}

interface AuditRow {
  id: number;
  at: number;
  actor_kind: Actor['kind'];
  actor_id: string;
  actor_name: string;
  action: AuditAction;
  target: string | null;
  client: string | null;
  detail_json: string | null;
}

function toRecord(row: AuditRow): AuditRecord {
  return {
    id: row.id,
    at: row.at,
    actor: { kind: row.actor_kind, id: row.actor_id, name: row.actor_name },
    action: row.action,
    target: row.target,
    client: row.client,
    detail: row.detail_json === null ? null : (JSON.parse(row.detail_json) as Record<string, unknown>),
  };
}

/** An audit row as the API and `audit list --json` show it. */
export function auditJson(r: AuditRecord) {
  return {
    id: r.id,
    at: new Date(r.at).toISOString(),
    actor: r.actor,
    action: r.action,
    target: r.target,
    client: r.client,
    detail: r.detail,
  };
}

export class SqliteAuditStore {
  private readonly stmt;

  constructor(readonly db: Database.Database) {
    this.stmt = {
      insert: db.prepare(`INSERT INTO audit (at, actor_kind, actor_id, actor_name, action, target, client, detail_json)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      list: db.prepare<[number, number], AuditRow>(
        'SELECT * FROM audit WHERE at >= ? ORDER BY at DESC, id DESC LIMIT ?',
      ),
    };
  }

  record(entry: AuditEntry): number {
    const { actor } = entry;
    const detail = entry.detail ? JSON.stringify(entry.detail) : null;
    const row = [entry.at, actor.kind, actor.id, actor.name, entry.action, entry.target ?? null, entry.client ?? null];
    return Number(this.stmt.insert.run(...row, detail).lastInsertRowid);
  }

  /** Entries at or after `since`, newest first, at most `limit`. */
  list(query: { since?: number; limit: number }): AuditRecord[] {
    return this.stmt.list.all(query.since ?? 0, query.limit).map(toRecord);
  }
}

const stores = new WeakMap<Database.Database, SqliteAuditStore>();

/** Writes one audit row on this database (the CLI's or the server's connection). */
export function audit(db: Database.Database, entry: AuditEntry): void {
  let store = stores.get(db);
  if (!store) {
    store = new SqliteAuditStore(db);
    stores.set(db, store);
  }
  store.record(entry);
}
