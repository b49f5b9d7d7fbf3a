// `apikey create | list | revoke`: keys for the HTTP API (alerts, silences, maintenance windows),
// each with a role and optionally limited to some clients; the secret is printed once, stored hashed.
import { cliActor } from '../auth/actor.js';
import type { ApiKeyRecord } from '../auth/api-key.js';
import { ROLES, type Role } from '../auth/principal.js';
import { type ConfigFlags, UsageError } from '../config.js';
import { SqliteAccessStore } from '../store/sqlite-access.js';
import { audit } from '../store/sqlite-audit.js';
import { withStore } from './open-store.js';
import { formatTable, isoTime } from './table.js';

export interface ApiKeyCreateFlags extends ConfigFlags {
  name: string;
  role: string;
  client?: string[];
  json?: boolean;
}

/** Commander collector for a repeatable option: `--client A --client B` → ['A', 'B']. */
export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function keyJson(k: ApiKeyRecord, now: number) {
  return {
    id: k.id,
    name: k.name,
    role: k.role,
    clients: k.clients,
    status: k.revoked_at !== null && k.revoked_at <= now ? ('revoked' as const) : ('active' as const),
    created_at: isoTime(k.created_at),
    last_used_at: isoTime(k.last_used_at),
    revoked_at: isoTime(k.revoked_at),
  };
}

function createInput(flags: ApiKeyCreateFlags): { name: string; role: Role; clients: string[] | null } {
  const name = flags.name.trim();
  if (name === '') throw new UsageError('--name must say what the key is for (it signs acknowledgements)');
  if (!(ROLES as readonly string[]).includes(flags.role))
    throw new UsageError(`--role must be one of ${ROLES.join(', ')}, got "${flags.role}"`);
  const role = flags.role as Role;
  const clients = [...new Set((flags.client ?? []).map((c) => c.trim()))];
  if (clients.includes('')) throw new UsageError('--client must name a client');
  if (role === 'admin' && clients.length > 0) {
    throw new UsageError('an admin key sees every client; limit a technician or viewer key with --client instead');
  }
  return { name, role, clients: clients.length === 0 ? null : clients };
}

export async function apikeyCreate(flags: ApiKeyCreateFlags, now = Date.now()): Promise<number> {
  const input = createInput(flags);
  const key = await withStore(flags, { create: true }, async ({ store }) => {
    const created = new SqliteAccessStore(store.db).create({ ...input, now });
    const detail = { name: created.name, role: created.role, clients: created.clients };
    audit(store.db, { at: now, actor: cliActor(), action: 'apikey.create', target: created.id, detail });
    return created;
  });
  if (flags.json) {
    process.stdout.write(`${JSON.stringify({ ...keyJson(key, now), secret: key.secret })}\n`);
  } else {
    // The secret alone on stdout, so `KEY=$(vitals-collector apikey create …)` works.
    process.stdout.write(`${key.secret}\n`);
    const scope = key.clients === null ? 'every client' : `clients ${key.clients.join(', ')}`;
    process.stderr.write(`API key ${key.id} "${key.name}": ${key.role} of ${scope}; it is shown only this once\n`);
  }
  return 0;
}

export async function apikeyList(flags: ConfigFlags & { json?: boolean }, now = Date.now()): Promise<number> {
  const keys = await withStore(flags, { create: false }, async ({ store }) => new SqliteAccessStore(store.db).list());
  const rows = keys.map((k) => keyJson(k, now));
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(rows)}\n`);
    return 0;
  }
  process.stdout.write(
    formatTable(
      ['ID', 'NAME', 'ROLE', 'CLIENTS', 'STATUS', 'CREATED', 'LAST USED'],
      rows.map((r) => [
        r.id,
        r.name,
        r.role,
        r.clients?.join(', ') ?? '(all)',
        r.status,
        r.created_at ?? '',
        r.last_used_at ?? 'never',
      ]),
    ),
  );
  return 0;
}

export async function apikeyRevoke(
  id: string,
  flags: ConfigFlags & { json?: boolean },
  now = Date.now(),
): Promise<number> {
  const revoked = await withStore(flags, { create: false }, async ({ store }) => {
    const done = new SqliteAccessStore(store.db).revoke(id, now);
    if (done) audit(store.db, { at: now, actor: cliActor(), action: 'apikey.revoke', target: id });
    return done;
  });
  if (flags.json) process.stdout.write(`${JSON.stringify({ id, revoked })}\n`);
  else if (revoked) process.stdout.write(`revoked ${id}; requests with it are refused (401) from now on\n`);
  if (!revoked) {
    process.stderr.write(`vitals-collector: no active API key ${id} (see \`apikey list\`)\n`);
    return 1;
  }
  return 0;
}
