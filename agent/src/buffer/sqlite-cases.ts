// The SQLite interface suite, written once and run against every driver the builds use:
// better-sqlite3 in-process under vitest (sqlite.test.ts), node:sqlite in a child process on the
// Node runtime the executables embed (the same cases, bundled). Plain node:assert, no vitest here.
import { deepStrictEqual, equal, ok, throws } from 'node:assert/strict';
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BUFFER_FILE, ResultBuffer, readBufferStatus } from './buffer.js';
import { openDatabase, type SqliteDatabase, type SqliteDriverName } from './sqlite.js';

export interface CaseContext {
  driver: SqliteDriverName;
  dir: string;
  open(name: string, options?: Parameters<typeof openDatabase>[1]): SqliteDatabase;
}

export interface SqliteCase {
  name: string;
  run(ctx: CaseContext): void;
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (error) {
    return String((error as { code?: unknown }).code);
  }
  throw new Error('expected an error, got none');
}

export const SQLITE_CASES: SqliteCase[] = [
  {
    name: 'exec, prepare, run/get/all round-trip every value type',
    run({ open }) {
      const db = open('types.sqlite');
      db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, i INTEGER, r REAL, s TEXT, n TEXT, b BLOB)');
      const insert = db.prepare('INSERT INTO t (i, r, s, n, b) VALUES (?, ?, ?, ?, ?)');
      const info = insert.run(42, 1.5, 'grüße', null, new Uint8Array([1, 2, 3]));
      deepStrictEqual(info, { changes: 1, lastInsertRowid: 1 });
      equal(insert.run(-7, 0, '', null, new Uint8Array([])).lastInsertRowid, 2);
      const row = db.prepare('SELECT i, r, s, n, b FROM t WHERE id = ?').get<Record<string, unknown>>(1);
      ok(row);
      equal(row.i, 42);
      equal(row.r, 1.5);
      equal(row.s, 'grüße');
      equal(row.n, null);
      deepStrictEqual([...(row.b as Uint8Array)], [1, 2, 3]);
      equal(db.prepare('SELECT * FROM t WHERE id = ?').get(99), undefined);
      deepStrictEqual(
        db
          .prepare('SELECT id FROM t ORDER BY id')
          .all<{ id: number }>()
          .map((r) => r.id),
        [1, 2],
      );
      deepStrictEqual(db.prepare('SELECT id FROM t WHERE id > ?').all(5), []);
      equal(db.prepare('DELETE FROM t').run().changes, 2);
      db.close();
    },
  },
  {
    name: 'transaction commits and returns, rolls back and rethrows, nests as a savepoint',
    run({ open }) {
      const db = open('tx.sqlite');
      db.exec('CREATE TABLE t (v TEXT)');
      const add = db.prepare('INSERT INTO t (v) VALUES (?)');
      const count = () => db.prepare('SELECT count(*) AS n FROM t').get<{ n: number }>()?.n;
      equal(
        db.transaction(() => {
          add.run('a');
          add.run('b');
          return 'done';
        }),
        'done',
      );
      equal(count(), 2);
      const boom = new Error('boom');
      throws(
        () =>
          db.transaction(() => {
            add.run('c');
            throw boom;
          }),
        (e) => e === boom,
      );
      equal(count(), 2);
      db.transaction(() => {
        add.run('outer');
        try {
          db.transaction(() => {
            add.run('inner');
            throw new Error('inner fails');
          });
        } catch {}
        add.run('outer again');
      });
      deepStrictEqual(
        db
          .prepare('SELECT v FROM t ORDER BY rowid')
          .all<{ v: string }>()
          .map((r) => r.v),
        ['a', 'b', 'outer', 'outer again'],
      );
      // The connection is usable for a fresh transaction after all that.
      db.transaction(() => add.run('d'));
      equal(count(), 5);
      db.close();
    },
  },
  {
    name: 'pragma returns rows, or the single value with simple',
    run({ open }) {
      const db = open('pragma.sqlite');
      deepStrictEqual(db.pragma('journal_mode = WAL'), [{ journal_mode: 'wal' }]);
      equal(db.pragma('journal_mode', { simple: true }), 'wal');
      deepStrictEqual(db.pragma('synchronous = NORMAL'), []);
      equal(db.pragma('synchronous', { simple: true }), 1);
      equal(typeof db.pragma('page_size', { simple: true }), 'number');
      equal(db.pragma('busy_timeout', { simple: true }), 5000);
      db.close();
    },
  },
  {
    name: 'errors carry the same SQLite result code names on every driver',
    run({ open, dir }) {
      const db = open('errors.sqlite');
      db.exec('CREATE TABLE t (k TEXT UNIQUE, v TEXT NOT NULL)');
      db.prepare('INSERT INTO t VALUES (?, ?)').run('x', '1');
      equal(
        codeOf(() => db.prepare('INSERT INTO t VALUES (?, ?)').run('x', '2')),
        'SQLITE_CONSTRAINT_UNIQUE',
      );
      equal(
        codeOf(() => db.prepare('INSERT INTO t VALUES (?, ?)').run('y', null)),
        'SQLITE_CONSTRAINT_NOTNULL',
      );
      equal(
        codeOf(() => db.exec('SELEC nonsense')),
        'SQLITE_ERROR',
      );
      // A capped file refuses growth with SQLITE_FULL (what the buffer's drop-oldest relies on).
      db.pragma('max_page_count = 4');
      const big = db.prepare('INSERT INTO t VALUES (?, ?)');
      equal(
        codeOf(() => {
          for (let i = 0; i < 1000; i++) big.run(`k${i}`, 'v'.repeat(500));
        }),
        'SQLITE_FULL',
      );
      equal(
        codeOf(() => open('missing.sqlite', { readonly: true })),
        'SQLITE_CANTOPEN',
      );
      equal(
        codeOf(() => open('missing-too.sqlite', { fileMustExist: true })),
        'SQLITE_CANTOPEN',
      );
      equal(
        codeOf(() => openDatabase(join(dir, 'no-such-dir', 'x.sqlite'))),
        'SQLITE_CANTOPEN',
      );
      const ro = open('errors.sqlite', { readonly: true });
      ok(String(codeOf(() => ro.exec("INSERT INTO t VALUES ('z', 'z')"))).startsWith('SQLITE_READONLY'));
      ro.close();
      db.close();
      throws(() => db.prepare('SELECT 1'));
    },
  },
  {
    name: 'a second connection waits for the lock up to its timeout, then SQLITE_BUSY',
    run({ open }) {
      const a = open('busy.sqlite');
      a.pragma('journal_mode = WAL');
      a.exec('CREATE TABLE t (v INTEGER)');
      const b = open('busy.sqlite', { timeoutMs: 50 });
      a.exec('BEGIN IMMEDIATE');
      a.exec('INSERT INTO t VALUES (1)');
      const started = Date.now();
      ok(codeOf(() => b.exec('INSERT INTO t VALUES (2)')).startsWith('SQLITE_BUSY'));
      ok(Date.now() - started >= 40, 'waited for the busy timeout');
      // WAL: a reader sees the last committed state while the writer holds its lock.
      equal(b.prepare('SELECT count(*) AS n FROM t').get<{ n: number }>()?.n, 0);
      a.exec('COMMIT');
      b.exec('INSERT INTO t VALUES (2)');
      equal(a.prepare('SELECT count(*) AS n FROM t').get<{ n: number }>()?.n, 2);
      a.close();
      b.close();
    },
  },
  {
    name: 'the agent buffer keeps, caps and acknowledges results on this driver',
    run({ dir, driver }) {
      const stateDir = join(dir, 'state');
      const now = 1_700_000_000_000;
      const buffer = new ResultBuffer(stateDir, { maxBytes: 256 * 1024, maxAgeMs: 86_400_000, now: () => now });
      equal(buffer.db.driver, driver);
      const results = Array.from({ length: 400 }, (_, n) => ({
        check: 'disk',
        kind: 'disk' as const,
        target: `/vol${n}`,
        status: 'OK' as const,
        values: { note: { value: 'x'.repeat(1000) } },
        message: `result ${n}`,
        ts: now + n,
      }));
      for (let i = 0; i < results.length; i += 20) buffer.append('boot-1', results.slice(i, i + 20));
      const stats = buffer.stats();
      ok(stats.depth > 0 && stats.depth < 400, `capped depth ${stats.depth}`);
      ok(stats.droppedTotal > 0 && stats.depth + stats.droppedTotal === 400);
      ok(stats.bytes <= 256 * 1024 + 4096 * 2, `file ${stats.bytes} B stays at the cap`);
      const first = buffer.peek(5);
      equal(first.length, 5);
      ok(first[0] && first[0].seq >= now, 'sequence seeded from the clock');
      equal(first[4]?.result.message, `result ${stats.droppedTotal + 4}`, 'oldest were dropped');
      buffer.ack(first.map((r) => r.seq));
      equal(buffer.depth(), stats.depth - 5);
      buffer.recordState({ last_delivery_at: 'now' });
      buffer.close();
      const status = readBufferStatus(stateDir);
      equal(status.exists, true);
      equal(status.depth, stats.depth - 5);
      equal(status.droppedTotal, stats.droppedTotal);
      equal(status.state.last_delivery_at, 'now');
      equal(readBufferStatus(join(dir, 'nothing-here')).exists, false);
    },
  },
  {
    name: 'a damaged agent buffer (garbage header, file cut in half) is moved aside and replaced on this driver',
    run({ dir, driver }) {
      const now = 1_700_000_000_000;
      const fill = (stateDir: string): number[] => {
        const buffer = new ResultBuffer(stateDir, { maxBytes: 64e6, maxAgeMs: 86_400_000, now: () => now });
        equal(buffer.db.driver, driver);
        buffer.append(
          'boot-1',
          Array.from({ length: 200 }, (_, n) => ({
            check: 'disk',
            kind: 'disk' as const,
            target: `/vol${n}`,
            status: 'OK' as const,
            values: { note: { value: 'x'.repeat(400) } },
            message: `result ${n}`,
            ts: now + n,
          })),
        );
        const seqs = buffer.peek(200).map((r) => r.seq);
        buffer.db.pragma('wal_checkpoint(TRUNCATE)');
        buffer.close();
        return seqs;
      };
      const later = now + 60_000;
      // Garbage over the first 4 KB: nothing is readable, the loss is unknown.
      const garbled = join(dir, 'garbled');
      const seqs = fill(garbled);
      const fd = openSync(join(garbled, BUFFER_FILE), 'r+');
      writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, 0);
      closeSync(fd);
      equal(readBufferStatus(garbled).damaged?.startsWith('SQLITE_NOTADB'), true, 'status names the damage');
      const a = new ResultBuffer(garbled, { maxBytes: 64e6, maxAgeMs: 86_400_000, now: () => later });
      equal(a.replaced?.lost, null);
      equal(a.replaced?.salvaged, 0);
      ok(existsSync(a.replaced?.kept_as ?? ''), 'damaged file kept');
      a.append('boot-2', [{ check: 'cpu', kind: 'cpu', target: '', status: 'OK', values: {}, message: '', ts: later }]);
      ok((a.peek(1)[0]?.seq ?? 0) > Math.max(later, ...seqs), 'numbers never repeat');
      a.close();
      equal(readBufferStatus(garbled).loss?.kept_as, a.replaced?.kept_as);
      // Cut in half: the first half of the rows is salvaged, the rest counted from the numbers.
      const cut = join(dir, 'cut');
      fill(cut);
      const file = join(cut, BUFFER_FILE);
      truncateSync(file, Math.floor(statSync(file).size / 2));
      const b = new ResultBuffer(cut, { maxBytes: 64e6, maxAgeMs: 86_400_000, now: () => later });
      const salvaged = b.replaced?.salvaged ?? 0;
      ok(salvaged > 20 && salvaged < 200, `salvaged ${salvaged}`);
      equal(b.replaced?.lost, 200 - salvaged);
      equal(b.depth(), salvaged);
      b.close();
    },
  },
];

export interface CaseOutcome {
  name: string;
  ok: boolean;
  error?: string;
}

/** Runs every case against one driver, each in its own temporary directory. */
export function runSqliteCases(driver: SqliteDriverName): CaseOutcome[] {
  return SQLITE_CASES.map((c) => {
    const dir = mkdtempSync(join(tmpdir(), 'vitals-sqlite-'));
    try {
      c.run({ driver, dir, open: (name, options) => openDatabase(join(dir, name), options, driver) });
      return { name: c.name, ok: true };
    } catch (error) {
      return {
        name: c.name,
        ok: false,
        error: error instanceof Error ? (error.stack ?? error.message) : String(error),
      };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
