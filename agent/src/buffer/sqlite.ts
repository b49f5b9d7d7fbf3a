// The agent's one door to SQLite. Two drivers sit behind it: better-sqlite3 (development, tests,
// `node agent/dist/vitals.js` on Node 20) and the runtime's built-in `node:sqlite` (the
// single-executable builds, which cannot carry a native addon per OS). Both answer the same small
// interface and throw errors with the same SQLite result-code names (`SQLITE_FULL`, ...), so the
// buffer's disk-trouble handling works alike on either. The shared test suite is sqlite-cases.ts.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';

export type SqliteDriverName = 'better-sqlite3' | 'node:sqlite';
export type SqlValue = null | number | bigint | string | Uint8Array;
export type Row = Record<string, unknown>;

export interface RunResult {
  changes: number;
  lastInsertRowid: number | bigint;
}

export interface Statement {
  run(...params: SqlValue[]): RunResult;
  /** The first row, or undefined when there is none. */
  get<T = Row>(...params: SqlValue[]): T | undefined;
  all<T = Row>(...params: SqlValue[]): T[];
}

export interface OpenOptions {
  readonly?: boolean;
  /** Fail with SQLITE_CANTOPEN instead of creating the file. Implied by readonly. */
  fileMustExist?: boolean;
  /** How long a statement waits for another connection's lock (busy_timeout); default 5000. */
  timeoutMs?: number;
}

export interface SqliteDatabase {
  readonly driver: SqliteDriverName;
  exec(sql: string): void;
  prepare(sql: string): Statement;
  /** Runs fn inside BEGIN/COMMIT (a SAVEPOINT when nested); rolls back and rethrows if fn throws. */
  transaction<T>(fn: () => T): T;
  /** `PRAGMA <text>`: every row, or with simple the first column of the first row. */
  pragma(text: string): Row[];
  pragma(text: string, options: { simple: true }): unknown;
  close(): void;
}

/** A SQLite failure from either driver; `code` is the (extended) result code name. */
export class SqliteError extends Error {
  override name = 'SqliteError';
  constructor(
    message: string,
    readonly code: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

const PRIMARY: Record<number, string> = {
  1: 'ERROR',
  2: 'INTERNAL',
  3: 'PERM',
  4: 'ABORT',
  5: 'BUSY',
  6: 'LOCKED',
  7: 'NOMEM',
  8: 'READONLY',
  9: 'INTERRUPT',
  10: 'IOERR',
  11: 'CORRUPT',
  12: 'NOTFOUND',
  13: 'FULL',
  14: 'CANTOPEN',
  15: 'PROTOCOL',
  16: 'EMPTY',
  17: 'SCHEMA',
  18: 'TOOBIG',
  19: 'CONSTRAINT',
  20: 'MISMATCH',
  21: 'MISUSE',
  22: 'NOLFS',
  23: 'AUTH',
  24: 'FORMAT',
  25: 'RANGE',
  26: 'NOTADB',
  27: 'NOTICE',
  28: 'WARNING',
};

// Extended codes are primary | (n << 8); names as in sqlite3.h (and as better-sqlite3 reports them).
const EXTENDED: Record<string, string[]> = {
  ERROR: ['', 'MISSING_COLLSEQ', 'RETRY', 'SNAPSHOT'],
  ABORT: ['', '', 'ROLLBACK'],
  BUSY: ['', 'RECOVERY', 'SNAPSHOT', 'TIMEOUT'],
  LOCKED: ['', 'SHAREDCACHE', 'VTAB'],
  READONLY: ['', 'RECOVERY', 'CANTLOCK', 'ROLLBACK', 'DBMOVED', 'CANTINIT', 'DIRECTORY'],
  IOERR: [
    '',
    'READ',
    'SHORT_READ',
    'WRITE',
    'FSYNC',
    'DIR_FSYNC',
    'TRUNCATE',
    'FSTAT',
    'UNLOCK',
    'RDLOCK',
    'DELETE',
    'BLOCKED',
    'NOMEM',
    'ACCESS',
    'CHECKRESERVEDLOCK',
    'LOCK',
    'CLOSE',
    'DIR_CLOSE',
    'SHMOPEN',
    'SHMSIZE',
    'SHMLOCK',
    'SHMMAP',
    'SEEK',
    'DELETE_NOENT',
    'MMAP',
    'GETTEMPPATH',
    'CONVPATH',
    'VNODE',
    'AUTH',
    'BEGIN_ATOMIC',
    'COMMIT_ATOMIC',
    'ROLLBACK_ATOMIC',
    'DATA',
    'CORRUPTFS',
    'IN_PAGE',
  ],
  CORRUPT: ['', 'VTAB', 'SEQUENCE', 'INDEX'],
  CANTOPEN: ['', 'NOTEMPDIR', 'ISDIR', 'FULLPATH', 'CONVPATH', 'DIRTYWAL', 'SYMLINK'],
  CONSTRAINT: [
    '',
    'CHECK',
    'COMMITHOOK',
    'FOREIGNKEY',
    'FUNCTION',
    'NOTNULL',
    'PRIMARYKEY',
    'TRIGGER',
    'UNIQUE',
    'VTAB',
    'ROWID',
    'PINNED',
    'DATATYPE',
  ],
};

/** The name of a numeric SQLite result code, e.g. 2067 -> SQLITE_CONSTRAINT_UNIQUE. */
export function resultCodeName(code: number): string {
  const primary = PRIMARY[code & 0xff];
  if (primary === undefined) return `SQLITE_UNKNOWN_${code}`;
  const ext = code >> 8 ? EXTENDED[primary]?.[code >> 8] : '';
  return ext ? `SQLITE_${primary}_${ext}` : `SQLITE_${primary}`;
}

// ---- better-sqlite3 ----

interface BetterStatement {
  run(...params: unknown[]): { changes: number; lastInsertRowid: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}
interface BetterDatabase {
  exec(sql: string): unknown;
  prepare(sql: string): BetterStatement;
  transaction<F extends (...args: never[]) => unknown>(fn: F): F;
  pragma(text: string, options?: { simple?: boolean }): unknown;
  close(): unknown;
}
type BetterConstructor = new (
  file: string,
  options: { readonly: boolean; fileMustExist: boolean; timeout: number },
) => BetterDatabase;

let betterSqlite: BetterConstructor | undefined;
function loadBetterSqlite(): BetterConstructor {
  // Loaded on first use only, so the single-executable build (which has no addon) never asks for it.
  betterSqlite ??= createRequire(import.meta.url)('better-sqlite3') as BetterConstructor;
  return betterSqlite;
}

function openBetter(file: string, options: OpenOptions): SqliteDatabase {
  const Database = loadBetterSqlite();
  let db: BetterDatabase;
  try {
    db = new Database(file, {
      readonly: options.readonly ?? false,
      fileMustExist: options.fileMustExist ?? false,
      timeout: options.timeoutMs ?? 5000,
    });
  } catch (error) {
    // better-sqlite3 checks the folder itself and throws a TypeError without a code; SQLite says CANTOPEN.
    if (!existsSync(dirname(file))) throw new SqliteError(`unable to open database file: ${error}`, 'SQLITE_CANTOPEN');
    throw error;
  }
  return {
    driver: 'better-sqlite3',
    exec: (sql) => void db.exec(sql),
    prepare: (sql) => db.prepare(sql) as Statement,
    transaction: <T>(fn: () => T): T => db.transaction(fn)() as T,
    pragma: ((text: string, opts?: { simple: true }) => db.pragma(text, opts)) as SqliteDatabase['pragma'],
    close: () => void db.close(),
  };
}

// ---- node:sqlite ----

interface NodeStatement {
  run(...params: SqlValue[]): { changes: number | bigint; lastInsertRowid: number | bigint };
  get(...params: SqlValue[]): unknown;
  all(...params: SqlValue[]): unknown[];
}
interface NodeDatabase {
  exec(sql: string): void;
  prepare(sql: string): NodeStatement;
  close(): void;
  readonly isTransaction?: boolean;
}
interface NodeSqliteModule {
  DatabaseSync: new (file: string, options?: { readOnly?: boolean }) => NodeDatabase;
}

/** `node:sqlite`, or undefined on runtimes without it (Node 20). Its "experimental" warning is not printed. */
export function loadNodeSqlite(): NodeSqliteModule | undefined {
  const emit = process.emitWarning;
  process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
    const text = typeof warning === 'string' ? warning : warning.message;
    if (/^SQLite is an experimental feature/.test(text)) return;
    (emit as (...args: unknown[]) => void).call(process, warning, ...rest);
  }) as typeof process.emitWarning;
  try {
    return process.getBuiltinModule?.('node:sqlite') as NodeSqliteModule | undefined;
  } catch {
    return undefined;
  } finally {
    process.emitWarning = emit;
  }
}

function translate(error: unknown): unknown {
  const e = error as { code?: unknown; errcode?: unknown; message?: string };
  if (e?.code === 'ERR_SQLITE_ERROR' && typeof e.errcode === 'number') {
    return new SqliteError(e.message ?? 'SQLite error', resultCodeName(e.errcode), { cause: error });
  }
  return error;
}

function guard<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    throw translate(error);
  }
}

function openNode(file: string, options: OpenOptions): SqliteDatabase {
  const sqlite = loadNodeSqlite();
  if (!sqlite) throw new Error(`node:sqlite is not available in Node ${process.version} (it needs 22.13 or later)`);
  const readOnly = options.readonly ?? false;
  if ((options.fileMustExist || readOnly) && file !== ':memory:' && !existsSync(file)) {
    throw new SqliteError(`unable to open database file: ${file} does not exist`, 'SQLITE_CANTOPEN');
  }
  const db = guard(() => new sqlite.DatabaseSync(file, { readOnly }));
  guard(() => db.exec(`PRAGMA busy_timeout = ${Math.max(0, Math.floor(options.timeoutMs ?? 5000))}`));
  let depth = 0;
  const wrap = (stmt: NodeStatement): Statement => ({
    run: (...params) =>
      guard(() => {
        const info = stmt.run(...params);
        return { changes: Number(info.changes), lastInsertRowid: info.lastInsertRowid };
      }),
    get: <T>(...params: SqlValue[]) => guard(() => stmt.get(...params) as T | undefined),
    all: <T>(...params: SqlValue[]) => guard(() => stmt.all(...params) as T[]),
  });
  const pragma = (text: string, opts?: { simple: true }): unknown => {
    const rows = guard(() => db.prepare(`PRAGMA ${text}`).all() as Row[]);
    if (!opts?.simple) return rows.map((r) => ({ ...r }));
    const first = rows[0];
    return first === undefined ? undefined : Object.values(first)[0];
  };
  return {
    driver: 'node:sqlite',
    exec: (sql) => guard(() => db.exec(sql)),
    prepare: (sql) => wrap(guard(() => db.prepare(sql))),
    transaction<T>(fn: () => T): T {
      const savepoint = `vitals_sp_${depth}`;
      guard(() => db.exec(depth === 0 ? 'BEGIN' : `SAVEPOINT ${savepoint}`));
      depth++;
      let result: T;
      try {
        result = fn();
      } catch (error) {
        depth--;
        try {
          if (depth === 0) {
            if (db.isTransaction !== false) db.exec('ROLLBACK');
          } else {
            db.exec(`ROLLBACK TO ${savepoint}`);
            db.exec(`RELEASE ${savepoint}`);
          }
        } catch {}
        throw error;
      }
      depth--;
      try {
        db.exec(depth === 0 ? 'COMMIT' : `RELEASE ${savepoint}`);
      } catch (error) {
        // A failed COMMIT (disk full, busy) leaves the transaction open: undo it like better-sqlite3 does.
        if (depth === 0 && db.isTransaction !== false) {
          try {
            db.exec('ROLLBACK');
          } catch {}
        }
        throw translate(error);
      }
      return result;
    },
    pragma: pragma as SqliteDatabase['pragma'],
    close: () => guard(() => db.close()),
  };
}

// ---- choosing ----

function isSea(): boolean {
  try {
    const sea = process.getBuiltinModule?.('node:sea') as { isSea?: () => boolean } | undefined;
    return sea?.isSea?.() ?? false;
  } catch {
    return false;
  }
}

/**
 * The driver for this process: `VITALS_SQLITE_DRIVER` when set; node:sqlite inside a single
 * executable; otherwise better-sqlite3, falling back to node:sqlite when the addon is not installed
 * (the macOS bundle runs on a bare Node runtime).
 */
export function chooseDriver(env: NodeJS.ProcessEnv = process.env): SqliteDriverName {
  const wanted = env.VITALS_SQLITE_DRIVER;
  if (wanted !== undefined && wanted !== '') {
    if (wanted === 'better-sqlite3' || wanted === 'node:sqlite') return wanted;
    if (wanted === 'node') return 'node:sqlite';
    throw new Error(`VITALS_SQLITE_DRIVER: unknown driver "${wanted}" (use better-sqlite3 or node:sqlite)`);
  }
  const hasNode = loadNodeSqlite() !== undefined;
  if (hasNode && isSea()) return 'node:sqlite';
  try {
    loadBetterSqlite();
    return 'better-sqlite3';
  } catch (error) {
    if (hasNode) return 'node:sqlite';
    throw new Error(
      `no SQLite driver: better-sqlite3 failed to load (${(error as Error).message}) and ${process.version} has no node:sqlite`,
    );
  }
}

let chosen: SqliteDriverName | undefined;

/** Opens a database file with the given driver (default: the one chooseDriver picks, once per process). */
export function openDatabase(file: string, options: OpenOptions = {}, driver?: SqliteDriverName): SqliteDatabase {
  if (driver === undefined) chosen ??= chooseDriver();
  const use = driver ?? chosen;
  return use === 'node:sqlite' ? openNode(file, options) : openBetter(file, options);
}
