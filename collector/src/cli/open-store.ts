// Opens the store a CLI command works on, from --config/--data: the same SQLite file the
// running server uses (WAL lets both write safely).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { type ConfigFlags, loadCollectorConfig, UsageError } from '../config.js';
import { DB_FILE, SqliteStore } from '../store/sqlite.js';

/** Commands that only read refuse a data dir without a database: a typo must not look empty. */
export function openCliStore(flags: ConfigFlags, opts: { create: boolean }) {
  const config = loadCollectorConfig(flags);
  if (!opts.create && !existsSync(join(config.dataDir, DB_FILE))) {
    throw new UsageError(`no collector database in ${config.dataDir} (check --data or data_dir in the config)`);
  }
  return { config, store: SqliteStore.open(config.dataDir) };
}

export async function withStore<T>(
  flags: ConfigFlags,
  opts: { create: boolean },
  fn: (ctx: ReturnType<typeof openCliStore>) => Promise<T>,
): Promise<T> {
  const ctx = openCliStore(flags, opts);
  try {
    return await fn(ctx);
  } finally {
    await ctx.store.close();
  }
}
