// The SQLite interface suite against both drivers: better-sqlite3 here in vitest (Node 20), and
// node:sqlite in a child process on the Node runtime the single executables embed (from npm).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureRuntime, NODE_VERSION } from '../../../scripts/node-runtimes.mjs';
import { chooseDriver, openDatabase, resultCodeName, SqliteError } from './sqlite.js';
import { type CaseOutcome, runSqliteCases, SQLITE_CASES } from './sqlite-cases.js';

const HERE = dirname(fileURLToPath(import.meta.url));

describe('SQLite interface on better-sqlite3 (in-process)', () => {
  const outcomes = runSqliteCases('better-sqlite3');
  for (const c of SQLITE_CASES) {
    it(c.name, () => {
      const outcome = outcomes.find((o) => o.name === c.name);
      expect(outcome?.error).toBeUndefined();
      expect(outcome?.ok).toBe(true);
    });
  }
});

describe(`SQLite interface on node:sqlite (Node ${NODE_VERSION} from npm, child process)`, () => {
  let outcomes: CaseOutcome[] = [];
  let report: { node: string; driver: string; chosen: string; sqlite: string; cases: CaseOutcome[] };
  let stderr = '';
  const dir = mkdtempSync(join(tmpdir(), 'vitals-sqlite-child-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  beforeAll(async () => {
    const runtime = ensureRuntime('linux-x64');
    const entry = join(dir, 'cases.mjs');
    await build({
      stdin: {
        contents: `
          import { runSqliteCases } from './sqlite-cases.ts';
          import { chooseDriver, openDatabase } from './sqlite.ts';
          const chosen = chooseDriver({});
          const db = openDatabase(':memory:', {}, 'node:sqlite');
          const sqlite = db.prepare('SELECT sqlite_version() AS v').get().v;
          db.close();
          const cases = runSqliteCases('node:sqlite');
          process.stdout.write(JSON.stringify({ node: process.version, driver: 'node:sqlite', chosen, sqlite, cases }));
        `,
        resolveDir: HERE,
        loader: 'ts',
      },
      outfile: entry,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node22',
      external: ['better-sqlite3'],
      logLevel: 'warning',
    });
    // Run from a temp dir, so better-sqlite3 cannot be found: the bare-runtime fallback is exercised too.
    // (pnpm exec sets NODE_PATH to its store, through which it would be found; drop it.)
    const { NODE_PATH: _, ...env } = process.env;
    const r = spawnSync(runtime.bin, [entry], {
      cwd: dir,
      encoding: 'utf8',
      timeout: 60_000,
      env: { ...env, VITALS_SQLITE_DRIVER: 'node:sqlite' },
    });
    stderr = r.stderr;
    if (r.status !== 0) throw new Error(`node:sqlite suite exited ${r.status}: ${r.stderr}${r.stdout}`);
    report = JSON.parse(r.stdout);
    outcomes = report.cases;
  }, 180_000);

  it(`runs on Node ${NODE_VERSION}, quietly`, () => {
    expect(report.node).toBe(`v${NODE_VERSION}`);
    expect(report.sqlite).toMatch(/^3\.\d+\.\d+$/);
    // Without better-sqlite3 next to it, a bare runtime falls back to node:sqlite.
    expect(report.chosen).toBe('node:sqlite');
    expect(stderr).not.toMatch(/ExperimentalWarning/);
  });

  for (const c of SQLITE_CASES) {
    it(c.name, () => {
      const outcome = outcomes.find((o) => o.name === c.name);
      expect(outcome?.error).toBeUndefined();
      expect(outcome?.ok).toBe(true);
    });
  }
});

describe('driver choice and codes', () => {
  it('takes VITALS_SQLITE_DRIVER, and names a bad one', () => {
    expect(chooseDriver({ VITALS_SQLITE_DRIVER: 'node' })).toBe('node:sqlite');
    expect(chooseDriver({ VITALS_SQLITE_DRIVER: 'better-sqlite3' })).toBe('better-sqlite3');
    expect(() => chooseDriver({ VITALS_SQLITE_DRIVER: 'sqlite4' })).toThrow(/VITALS_SQLITE_DRIVER.*sqlite4/);
  });

  it('picks better-sqlite3 outside a single executable when it is installed', () => {
    expect(chooseDriver({})).toBe('better-sqlite3');
  });

  it('says clearly when node:sqlite is missing (Node 20)', () => {
    if (process.versions.node.startsWith('20.')) {
      expect(() => openDatabase(':memory:', {}, 'node:sqlite')).toThrow(/node:sqlite is not available in Node v20/);
    } else {
      expect(openDatabase(':memory:', {}, 'node:sqlite').driver).toBe('node:sqlite');
    }
  });

  it('names extended result codes like sqlite3.h', () => {
    expect(resultCodeName(13)).toBe('SQLITE_FULL');
    expect(resultCodeName(2067)).toBe('SQLITE_CONSTRAINT_UNIQUE');
    expect(resultCodeName(778)).toBe('SQLITE_IOERR_WRITE');
    expect(resultCodeName(5 | (3 << 8))).toBe('SQLITE_BUSY_TIMEOUT');
    expect(resultCodeName(14 | (40 << 8))).toBe('SQLITE_CANTOPEN');
    expect(resultCodeName(255)).toBe('SQLITE_UNKNOWN_255');
    expect(new SqliteError('x', 'SQLITE_FULL').code).toBe('SQLITE_FULL');
  });
});
