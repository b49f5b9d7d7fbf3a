import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SESSION_ABSOLUTE_MS, SESSION_IDLE_MS, sessionId } from '../auth/session.js';
import { T0 } from '../fixtures/reports.js';
import { SqliteStore } from './sqlite.js';
import { SqliteUserStore, UserExistsError } from './sqlite-users.js';

let dir: string;
let store: SqliteStore;
let users: SqliteUserStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vitals-users-'));
  store = SqliteStore.open(dir);
  users = new SqliteUserStore(store.db);
});
afterEach(async () => {
  await store.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

const dana = { email: 'Dana@Example.com', name: 'Dana', role: 'technician' as const, clients: ['Northside'] };

describe('SqliteUserStore', () => {
  it('adds a user, finds them by email in any case, and never returns the hash outside a login lookup', () => {
    const user = users.create({ ...dana, passwordHash: 'scrypt$hash', now: T0 });
    expect(user).toEqual({
      id: expect.stringMatching(/^us_[0-9a-f]{12}$/),
      email: 'Dana@Example.com',
      name: 'Dana',
      role: 'technician',
      clients: ['Northside'],
      created_at: T0,
      last_login_at: null,
      disabled_at: null,
    });
    expect(users.findByEmail(' dana@example.COM ')).toEqual({ ...user, password_hash: 'scrypt$hash' });
    expect(users.list()).toEqual([user]);
    expect(users.get(user.id)).toEqual(user);
    expect(JSON.stringify(users.list())).not.toContain('scrypt');
  });

  it('refuses a second user with the same email in another case', () => {
    users.create({ ...dana, passwordHash: 'h1', now: T0 });
    expect(() => users.create({ ...dana, email: 'DANA@example.com', passwordHash: 'h2', now: T0 })).toThrow(
      UserExistsError,
    );
  });

  it('opens sessions, and disabling the user or changing the password ends all of them', () => {
    const user = users.create({ ...dana, passwordHash: 'h1', now: T0 });
    const one = users.createSession({ id: sessionId('one'), userId: user.id, now: T0, address: '127.0.0.1' });
    expect(one).toEqual({
      id: sessionId('one'),
      user_id: user.id,
      created_at: T0,
      last_seen_at: T0,
      expires_at: T0 + SESSION_ABSOLUTE_MS,
      address: '127.0.0.1',
    });
    expect(users.get(user.id)?.last_login_at).toBe(T0);
    users.createSession({ id: sessionId('two'), userId: user.id, now: T0, address: null });
    expect(users.setPassword(user.id, 'h2')).toBe(true);
    expect(users.findSession(sessionId('one'))).toBeUndefined();
    expect(users.findByEmail(dana.email)?.password_hash).toBe('h2');

    users.createSession({ id: sessionId('three'), userId: user.id, now: T0, address: null });
    expect(users.disable(user.id, T0 + 1)).toBe(true);
    expect(users.disable(user.id, T0 + 2)).toBe(false);
    expect(users.findSession(sessionId('three'))).toBeUndefined();
    expect(users.get(user.id)?.disabled_at).toBe(T0 + 1);
    expect(users.setPassword('us_nobody', 'h3')).toBe(false);
  });

  it('marks a session used at most once a minute, and a new login drops sessions that are over', () => {
    const user = users.create({ ...dana, passwordHash: 'h1', now: T0 });
    const session = users.createSession({ id: sessionId('one'), userId: user.id, now: T0, address: null });
    users.touchSession(session, T0 + 30_000);
    expect(users.findSession(session.id)?.session.last_seen_at).toBe(T0);
    users.touchSession(session, T0 + 60_000);
    expect(session.last_seen_at).toBe(T0 + 60_000);
    expect(users.findSession(session.id)?.session.last_seen_at).toBe(T0 + 60_000);

    const later = T0 + 60_000 + SESSION_IDLE_MS;
    users.createSession({ id: sessionId('two'), userId: user.id, now: later, address: null });
    expect(users.findSession(session.id)).toBeUndefined();
    expect(users.findSession(sessionId('two'))?.user.id).toBe(user.id);
    expect(users.deleteSession(sessionId('two'))).toBe(true);
    expect(users.deleteSession(sessionId('two'))).toBe(false);
  });
});
