import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sha256 } from '../auth/credentials.js';
import { T0 } from '../fixtures/reports.js';
import { SqliteStore } from './sqlite.js';
import { SqliteAccessStore } from './sqlite-access.js';

let dir: string;
let store: SqliteStore;
let access: SqliteAccessStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vitals-access-'));
  store = SqliteStore.open(dir);
  access = new SqliteAccessStore(store.db);
});
afterEach(async () => {
  await store.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe('SqliteAccessStore', () => {
  it('returns the secret once and keeps only its hash', () => {
    const key = access.create({ name: 'psa', role: 'technician', clients: ['Northside'], now: T0 });
    expect(key.secret).toMatch(/^vk_[A-Za-z0-9_-]{43}$/);
    expect(key.id).toMatch(/^ak_[0-9a-f]{12}$/);
    const rows = store.db.prepare('SELECT * FROM api_key').all() as Record<string, unknown>[];
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(rows)).not.toContain(key.secret);
    expect(rows[0]?.hash).toBe(sha256(key.secret));
    expect(access.list()).toEqual([
      {
        id: key.id,
        name: 'psa',
        role: 'technician',
        clients: ['Northside'],
        created_at: T0,
        last_used_at: null,
        revoked_at: null,
      },
    ]);
  });

  it('keeps "every client" (null) apart from an empty list of clients', async () => {
    const all = access.create({ name: 'ops', role: 'admin', clients: null, now: T0 });
    const none = access.create({ name: 'odd', role: 'viewer', clients: [], now: T0 + 1 });
    await store.close();
    store = SqliteStore.open(dir);
    access = new SqliteAccessStore(store.db);
    const listed = access.list();
    expect(listed.map((k) => [k.id, k.clients])).toEqual([
      [all.id, null],
      [none.id, []],
    ]);
  });

  it('finds a key by hash and marks it used at most once a minute', () => {
    const key = access.create({ name: 'psa', role: 'viewer', clients: null, now: T0 });
    const hash = sha256(key.secret);
    expect(access.findByHash(hash, T0 + 1000)).toMatchObject({ id: key.id, hash, last_used_at: T0 + 1000 });
    expect(access.findByHash(hash, T0 + 30_000)?.last_used_at).toBe(T0 + 1000);
    expect(access.findByHash(hash, T0 + 61_000)?.last_used_at).toBe(T0 + 61_000);
    expect(access.findByHash(sha256('vk_other'), T0)).toBeUndefined();
  });

  it('revokes a key once; a revoked key is still found (to say why) but no longer marked used', () => {
    const key = access.create({ name: 'psa', role: 'viewer', clients: null, now: T0 });
    expect(access.revoke(key.id, T0 + 5)).toBe(true);
    expect(access.revoke(key.id, T0 + 6)).toBe(false);
    expect(access.revoke('ak_missing', T0 + 6)).toBe(false);
    const found = access.findByHash(sha256(key.secret), T0 + 120_000);
    expect(found).toMatchObject({ revoked_at: T0 + 5, last_used_at: null });
  });
});
