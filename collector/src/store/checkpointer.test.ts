import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { hostFacts, ingestRequest, range, T0 } from '../fixtures/reports.js';
import { walBytes } from './checkpointer.js';
import { DB_FILE, SqliteStore } from './sqlite.js';

let dir: string;
let store: SqliteStore;

async function until(what: string, ok: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function fill(id: string, from: number, count: number): Promise<void> {
  for (let seq = from; seq < from + count; seq += 100) {
    await store.ingest({ agentId: id, request: ingestRequest(id, range(seq, seq + 99)), receivedAt: T0 });
  }
}

async function open(options: { everyMs?: number; truncateAboveBytes?: number }): Promise<string> {
  store = SqliteStore.open(dir, { backgroundCheckpoint: options });
  await store.createToken({ id: 'tk_1', hash: 'h_1', client: 'C', site: 'S', createdAt: T0, expiresAt: T0 + 1e9 });
  await store.createAgent({ id: 'ag_1', tokenId: 'tk_1', secretHash: 's_1', facts: hostFacts('H1'), now: T0 });
  return 'ag_1';
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'vitals-ckpt-'));
});
afterEach(async () => {
  await store?.close().catch(() => undefined);
  rmSync(dir, { recursive: true, force: true });
});

describe('background checkpoints', () => {
  it('turn SQLite’s own checkpoints off and copy the WAL from a worker, which keeps the WAL from growing', async () => {
    const id = await open({ everyMs: 20 });
    const file = join(dir, DB_FILE);
    expect(store.db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    await fill(id, 1, 3000);
    await until('a checkpoint', () => (store.checkpointStats?.checkpoints ?? 0) > 2);
    const first = walBytes(file);
    expect(first).toBeGreaterThan(0);
    // Round after round of writes, the writer starts the checkpointed WAL over instead of appending.
    for (let round = 1; round <= 5; round++) {
      const seen = store.checkpointStats?.checkpoints ?? 0;
      await fill(id, 1 + round * 3000, 3000);
      await until('the next checkpoint', () => (store.checkpointStats?.checkpoints ?? 0) > seen + 1);
    }
    expect(walBytes(file)).toBeLessThanOrEqual(first * 2);
    expect(store.checkpointStats?.errors).toBe(0);
    await store.close();
    // The serving connection closed last: everything is in the database file and the WAL is gone.
    expect(existsSync(`${file}-wal`)).toBe(false);
    store = SqliteStore.open(dir);
    const n = store.db.prepare('SELECT COUNT(*) AS n FROM report').get() as { n: number };
    expect(n.n).toBe(18_000);
  });

  it('truncates a WAL that grew past the limit once the writer is idle', async () => {
    const id = await open({ everyMs: 20, truncateAboveBytes: 1 });
    const file = join(dir, DB_FILE);
    await fill(id, 1, 1000);
    await until('an empty WAL', () => walBytes(file) === 0);
    expect(store.checkpointStats?.errors).toBe(0);
  });
});
