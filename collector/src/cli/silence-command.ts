// `silence add | list | expire`: ad-hoc mutes with matchers, an end and a reason. A silenced
// alert is still listed by `alerts`; only its notifications are held back.
import { parseDuration } from '@vitals/shared';
import { createSilence, type Matcher, type Silence, SilenceError } from '../alerting/silence.js';
import { cliActor } from '../auth/actor.js';
import { silenceClients } from '../auth/silence-scope.js';
import { type ConfigFlags, UsageError } from '../config.js';
import { SqliteAlertStore } from '../store/sqlite-alerts.js';
import { audit } from '../store/sqlite-audit.js';
import { withStore } from './open-store.js';
import { formatTable, isoTime } from './table.js';
import { parseUntil } from './time-flag.js';

export type SilenceStatus = 'active' | 'scheduled' | 'ended' | 'expired';

export function silenceStatus(s: Silence, now: number): SilenceStatus {
  if (s.expired_at !== null && s.expired_at <= now) return 'expired';
  if (s.ends_at <= now) return 'ended';
  return s.starts_at > now ? 'scheduled' : 'active';
}

/** "host=EMR-SRV01"; a value with spaces, quotes or commas is quoted so it reads back the same. */
export function formatMatcher(m: Matcher): string {
  return `${m.label}${m.op}${/^[^\s",]*$/.test(m.value) ? m.value : JSON.stringify(m.value)}`;
}

export function silenceJson(s: Silence, now: number) {
  return {
    id: s.id,
    status: silenceStatus(s, now),
    matchers: s.matchers.map(formatMatcher),
    starts_at: isoTime(s.starts_at),
    ends_at: isoTime(s.ends_at),
    reason: s.reason,
    author: s.author,
    created_at: isoTime(s.created_at),
    expired_at: isoTime(s.expired_at),
  };
}

export interface SilenceAddFlags extends ConfigFlags {
  match?: string[];
  for?: string;
  until?: string;
  reason?: string;
  author?: string;
  json?: boolean;
}

function endOf(flags: SilenceAddFlags, now: number): number {
  if ((flags.for === undefined) === (flags.until === undefined)) {
    throw new UsageError('give exactly one of --for <duration> (e.g. 2h) or --until <ISO time>');
  }
  if (flags.until !== undefined) {
    const until = parseUntil(flags.until);
    if (until <= now) throw new UsageError(`--until ${flags.until} is not in the future`);
    return until;
  }
  const ms = parseDuration(flags.for as string);
  if (ms === undefined || ms <= 0)
    throw new UsageError(`--for must be a duration such as 30m, 2h or 3d, got "${flags.for}"`);
  return now + ms;
}

export async function silenceAdd(flags: SilenceAddFlags, now = Date.now()): Promise<number> {
  const endsAt = endOf(flags, now);
  const author = flags.author?.trim() ?? '';
  if (author === '') throw new UsageError('--author must name who silences');
  const silence = await withStore(flags, { create: false }, async ({ store }) => {
    const alerts = new SqliteAlertStore(store.db);
    let created: Silence;
    try {
      created = createSilence(
        { matchers: flags.match ?? [], ends_at: endsAt, reason: flags.reason ?? '', author },
        alerts.newSilenceId(),
        now,
      );
    } catch (error) {
      if (error instanceof SilenceError) throw new UsageError(error.message);
      throw error;
    }
    alerts.addSilence(created);
    audit(store.db, {
      at: now,
      actor: cliActor(),
      action: 'silence.add',
      target: created.id,
      client: silenceClients(created.matchers)[0] ?? null,
      detail: {
        author,
        matchers: created.matchers.map(formatMatcher),
        ends_at: isoTime(created.ends_at),
        reason: created.reason,
      },
    });
    return created;
  });
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(silenceJson(silence, now))}\n`);
  } else {
    // The id alone on stdout, so `ID=$(vitals-collector silence add …)` works.
    process.stdout.write(`${silence.id}\n`);
    process.stderr.write(
      `silenced ${silence.matchers.map(formatMatcher).join(', ')} until ${isoTime(silence.ends_at)}: ${silence.reason}\n`,
    );
  }
  return 0;
}

export async function silenceList(flags: ConfigFlags & { all?: boolean; json?: boolean }, now = Date.now()) {
  const silences = await withStore(flags, { create: false }, async ({ store }) =>
    new SqliteAlertStore(store.db).listSilences({ active: !flags.all, now }),
  );
  const rows = silences.map((s) => silenceJson(s, now));
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(rows)}\n`);
    return 0;
  }
  process.stdout.write(
    formatTable(
      ['ID', 'STATUS', 'MATCHERS', 'STARTS', 'ENDS', 'AUTHOR', 'REASON'],
      rows.map((r) => [
        r.id,
        r.status,
        r.matchers.join(', '),
        r.starts_at ?? '',
        r.expired_at ?? r.ends_at ?? '',
        r.author,
        r.reason,
      ]),
    ),
  );
  return 0;
}

export async function silenceExpire(id: string, flags: ConfigFlags & { json?: boolean }, now = Date.now()) {
  return withStore(flags, { create: false }, async ({ store }) => {
    const alerts = new SqliteAlertStore(store.db);
    const expired = alerts.expireSilence(id, now);
    if (flags.json) process.stdout.write(`${JSON.stringify({ id, expired })}\n`);
    if (!expired) {
      const found = alerts.getSilence(id);
      const why = found ? `silence ${id} is already over (${silenceStatus(found, now)})` : `no silence ${id}`;
      process.stderr.write(`vitals-collector: ${why} (see \`silence list --all\`)\n`);
      return 1;
    }
    const client = silenceClients(alerts.getSilence(id)?.matchers ?? [])[0] ?? null;
    audit(store.db, { at: now, actor: cliActor(), action: 'silence.expire', target: id, client });
    if (!flags.json) process.stdout.write(`expired ${id}; its alerts notify again\n`);
    return 0;
  });
}
