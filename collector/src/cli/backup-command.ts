// `backup --to FILE`: a consistent snapshot of collector.db while `serve` keeps writing (SQLite's
// online backup API, page by page; WAL readers never block the writer), checked before it is kept.
import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type ConfigFlags, loadCollectorConfig, UsageError } from '../config.js';
import { DB_FILE } from '../store/sqlite.js';

export interface BackupFlags extends ConfigFlags {
  to: string;
  json?: boolean;
}

export async function backupCommand(flags: BackupFlags): Promise<number> {
  const config = loadCollectorConfig(flags);
  const source = join(config.dataDir, DB_FILE);
  if (!existsSync(source)) {
    throw new UsageError(`no collector database in ${config.dataDir} (check --data or data_dir in the config)`);
  }
  if (existsSync(flags.to)) throw new UsageError(`${flags.to} exists; backup never overwrites, name a new file`);
  const partial = `${flags.to}.partial`;
  rmSync(partial, { force: true });
  const db = new Database(source, { readonly: true, fileMustExist: true });
  const started = Date.now();
  try {
    await db.backup(partial);
  } finally {
    db.close();
  }
  // The copy is one self-contained file (no -wal): check it before it takes the final name.
  const copy = new Database(partial, { readonly: true });
  const verdict = (copy.pragma('integrity_check', { simple: true }) as string) ?? 'unknown';
  copy.close();
  if (verdict !== 'ok') {
    rmSync(partial, { force: true });
    process.stderr.write(`vitals-collector: the backup of ${source} failed its integrity check: ${verdict}\n`);
    return 1;
  }
  renameSync(partial, flags.to);
  const out = { from: source, to: flags.to, ms: Date.now() - started, integrity: verdict };
  process.stdout.write(
    flags.json ? `${JSON.stringify(out)}\n` : `backed up ${source} to ${flags.to} (${out.ms} ms, integrity ok)\n`,
  );
  return 0;
}
