// Opening the buffer file safely: a file that fails to open or `PRAGMA quick_check` is moved aside
// (kept with its -wal/-shm for a person to look at), what can still be read is salvaged, and the
// caller starts a new buffer; the loss is described so it is logged, shown and reported.
import { closeSync, copyFileSync, existsSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import type { CheckResult } from '@vitals/shared';
import { openDatabase, type SqliteDatabase } from './sqlite.js';

/** What happened to a buffer that had to be replaced, as `vitals status` and the collector see it. */
export interface BufferLoss {
  /** When the damage was found (ms). */
  at: number;
  /** What SQLite said about the file. */
  reason: string;
  /** Where the damaged file was kept (its -wal/-shm beside it, with the same suffix). */
  kept_as: string;
  /** Unsent results read back from the damaged file into the new buffer. */
  salvaged: number;
  /** Unsent results that could not be recovered; null when the file is too damaged to tell. */
  lost: number | null;
  /** True once a batch carrying this loss was acknowledged by the collector. */
  reported: boolean;
}

export interface SalvagedRow {
  seq: number;
  boot_id: string;
  ts: number;
  body: string;
}

export interface Salvage {
  rows: SalvagedRow[];
  /**
   * How many results the damaged table held: count(*) when SQLite can still answer it, else
   * from the sequence numbers; undefined when neither can be read.
   */
  total: number | undefined;
  /** The highest sequence number the damaged buffer handed out, when readable. */
  lastSeq: number | undefined;
  meta: Record<string, string>;
}

/** SQLite result codes that mean "the file is damaged", as opposed to a full disk or a lock. */
export function isCorruption(error: unknown): boolean {
  const code = String((error as { code?: unknown })?.code ?? '');
  return /^SQLITE_(CORRUPT|NOTADB)/.test(code);
}

export function describeSqliteError(error: unknown): string {
  return `${(error as { code?: string }).code}: ${(error as Error).message}`;
}

/** `PRAGMA quick_check`: undefined when the file is sound, else SQLite's first complaint. */
export function integrityProblem(db: SqliteDatabase): string | undefined {
  const rows = db.pragma('quick_check') as Record<string, unknown>[];
  const lines = rows.map((r) => String(Object.values(r)[0]));
  if (lines.length === 1 && lines[0] === 'ok') return undefined;
  return `quick_check: ${lines.slice(0, 3).join('; ')}${lines.length > 3 ? ` (+${lines.length - 3} more)` : ''}`;
}

/** A file name suffix that sorts by time and is valid on every OS (no colons). */
function stamp(now: number): string {
  return new Date(now).toISOString().replace(/[:.]/g, '-');
}

/**
 * Renames the buffer and its -wal/-shm to `<file>.corrupt-<time>` (and `-wal`/`-shm` after it,
 * so SQLite opening the kept file still finds its log). Returns the kept path.
 */
export function moveAside(file: string, now: number): string {
  let kept = `${file}.corrupt-${stamp(now)}`;
  for (let n = 2; existsSync(kept); n++) kept = `${file}.corrupt-${stamp(now)}-${n}`;
  // The log first: a crash in between leaves the main file, which reopens as damaged again.
  for (const suffix of ['-wal', '-shm']) {
    if (existsSync(file + suffix)) renameSync(file + suffix, kept + suffix);
  }
  if (existsSync(file)) renameSync(file, kept);
  return kept;
}

const SELECT_AFTER = 'SELECT seq, boot_id, ts, body FROM report WHERE seq > ? ORDER BY seq';
/** Unreadable numbers stepped over before giving up (a 64 MB buffer holds about 200,000 results). */
const MAX_MISSES = 250_000;

function attempt<T>(fn: () => T): T | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

function looksLikeResult(body: string): boolean {
  try {
    const value = JSON.parse(body) as Partial<CheckResult>;
    return typeof value === 'object' && value !== null && typeof value.check === 'string' && Number.isFinite(value.ts);
  } catch {
    return false;
  }
}

/**
 * Reads what it can from a damaged buffer: rows in sequence order until the first page SQLite
 * cannot read (a cut file loses its tail, a garbage header loses everything), and the meta table.
 */
export function salvage(file: string): Salvage {
  const empty: Salvage = { rows: [], total: undefined, lastSeq: undefined, meta: {} };
  const copy = attempt(() => readableCopy(file));
  const db = copy && attempt(() => openDatabase(copy, { fileMustExist: true, timeoutMs: 1000 }));
  if (!db) {
    removeCopy(copy);
    return empty;
  }
  try {
    const total = attempt(() => (db.prepare('SELECT count(*) AS n FROM report').get() as { n: number }).n);
    const lastSeq = attempt(
      () =>
        (db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'report'").get() as { seq: number } | undefined)?.seq,
    );
    const meta =
      attempt(() =>
        Object.fromEntries(
          (db.prepare('SELECT key, value FROM meta').all() as { key: string; value: string }[]).map((r) => [
            r.key,
            r.value,
          ]),
        ),
      ) ?? {};
    const rows: SalvagedRow[] = [];
    const keep = (row: SalvagedRow) => {
      if (typeof row.boot_id === 'string' && typeof row.body === 'string' && looksLikeResult(row.body)) rows.push(row);
    };
    const page = attempt(() => db.prepare(`${SELECT_AFTER} LIMIT 200`));
    const one = attempt(() => db.prepare(`${SELECT_AFTER} LIMIT 1`));
    let after = 0;
    let misses = 0;
    while (page && one) {
      // A damaged page can also answer nonsense (a row it already gave): only moving on counts.
      const batch = attempt(() => (page.all(after) as SalvagedRow[]).filter((r) => r.seq > after));
      if (batch && batch.length === 200) {
        for (const row of batch) keep(row);
        after = (batch[batch.length - 1] as SalvagedRow).seq;
        continue;
      }
      if (batch?.length === 0) break;
      // A damaged page inside this batch (or its end): read row by row, stepping over what it held.
      const row = attempt(() => ({ row: one.get(after) as SalvagedRow | undefined }));
      if (row?.row && row.row.seq > after) {
        keep(row.row);
        after = row.row.seq;
        misses = 0;
      } else if (row?.row === undefined && row !== undefined) break;
      else if (after === 0 || lastSeq === undefined || after >= lastSeq || ++misses > MAX_MISSES) break;
      else after++;
    }
    // The buffer numbers results one by one and deletes from the oldest end, so when SQLite cannot
    // count the table any more, the numbers between the first readable row and the last one handed
    // out tell how many there were.
    const first = rows[0]?.seq;
    const counted = total ?? (first !== undefined && lastSeq !== undefined ? lastSeq - first + 1 : undefined);
    return { rows, total: counted, lastSeq, meta };
  } finally {
    attempt(() => db.close());
    removeCopy(copy);
  }
}

/**
 * A copy of the kept file (and its log) that SQLite agrees to read. A file cut short still claims
 * its old size in its header, and SQLite then refuses even the schema; with the size field zeroed
 * it takes the size from the file and reads every page that is still there. The kept file itself
 * stays exactly as it was found.
 */
function readableCopy(file: string): string {
  const copy = `${file}.salvage`;
  copyFileSync(file, copy);
  if (existsSync(`${file}-wal`)) copyFileSync(`${file}-wal`, `${copy}-wal`);
  const fd = openSync(copy, 'r+');
  try {
    // Bytes 28..31 of the header: the database size in pages ("in-header database size").
    writeSync(fd, Buffer.alloc(4), 0, 4, 28);
  } finally {
    closeSync(fd);
  }
  return copy;
}

function removeCopy(copy: string | undefined): void {
  if (copy === undefined) return;
  for (const suffix of ['', '-wal', '-shm']) rmSync(copy + suffix, { force: true });
}

/**
 * Opens `file` and runs `init` (pragmas, schema) on it, then checks it. A damaged file is moved
 * aside and salvaged, and a new one opened in its place; `loss` then says what happened. Other
 * failures (permissions, a full disk) are thrown: moving a sound buffer aside would lose it.
 */
export function openCheckedBuffer(
  file: string,
  init: (db: SqliteDatabase) => void,
  now: number,
): { db: SqliteDatabase; loss?: Omit<BufferLoss, 'salvaged' | 'lost' | 'reported'>; salvage?: Salvage } {
  let reason: string;
  let db: SqliteDatabase | undefined;
  try {
    db = openDatabase(file, { timeoutMs: 5000 });
    init(db);
    const problem = integrityProblem(db);
    if (problem === undefined) return { db };
    reason = problem;
  } catch (error) {
    if (!isCorruption(error)) {
      attempt(() => db?.close());
      throw error;
    }
    reason = describeSqliteError(error);
  }
  attempt(() => db?.close());
  const kept = moveAside(file, now);
  const salvaged = salvage(kept);
  const fresh = openDatabase(file, { timeoutMs: 5000 });
  init(fresh);
  return { db: fresh, loss: { at: now, reason, kept_as: kept }, salvage: salvaged };
}
