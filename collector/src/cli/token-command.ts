// `token create | list | revoke`: enrolment tokens for sites, printed once, stored as hashes.
import { parseDuration } from '@vitals/shared';
import { cliActor } from '../auth/actor.js';
import { DEFAULT_TOKEN_LIFETIME_MS } from '../auth/issue-token.js';
import { type ConfigFlags, UsageError } from '../config.js';
import { createEnrollmentToken, findToken, revokeEnrollmentToken, tokenJson } from '../enroll/tokens.js';
import { withStore } from './open-store.js';
import { formatTable, isoTime } from './table.js';

export interface TokenCreateFlags extends ConfigFlags {
  client: string;
  site: string;
  expires?: string;
  json?: boolean;
}

export async function tokenCreate(flags: TokenCreateFlags, now = Date.now()): Promise<number> {
  const lifetimeMs = flags.expires === undefined ? DEFAULT_TOKEN_LIFETIME_MS : parseDuration(flags.expires);
  if (lifetimeMs === undefined || lifetimeMs <= 0) {
    throw new UsageError(`--expires must be a duration such as 30m, 12h or 7d, got "${flags.expires}"`);
  }
  if (flags.client.trim() === '' || flags.site.trim() === '')
    throw new UsageError('--client and --site must not be empty');
  const issued = await withStore(flags, { create: true }, ({ store }) =>
    createEnrollmentToken(
      store,
      { client: flags.client.trim(), site: flags.site.trim(), lifetimeMs },
      { db: store.db, actor: cliActor(), now },
    ),
  );
  if (flags.json) {
    const { id, token, client, site } = issued;
    process.stdout.write(`${JSON.stringify({ id, token, client, site, expires_at: isoTime(issued.expires_at) })}\n`);
  } else {
    // The token alone on stdout, so `TOKEN=$(vitals-collector token create …)` works.
    process.stdout.write(`${issued.token}\n`);
    process.stderr.write(
      `token ${issued.id} for ${issued.client} / ${issued.site}, expires ${isoTime(issued.expires_at)}; it is shown only this once\n`,
    );
  }
  return 0;
}

export async function tokenList(flags: ConfigFlags & { json?: boolean }, now = Date.now()): Promise<number> {
  const tokens = await withStore(flags, { create: false }, ({ store }) => store.listTokens());
  const rows = tokens.map((t) => tokenJson(t, now));
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(rows)}\n`);
    return 0;
  }
  process.stdout.write(
    formatTable(
      ['ID', 'CLIENT', 'SITE', 'STATUS', 'EXPIRES', 'USES'],
      rows.map((r) => [r.id, r.client, r.site, r.status, r.expires_at ?? '', String(r.uses)]),
    ),
  );
  return 0;
}

export async function tokenRevoke(
  id: string,
  flags: ConfigFlags & { json?: boolean },
  now = Date.now(),
): Promise<number> {
  const revoked = await withStore(flags, { create: false }, async ({ store }) => {
    const token = await findToken(store, id);
    return token !== undefined && revokeEnrollmentToken(store, token, { db: store.db, actor: cliActor(), now });
  });
  if (flags.json) process.stdout.write(`${JSON.stringify({ id, revoked })}\n`);
  else if (revoked) process.stdout.write(`revoked ${id}\n`);
  if (!revoked) {
    process.stderr.write(`vitals-collector: no active token ${id} (see \`token list\`)\n`);
    return 1;
  }
  return 0;
}
