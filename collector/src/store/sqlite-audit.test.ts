import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { T0 } from '../fixtures/reports.js';
import { SqliteStore } from './sqlite.js';
import { audit, auditJson, SqliteAuditStore } from './sqlite-audit.js';

let dir: string;
let store: SqliteStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vitals-audit-'));
  store = SqliteStore.open(dir);
});
afterEach(async () => {
  await store.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

const dana = { kind: 'user' as const, id: 'us_1', name: 'Dana' };

describe('audit log', () => {
  it('keeps who, what, when, target, client and detail, and lists newest first from a time on', () => {
    audit(store.db, { at: T0, actor: dana, action: 'login', target: 'dana@example.com' });
    audit(store.db, {
      at: T0 + 1000,
      actor: dana,
      action: 'alert.ack',
      target: 'al_1',
      client: 'Northside',
      detail: { comment: 'replacing the disk' },
    });
    audit(store.db, { at: T0 + 2000, actor: { kind: 'cli', id: 'root', name: 'root' }, action: 'user.add' });
    const log = new SqliteAuditStore(store.db);
    expect(log.list({ limit: 10 }).map((r) => r.action)).toEqual(['user.add', 'alert.ack', 'login']);
    expect(log.list({ since: T0 + 1000, limit: 10 }).map((r) => r.action)).toEqual(['user.add', 'alert.ack']);
    expect(log.list({ limit: 1 }).map((r) => r.action)).toEqual(['user.add']);
    const ack = log.list({ limit: 10 })[1];
    expect(ack && auditJson(ack)).toEqual({
      id: 2,
      at: '2025-01-06T09:00:01.000Z',
      actor: { kind: 'user', id: 'us_1', name: 'Dana' },
      action: 'alert.ack',
      target: 'al_1',
      client: 'Northside',
      detail: { comment: 'replacing the disk' },
    });
    expect(log.list({ limit: 10 })[0]).toMatchObject({ target: null, client: null, detail: null });
  });
});
