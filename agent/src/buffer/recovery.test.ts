import {
  closeSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  statSync,
  truncateSync,
  writeSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckResult } from '@vitals/shared';
import { afterAll, describe, expect, it } from 'vitest';
import { BUFFER_FILE, ResultBuffer, readBufferStatus } from './buffer.js';
import { integrityProblem, isCorruption, moveAside } from './recovery.js';
import { openDatabase } from './sqlite.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vitals-recovery-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const OPTS = { maxBytes: 64e6, maxAgeMs: 8 * 86_400_000 };

function result(ts: number, n: number): CheckResult {
  return {
    check: 'disk',
    kind: 'disk',
    target: `/vol${n}`,
    status: 'OK',
    // Padding spreads the rows over many pages, so cutting the file loses some of them.
    values: { free_percent: { value: 50, unit: 'percent' }, note: { value: 'x'.repeat(400) } },
    message: `result ${n}`,
    ts,
  };
}

/** A closed buffer holding `count` unsent results; returns their sequence numbers. */
function filledBuffer(dir: string, count: number, now = 1_700_000_000_000): number[] {
  const buffer = new ResultBuffer(dir, { ...OPTS, now: () => now });
  buffer.append(
    'boot-1',
    Array.from({ length: count }, (_, i) => result(now - 1000 + i, i)),
  );
  const seqs = buffer.peek(count).map((r) => r.seq);
  // Fold the log into the file, so the damage below hits the data and not only the log.
  buffer.db.pragma('wal_checkpoint(TRUNCATE)');
  buffer.close();
  return seqs;
}

function garbleHeader(file: string): void {
  const fd = openSync(file, 'r+');
  writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, 0);
  closeSync(fd);
}

describe('buffer recovery', () => {
  it('moves a buffer with garbage over its first 4 KB aside, starts a new one and says the loss is unknown', () => {
    const dir = tempDir();
    const seqs = filledBuffer(dir, 50);
    garbleHeader(join(dir, BUFFER_FILE));
    const at = 1_700_000_100_000;
    const buffer = new ResultBuffer(dir, { ...OPTS, now: () => at });
    const loss = buffer.replaced;
    expect(loss).toBeDefined();
    expect(loss?.reason).toMatch(/SQLITE_NOTADB/);
    expect(loss?.salvaged).toBe(0);
    expect(loss?.lost).toBeNull();
    expect(loss?.kept_as).toBe(join(dir, `${BUFFER_FILE}.corrupt-${new Date(at).toISOString().replace(/[:.]/g, '-')}`));
    expect(existsSync(loss?.kept_as as string)).toBe(true);
    // The new buffer works, and numbers go on above both the clock and anything the old one used.
    buffer.append('boot-2', [result(at, 1)]);
    const [fresh] = buffer.peek(10);
    expect(fresh?.seq).toBeGreaterThan(Math.max(at, ...seqs));
    expect(buffer.unreportedLoss()?.at).toBe(at);
    buffer.close();
  });

  it('salvages the readable unsent results of a file cut in half and counts the rest as lost', () => {
    const dir = tempDir();
    const file = join(dir, BUFFER_FILE);
    const seqs = filledBuffer(dir, 200);
    truncateSync(file, Math.floor(statSync(file).size / 2));
    const buffer = new ResultBuffer(dir, { ...OPTS, now: () => 1_700_000_100_000 });
    const loss = buffer.replaced;
    expect(loss).toBeDefined();
    const kept = buffer.peek(500);
    expect(kept.length).toBe(loss?.salvaged);
    // Whatever was read back keeps its own sequence number, so the collector stores it once.
    for (const r of kept) expect(seqs).toContain(r.seq);
    // The first half of the pages is still there; the count comes from the sequence numbers.
    expect(loss?.salvaged).toBeGreaterThan(20);
    expect(loss?.salvaged).toBeLessThan(200);
    expect(loss?.lost).toBe(200 - (loss?.salvaged ?? 0));
    expect(loss?.reason).toMatch(/SQLITE_CORRUPT/);
    buffer.close();
  });

  it('keeps the -wal and -shm beside the kept file under the same name', () => {
    const dir = tempDir();
    const file = join(dir, BUFFER_FILE);
    const db = openDatabase(file);
    db.pragma('journal_mode = WAL');
    db.exec('CREATE TABLE t (x); INSERT INTO t VALUES (1)');
    const kept = moveAside(file, Date.UTC(2026, 0, 2, 3, 4, 5, 6));
    db.close();
    expect(kept).toBe(`${file}.corrupt-2026-01-02T03-04-05-006Z`);
    expect(readdirSync(dir).sort()).toEqual(
      [
        `${BUFFER_FILE}.corrupt-2026-01-02T03-04-05-006Z`,
        `${BUFFER_FILE}.corrupt-2026-01-02T03-04-05-006Z-wal`,
        `${BUFFER_FILE}.corrupt-2026-01-02T03-04-05-006Z-shm`,
      ].sort(),
    );
    // A second damage in the same millisecond does not overwrite the first one's evidence.
    const again = openDatabase(file);
    again.exec('CREATE TABLE t (x)');
    again.close();
    expect(moveAside(file, Date.UTC(2026, 0, 2, 3, 4, 5, 6))).toBe(`${file}.corrupt-2026-01-02T03-04-05-006Z-2`);
  });

  it('leaves a sound buffer alone', () => {
    const dir = tempDir();
    filledBuffer(dir, 10);
    const buffer = new ResultBuffer(dir, OPTS);
    expect(buffer.replaced).toBeUndefined();
    expect(buffer.depth()).toBe(10);
    expect(integrityProblem(buffer.db)).toBeUndefined();
    buffer.close();
    expect(readdirSync(dir).filter((f) => f.includes('corrupt'))).toEqual([]);
  });

  it('status reads a damaged file without crashing or moving it, then reports the replacement', () => {
    const dir = tempDir();
    filledBuffer(dir, 20);
    garbleHeader(join(dir, BUFFER_FILE));
    const before = readBufferStatus(dir);
    expect(before.damaged).toMatch(/SQLITE_NOTADB/);
    expect(readdirSync(dir).filter((f) => f.includes('corrupt'))).toEqual([]);
    const buffer = new ResultBuffer(dir, { ...OPTS, now: () => 1_800_000_000_000 });
    buffer.lossReported(1_800_000_000_000);
    buffer.close();
    const after = readBufferStatus(dir);
    expect(after.damaged).toBeUndefined();
    expect(after.loss).toMatchObject({ at: 1_800_000_000_000, lost: null, salvaged: 0, reported: true });
  });

  it('tells damage from other SQLite trouble', () => {
    expect(isCorruption({ code: 'SQLITE_CORRUPT' })).toBe(true);
    expect(isCorruption({ code: 'SQLITE_NOTADB' })).toBe(true);
    expect(isCorruption({ code: 'SQLITE_FULL' })).toBe(false);
    expect(isCorruption({ code: 'SQLITE_CANTOPEN' })).toBe(false);
    expect(isCorruption(new Error('x'))).toBe(false);
  });
});
