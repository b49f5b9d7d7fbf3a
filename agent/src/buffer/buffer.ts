// The agent's result buffer: every result goes into SQLite (WAL) before anything is sent, and is
// deleted only once the collector acknowledged it. Capped in size and age, oldest dropped first
// and counted; a full disk degrades to a small in-memory queue instead of crashing.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { CheckResult, Report } from '@vitals/shared';
import { type BufferLoss, describeSqliteError, isCorruption, openCheckedBuffer, type Salvage } from './recovery.js';
import { openDatabase, type SqliteDatabase } from './sqlite.js';

export interface BufferOptions {
  maxBytes: number;
  maxAgeMs: number;
  now?: () => number;
  /** Results kept in memory while the disk refuses writes (full, read-only). */
  memoryQueueLimit?: number;
}

export interface BufferStats {
  depth: number;
  oldestTs: number | undefined;
  droppedTotal: number;
  bytes: number;
  memoryQueued: number;
  lastWriteError: string | undefined;
}

const SCHEMA = `
CREATE TABLE IF NOT EXISTS report (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  boot_id TEXT NOT NULL,
  ts INTEGER NOT NULL,
  body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
`;

export const BUFFER_FILE = 'buffer.sqlite';
/** Meta key of the last buffer replacement (JSON BufferLoss). */
const LOSS_KEY = 'buffer_lost';

function parseLoss(text: string | undefined): BufferLoss | undefined {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as BufferLoss;
  } catch {
    return undefined;
  }
}
/** Checkpoint the write-ahead log every 100 pages (400 KB), and cut it back to 512 KB after one. */
const WAL_CHECKPOINT_PAGES = 100;
const WAL_SIZE_LIMIT = 512 * 1024;

function isDiskError(error: unknown): boolean {
  const code = (error as { code?: string }).code ?? '';
  return /^SQLITE_(FULL|IOERR|READONLY|CANTOPEN|BUSY|LOCKED|PROTOCOL)/.test(code);
}

export class ResultBuffer {
  readonly db: SqliteDatabase;
  /** Set when the file on disk was damaged at open and replaced by this new buffer. */
  readonly replaced: BufferLoss | undefined;
  private readonly now: () => number;
  private readonly memory: { bootId: string; result: CheckResult }[] = [];
  private memoryDropped = 0;
  private lastWriteError: string | undefined;
  private pageSize = 4096;

  constructor(
    readonly stateDir: string,
    private readonly options: BufferOptions,
  ) {
    this.now = options.now ?? Date.now;
    mkdirSync(stateDir, { recursive: true, mode: 0o700 });
    const opened = openCheckedBuffer(join(stateDir, BUFFER_FILE), (db) => this.configure(db), this.now());
    this.db = opened.db;
    if (opened.loss && opened.salvage) this.replaced = this.restore(opened.loss, opened.salvage);
    this.seedSequence();
  }

  private configure(db: SqliteDatabase): void {
    db.pragma('journal_mode = WAL');
    // NORMAL survives any process crash (kill -9) in WAL mode; only a power cut can lose the last commit.
    db.pragma('synchronous = NORMAL');
    // The write-ahead log lives beside the buffer on the same disk. SQLite's default lets it grow to
    // 4 MB before a checkpoint and never shrinks it: on a nearly full disk it took the last free
    // megabytes and every later write failed with SQLITE_FULL, even after space was freed.
    db.pragma(`wal_autocheckpoint = ${WAL_CHECKPOINT_PAGES}`);
    db.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
    db.exec(SCHEMA);
    this.pageSize = db.pragma('page_size', { simple: true }) as number;
    // The cap is enforced by SQLite itself: past max_page_count an insert fails with SQLITE_FULL,
    // and we drop the oldest results to make room — the file never grows past the cap.
    db.pragma(`max_page_count = ${Math.max(64, Math.ceil(this.options.maxBytes / this.pageSize))}`);
  }

  /**
   * Fills a new buffer from what a damaged one still held: the readable unsent results with their
   * own sequence numbers (the collector stores a result it already has once), the dropped count,
   * and the loss itself, kept until a batch carrying it is acknowledged.
   */
  private restore(found: Omit<BufferLoss, 'salvaged' | 'lost' | 'reported'>, salvage: Salvage): BufferLoss {
    const loss: BufferLoss = {
      ...found,
      salvaged: salvage.rows.length,
      lost: salvage.total === undefined ? null : Math.max(0, salvage.total - salvage.rows.length),
      reported: false,
    };
    const insert = this.db.prepare('INSERT INTO report (seq, boot_id, ts, body) VALUES (?, ?, ?, ?)');
    this.db.transaction(() => {
      for (const r of salvage.rows) insert.run(r.seq, r.boot_id, r.ts, r.body);
      const dropped = Number(salvage.meta.dropped_total ?? 0);
      if (Number.isFinite(dropped) && dropped > 0) this.setMeta('dropped_total', String(dropped));
      this.setMeta(LOSS_KEY, JSON.stringify(loss));
      // Numbers never repeat: above the clock (as for any new buffer) and above all the old one used.
      const floor = Math.max(this.now(), salvage.lastSeq ?? 0, ...salvage.rows.map((r) => r.seq));
      this.db
        .prepare(
          "INSERT INTO sqlite_sequence (name, seq) SELECT 'report', ? WHERE NOT EXISTS (SELECT 1 FROM sqlite_sequence WHERE name = 'report')",
        )
        .run(floor);
      this.db.prepare("UPDATE sqlite_sequence SET seq = max(seq, ?) WHERE name = 'report'").run(floor);
    });
    return loss;
  }

  /** The last buffer replacement, while no acknowledged batch has carried it to the collector. */
  unreportedLoss(): BufferLoss | undefined {
    const loss = parseLoss(this.meta(LOSS_KEY));
    return loss && !loss.reported ? loss : undefined;
  }

  /** The collector acknowledged a batch that carried this loss. */
  lossReported(at: number): void {
    const loss = parseLoss(this.meta(LOSS_KEY));
    if (loss?.at === at) this.recordState({ [LOSS_KEY]: JSON.stringify({ ...loss, reported: true }) });
  }

  /**
   * A new buffer starts its sequence at the current time in ms, so that an agent whose buffer was
   * lost or deleted keeps numbering above anything the collector already stored from it.
   */
  private seedSequence(): void {
    const row = this.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'report'").get() as
      | { seq: number }
      | undefined;
    if (row === undefined) {
      this.db.prepare("INSERT INTO sqlite_sequence (name, seq) VALUES ('report', ?)").run(this.now());
    }
  }

  private meta(key: string): string | undefined {
    return (this.db.prepare('SELECT value FROM meta WHERE key = ?').get(key) as { value: string } | undefined)?.value;
  }

  private setMeta(key: string, value: string): void {
    this.db
      .prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value')
      .run(key, value);
  }

  /** Appends results; never throws for disk trouble (they wait in memory and are retried). */
  append(bootId: string, results: CheckResult[]): void {
    for (const result of results) this.memory.push({ bootId, result });
    this.flushMemory();
  }

  /** Moves queued results into SQLite; returns false while the disk still refuses them. */
  flushMemory(): boolean {
    if (this.memory.length === 0) return true;
    try {
      this.writeWithRoom(this.memory);
      this.memory.length = 0;
      this.lastWriteError = undefined;
      if (this.memoryDropped > 0) {
        this.addDropped(this.memoryDropped);
        this.memoryDropped = 0;
      }
      return true;
    } catch (error) {
      if (!isDiskError(error)) throw error;
      this.lastWriteError = `${(error as { code?: string }).code}: ${(error as Error).message}`;
      const limit = this.options.memoryQueueLimit ?? 10_000;
      const excess = this.memory.length - limit;
      if (excess > 0) {
        this.memory.splice(0, excess);
        this.memoryDropped += excess;
      }
      return false;
    }
  }

  private writeWithRoom(items: { bootId: string; result: CheckResult }[]): void {
    const insert = this.db.prepare('INSERT INTO report (boot_id, ts, body) VALUES (?, ?, ?)');
    const write = () =>
      this.db.transaction(() => {
        for (const { bootId, result } of items) insert.run(bootId, result.ts, JSON.stringify(result));
      });
    for (let attempt = 0; ; attempt++) {
      try {
        write();
        return;
      } catch (error) {
        const code = (error as { code?: string }).code;
        if (code !== 'SQLITE_FULL' || attempt >= 6) throw error;
        // A disk full of write-ahead log: folding it into the buffer and truncating it frees space.
        if (attempt === 0 && this.truncateWal()) continue;
        // Full (cap reached or disk full): drop the oldest tenth, then a bigger share each time.
        const depth = this.depth();
        if (depth === 0) throw error;
        this.dropOldest(Math.max(items.length, Math.ceil(depth * 0.1 * (attempt + 1))));
      }
    }
  }

  /** Checkpoints and truncates the write-ahead log; true when it held anything to give back. */
  private truncateWal(): boolean {
    try {
      const [row] = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number; log: number }[];
      return row !== undefined && row.busy === 0 && row.log > 0;
    } catch {
      return false;
    }
  }

  private dropOldest(count: number): void {
    const dropped = this.db.transaction(() => {
      const info = this.db
        .prepare('DELETE FROM report WHERE seq IN (SELECT seq FROM report ORDER BY seq LIMIT ?)')
        .run(count);
      this.addDropped(info.changes);
      return info.changes;
    });
    if (dropped === 0) throw new Error('buffer full and nothing left to drop');
  }

  private addDropped(n: number): void {
    if (n <= 0) return;
    this.setMeta('dropped_total', String(this.storedDropped() + n));
  }

  private storedDropped(): number {
    return Number(this.meta('dropped_total') ?? 0);
  }

  /** Drops results older than the age cap; returns how many. */
  enforceAge(): number {
    try {
      return this.db.transaction(() => {
        const info = this.db.prepare('DELETE FROM report WHERE ts < ?').run(this.now() - this.options.maxAgeMs);
        this.addDropped(info.changes);
        return info.changes;
      });
    } catch (error) {
      if (isDiskError(error)) return 0;
      throw error;
    }
  }

  /** The oldest unsent reports, in sequence order. */
  peek(limit: number): Report[] {
    const rows = this.db.prepare('SELECT seq, boot_id, body FROM report ORDER BY seq LIMIT ?').all(limit) as {
      seq: number;
      boot_id: string;
      body: string;
    }[];
    return rows.map((r) => ({ seq: r.seq, boot_id: r.boot_id, result: JSON.parse(r.body) as CheckResult }));
  }

  /** Deletes what the collector acknowledged. */
  ack(seqs: number[]): void {
    if (seqs.length === 0) return;
    const del = this.db.prepare('DELETE FROM report WHERE seq = ?');
    this.db.transaction(() => {
      for (const seq of seqs) del.run(seq);
    });
  }

  /** Reports the collector refused for good (malformed even alone): counted as dropped. */
  discard(seqs: number[]): void {
    this.ack(seqs);
    this.addDropped(seqs.length);
  }

  depth(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM report').get() as { n: number }).n;
  }

  droppedTotal(): number {
    return this.storedDropped() + this.memoryDropped;
  }

  stats(): BufferStats {
    const stored = storedStats(this.db);
    return {
      depth: stored.depth + this.memory.length,
      oldestTs: stored.oldestTs ?? this.memory[0]?.result.ts,
      droppedTotal: this.droppedTotal(),
      bytes: stored.bytes,
      memoryQueued: this.memory.length,
      lastWriteError: this.lastWriteError,
    };
  }

  /** Small persisted facts for `vitals status` (last delivery, last error); best effort. */
  recordState(values: Record<string, string>): void {
    try {
      this.db.transaction(() => {
        for (const [k, v] of Object.entries(values)) this.setMeta(k, v);
      });
    } catch (error) {
      if (!isDiskError(error)) throw error;
    }
  }

  readState(): Record<string, string> {
    const rows = this.db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[];
    return Object.fromEntries(rows.map((r) => [r.key, r.value]));
  }

  close(): void {
    this.flushMemory();
    this.db.close();
  }
}

/** Depth, oldest result and file size of a buffer database, for the live agent and for readers. */
function storedStats(db: SqliteDatabase): { depth: number; oldestTs: number | undefined; bytes: number } {
  const row = db.prepare('SELECT count(*) AS n, min(ts) AS oldest FROM report').get() as {
    n: number;
    oldest: number | null;
  };
  const pages = db.pragma('page_count', { simple: true }) as number;
  const pageSize = db.pragma('page_size', { simple: true }) as number;
  return { depth: row.n, oldestTs: row.oldest ?? undefined, bytes: pages * pageSize };
}

export interface BufferStatus {
  exists: boolean;
  depth: number;
  oldestTs: number | undefined;
  droppedTotal: number;
  bytes: number;
  state: Record<string, string>;
  /** The last replacement of a damaged buffer, if any. */
  loss: BufferLoss | undefined;
  /** Set when the file on disk is damaged now: the agent replaces it when it next opens it. */
  damaged: string | undefined;
}

const NO_BUFFER: BufferStatus = {
  exists: false,
  depth: 0,
  oldestTs: undefined,
  droppedTotal: 0,
  bytes: 0,
  state: {},
  loss: undefined,
  damaged: undefined,
};

/** Reads the buffer of a (possibly running) agent without writing to it, for `vitals status`. */
export function readBufferStatus(stateDir: string): BufferStatus {
  let db: SqliteDatabase;
  try {
    db = openDatabase(join(stateDir, BUFFER_FILE), { readonly: true, fileMustExist: true, timeoutMs: 5000 });
  } catch (error) {
    if (isCorruption(error)) return { ...NO_BUFFER, exists: true, damaged: describeSqliteError(error) };
    return NO_BUFFER;
  }
  try {
    // A buffer the agent has just created may not hold its tables yet: nothing buffered.
    const ready = db
      .prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table' AND name = 'meta'")
      .get() as {
      n: number;
    };
    if (ready.n === 0) return { ...NO_BUFFER, exists: true };
    const meta = db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[];
    const state = Object.fromEntries(meta.map((m) => [m.key, m.value]));
    return {
      ...NO_BUFFER,
      exists: true,
      ...storedStats(db),
      droppedTotal: Number(state.dropped_total ?? 0),
      state,
      loss: parseLoss(state[LOSS_KEY]),
    };
  } catch (error) {
    // Status only reads: the running agent (or its next start) is the one that moves a damaged file aside.
    if (isCorruption(error)) return { ...NO_BUFFER, exists: true, damaged: describeSqliteError(error) };
    throw error;
  } finally {
    db.close();
  }
}
