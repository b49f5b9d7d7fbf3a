// `audit list`: who did what and when (acknowledgements, silences, users, tokens, API keys,
// logins), oldest first like any log, so the newest lines are at the bottom of the terminal.
import { type ConfigFlags, UsageError } from '../config.js';
import { auditJson, SqliteAuditStore } from '../store/sqlite-audit.js';
import { parseSince } from './export-format.js';
import { withStore } from './open-store.js';
import { formatTable } from './table.js';

export const DEFAULT_AUDIT_LINES = 1000;

export interface AuditListFlags extends ConfigFlags {
  since?: string;
  limit?: string;
  json?: boolean;
}

export async function auditList(flags: AuditListFlags, now = Date.now()): Promise<number> {
  const since = flags.since === undefined ? undefined : parseSince(flags.since, now);
  const limit = flags.limit === undefined ? DEFAULT_AUDIT_LINES : Number(flags.limit);
  if (!Number.isInteger(limit) || limit < 1)
    throw new UsageError(`--limit must be a whole number ≥ 1, got "${flags.limit}"`);
  const records = await withStore(flags, { create: false }, async ({ store }) =>
    new SqliteAuditStore(store.db).list({ since, limit }),
  );
  const rows = records.reverse().map(auditJson);
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(rows)}\n`);
    return 0;
  }
  if (rows.length === 0) {
    process.stdout.write(since === undefined ? 'the audit log is empty\n' : 'nothing in the audit log since then\n');
    return 0;
  }
  process.stdout.write(
    formatTable(
      ['AT', 'ACTOR', 'ACTION', 'TARGET', 'CLIENT', 'DETAIL'],
      rows.map((r) => [
        r.at,
        `${r.actor.kind} ${r.actor.name}`,
        r.action,
        r.target ?? '',
        r.client ?? '',
        r.detail === null ? '' : JSON.stringify(r.detail),
      ]),
    ),
  );
  return 0;
}
