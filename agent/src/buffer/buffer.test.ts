import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CheckResult } from '@vitals/shared';
import Database from 'better-sqlite3';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { BUFFER_FILE, ResultBuffer, readBufferStatus } from './buffer.js';

const dirs: string[] = [];
function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'vitals-buffer-'));
  dirs.push(dir);
  return dir;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function result(ts: number, n = 0, pad = 0): CheckResult {
  return {
    check: 'disk',
    kind: 'disk',
    target: `/vol${n}`,
    status: 'OK',
    values: { free_percent: { value: 50, unit: 'percent' }, note: { value: 'x'.repeat(pad) } },
    message: `result ${n}`,
    ts,
  };
}

describe('ResultBuffer', () => {
  let buffer: ResultBuffer | undefined;
  afterEach(() => {
    buffer?.close();
    buffer = undefined;
  });

  it('keeps results in sequence order and deletes only what was acknowledged', () => {
    buffer = new ResultBuffer(tempDir(), { maxBytes: 64e6, maxAgeMs: 8 * 86_400_000, now: () => 1_000 });
    buffer.append('boot-a', [result(1, 1), result(2, 2), result(3, 3)]);
    const batch = buffer.peek(10);
    expect(batch.map((r) => r.result.message)).toEqual(['result 1', 'result 2', 'result 3']);
    expect(batch[1]!.seq).toBe(batch[0]!.seq + 1);
    expect(batch.every((r) => r.boot_id === 'boot-a')).toBe(true);
    buffer.ack([batch[0]!.seq, batch[2]!.seq]);
    expect(buffer.peek(10).map((r) => r.result.message)).toEqual(['result 2']);
  });

  it('starts numbering at the clock and keeps increasing across restarts and deletes', () => {
    const dir = tempDir();
    buffer = new ResultBuffer(dir, { maxBytes: 64e6, maxAgeMs: 86_400_000, now: () => 1_700_000_000_000 });
    buffer.append('boot-a', [result(1), result(2)]);
    const first = buffer.peek(10);
    expect(first[0]!.seq).toBe(1_700_000_000_001);
    buffer.ack(first.map((r) => r.seq));
    buffer.close();
    buffer = new ResultBuffer(dir, { maxBytes: 64e6, maxAgeMs: 86_400_000, now: () => 1_800_000_000_000 });
    buffer.append('boot-b', [result(3)]);
    // Not re-seeded from the (later) clock, and never reusing an acknowledged number.
    expect(buffer.peek(10)[0]!.seq).toBe(1_700_000_000_003);
  });

  it('drops the oldest results when the buffer is full and counts them', () => {
    const dir = tempDir();
    buffer = new ResultBuffer(dir, { maxBytes: 1_000_000, maxAgeMs: 86_400_000 });
    for (let i = 0; i < 100; i++)
      buffer.append(
        'b',
        Array.from({ length: 20 }, (_, j) => result(i * 20 + j, i * 20 + j, 500)),
      );
    const stats = buffer.stats();
    expect(stats.droppedTotal).toBeGreaterThan(0);
    expect(stats.bytes).toBeLessThanOrEqual(1_000_000 + 64 * 4096);
    // What is left is the newest, contiguous up to the last result written.
    const left = buffer.peek(100_000);
    expect(left.at(-1)!.result.message).toBe('result 1999');
    expect(left.length + stats.droppedTotal).toBe(2000);
    expect(left[0]!.result.ts).toBe(2000 - left.length);
  });

  it('drops results older than the age cap and counts them', () => {
    let now = 10_000;
    buffer = new ResultBuffer(tempDir(), { maxBytes: 64e6, maxAgeMs: 5_000, now: () => now });
    buffer.append('b', [result(1_000, 1), result(6_000, 2), result(9_000, 3)]);
    now = 12_000;
    expect(buffer.enforceAge()).toBe(2);
    expect(buffer.peek(10).map((r) => r.result.message)).toEqual(['result 3']);
    expect(buffer.droppedTotal()).toBe(2);
  });

  it('reports its depth, oldest result and dropped count to a read-only reader', () => {
    const dir = tempDir();
    buffer = new ResultBuffer(dir, { maxBytes: 64e6, maxAgeMs: 5_000, now: () => 20_000 });
    buffer.append('b', [result(11_000, 1), result(16_000, 2), result(17_000, 3)]);
    buffer.enforceAge();
    buffer.recordState({ last_delivery_at: '19000' });
    const status = readBufferStatus(dir);
    expect(status).toMatchObject({ exists: true, depth: 2, oldestTs: 16_000, droppedTotal: 1 });
    expect(status.state.last_delivery_at).toBe('19000');
  });

  it('reads a buffer file the agent has created but not yet given its tables as empty, not as an error', () => {
    const dir = tempDir();
    writeFileSync(join(dir, BUFFER_FILE), '');
    expect(readBufferStatus(dir)).toMatchObject({ exists: true, depth: 0, droppedTotal: 0, state: {} });
    expect(readBufferStatus(tempDir())).toMatchObject({ exists: false, depth: 0 });
  });

  it('survives a full disk: keeps results in memory, then writes them when space returns', () => {
    const mount = tempDir();
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mount]);
    try {
      const dir = join(mount, 'state');
      mkdirSync(dir);
      buffer = new ResultBuffer(dir, { maxBytes: 64e6, maxAgeMs: 86_400_000, memoryQueueLimit: 50 });
      buffer.append('b', [result(1, 1)]);
      // Fill the disk to the last byte.
      const filler = join(mount, 'filler');
      try {
        writeFileSync(filler, Buffer.alloc(4 * 1024 * 1024));
      } catch {}
      let i = 2;
      for (; i < 200; i++) expect(() => buffer!.append('b', [result(i, i, 2000)])).not.toThrow();
      const full = buffer.stats();
      expect(full.lastWriteError).toMatch(/SQLITE_FULL|SQLITE_IOERR/);
      expect(full.memoryQueued).toBeLessThanOrEqual(50);
      // Space returns: the queue is written, and the memory losses are counted as dropped.
      rmSync(filler);
      buffer.append('b', [result(999, 999)]);
      const after = buffer.stats();
      expect(after.lastWriteError).toBeUndefined();
      expect(after.memoryQueued).toBe(0);
      expect(buffer.peek(10_000).at(-1)!.result.message).toBe('result 999');
      expect(after.depth + after.droppedTotal).toBe(200);
      buffer.close();
      buffer = undefined;
      const check = new Database(join(dir, BUFFER_FILE), { readonly: true });
      expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
      check.close();
    } finally {
      buffer?.close();
      buffer = undefined;
      execFileSync('umount', [mount]);
    }
  });

  it('keeps its write-ahead log small, so a state disk with 2 MB free never fills up with it', () => {
    const mount = tempDir();
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=2m', 'tmpfs', mount]);
    try {
      buffer = new ResultBuffer(mount, { maxBytes: 64e6, maxAgeMs: 86_400_000 });
      // Hours of a delivering agent: every result written, then acknowledged (two commits each).
      for (let i = 1; i <= 3000; i++) {
        buffer.append('b', [result(i, i, 300)]);
        expect(buffer.stats().lastWriteError).toBeUndefined();
        buffer.ack(buffer.peek(10).map((r) => r.seq));
      }
      expect(statSync(join(mount, `${BUFFER_FILE}-wal`)).size).toBeLessThanOrEqual(1024 * 1024);
      expect(buffer.stats().depth).toBe(0);
    } finally {
      buffer?.close();
      buffer = undefined;
      execFileSync('umount', [mount]);
    }
  });
});
