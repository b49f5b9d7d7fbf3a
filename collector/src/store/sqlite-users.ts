// Dashboard users and their sessions in SQLite, on the SqliteStore's connection (synchronous).
// A password is kept as its scrypt hash, a session as the SHA-256 of its cookie token.
import type Database from 'better-sqlite3';
import type { Role } from '../auth/principal.js';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS, type SessionTimes } from '../auth/session.js';
import { type NewUserInput, newUserId, type UserRecord } from '../auth/user.js';

interface UserRow {
  id: string;
  email: string;
  name: string;
  role: Role;
  clients_json: string | null;
  password_hash: string;
  created_at: number;
  last_login_at: number | null;
  disabled_at: number | null;
}

export interface SessionRecord extends SessionTimes {
  /** SHA-256 of the cookie token. */
  id: string;
  user_id: string;
  address: string | null;
}

export class UserExistsError extends Error {
  constructor(email: string) {
    super(`a user with the email ${email} already exists (emails are compared without regard to case)`);
    this.name = 'UserExistsError';
  }
}

function toUser({ clients_json, password_hash: _hash, ...rest }: UserRow): UserRecord {
  return { ...rest, clients: clients_json === null ? null : (JSON.parse(clients_json) as string[]) };
}

// As with API keys: "last seen" to the minute is enough, and saves a write on every request. The
// idle limit (12 h) is so much longer that a minute of slack does not matter.
const TOUCH_EVERY_MS = 60_000;

export class SqliteUserStore {
  private readonly stmt;

  constructor(readonly db: Database.Database) {
    this.stmt = {
      insert: db.prepare<[UserRow]>(`INSERT INTO user (id, email, name, role, clients_json, password_hash, created_at,
        last_login_at, disabled_at) VALUES (@id, @email, @name, @role, @clients_json, @password_hash, @created_at,
        @last_login_at, @disabled_at)`),
      list: db.prepare<[], UserRow>('SELECT * FROM user ORDER BY created_at, id'),
      byEmail: db.prepare<[string], UserRow>('SELECT * FROM user WHERE email = ? COLLATE NOCASE'),
      byId: db.prepare<[string], UserRow>('SELECT * FROM user WHERE id = ?'),
      setPassword: db.prepare<[string, string]>('UPDATE user SET password_hash = ? WHERE id = ?'),
      disable: db.prepare<[number, string]>('UPDATE user SET disabled_at = ? WHERE id = ? AND disabled_at IS NULL'),
      markLogin: db.prepare<[number, string]>('UPDATE user SET last_login_at = ? WHERE id = ?'),
      insertSession: db.prepare<[SessionRecord]>(`INSERT INTO session (id, user_id, created_at, last_seen_at,
        expires_at, address) VALUES (@id, @user_id, @created_at, @last_seen_at, @expires_at, @address)`),
      session: db.prepare<[string], SessionRecord>('SELECT * FROM session WHERE id = ?'),
      touchSession: db.prepare<[number, string, number]>(
        'UPDATE session SET last_seen_at = ? WHERE id = ? AND last_seen_at <= ?',
      ),
      deleteSession: db.prepare<[string]>('DELETE FROM session WHERE id = ?'),
      deleteUserSessions: db.prepare<[string]>('DELETE FROM session WHERE user_id = ?'),
      pruneSessions: db.prepare<[number, number]>('DELETE FROM session WHERE expires_at <= ? OR last_seen_at <= ?'),
    };
  }

  /** Throws UserExistsError when the email is taken (in any case). */
  create(input: NewUserInput & { passwordHash: string; now: number }): UserRecord {
    const row: UserRow = {
      id: newUserId(),
      email: input.email,
      name: input.name,
      role: input.role,
      clients_json: input.clients === null ? null : JSON.stringify(input.clients),
      password_hash: input.passwordHash,
      created_at: input.now,
      last_login_at: null,
      disabled_at: null,
    };
    try {
      this.stmt.insert.run(row);
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new UserExistsError(input.email);
      throw error;
    }
    return toUser(row);
  }

  /** Every user, disabled ones too, oldest first. */
  list(): UserRecord[] {
    return this.stmt.list.all().map(toUser);
  }

  get(id: string): UserRecord | undefined {
    const row = this.stmt.byId.get(id);
    return row && toUser(row);
  }

  /** The user with this email (any case), with the password hash for a login. */
  findByEmail(email: string): (UserRecord & { password_hash: string }) | undefined {
    const row = this.stmt.byEmail.get(email.trim());
    return row && { ...toUser(row), password_hash: row.password_hash };
  }

  // Changing the password or disabling the user ends every session of theirs, in the same transaction.

  /** Sets a new hash and ends the user's sessions; false when there is no such user. */
  setPassword(id: string, passwordHash: string): boolean {
    return this.db.transaction(() => {
      const changed = this.stmt.setPassword.run(passwordHash, id).changes === 1;
      if (changed) this.stmt.deleteUserSessions.run(id);
      return changed;
    })();
  }

  /** Disables the user and ends their sessions; false when there is no such user or it already was. */
  disable(id: string, now: number): boolean {
    return this.db.transaction(() => {
      const changed = this.stmt.disable.run(now, id).changes === 1;
      if (changed) this.stmt.deleteUserSessions.run(id);
      return changed;
    })();
  }

  /** Opens a session for a user whose password was just checked; drops sessions that are over. */
  createSession(input: { id: string; userId: string; now: number; address: string | null }): SessionRecord {
    const session: SessionRecord = {
      id: input.id,
      user_id: input.userId,
      created_at: input.now,
      last_seen_at: input.now,
      expires_at: input.now + SESSION_ABSOLUTE_MS,
      address: input.address,
    };
    this.db.transaction(() => {
      this.stmt.pruneSessions.run(input.now, input.now - SESSION_IDLE_MS);
      this.stmt.insertSession.run(session);
      this.stmt.markLogin.run(input.now, input.userId);
    })();
    return session;
  }

  /** The session with this id and its user, or undefined; the caller judges expiry and a disabled user. */
  findSession(id: string): { session: SessionRecord; user: UserRecord } | undefined {
    const session = this.stmt.session.get(id);
    if (!session) return undefined;
    const row = this.stmt.byId.get(session.user_id);
    return row && { session, user: toUser(row) };
  }

  /** Marks the session used at `now`, at most once a minute. */
  touchSession(session: SessionRecord, now: number): void {
    if (this.stmt.touchSession.run(now, session.id, now - TOUCH_EVERY_MS).changes === 1) session.last_seen_at = now;
  }

  /** Ends one session (logout); false when it was already gone. */
  deleteSession(id: string): boolean {
    return this.stmt.deleteSession.run(id).changes === 1;
  }
}
