// `alerts` and `alert ack`: the open alerts (with --all, the resolved ones too), worst first, and
// acknowledging a firing one so its reminders stop. Silenced and acknowledged alerts stay listed.

import { type Silence, silenceMatches } from '../alerting/silence.js';
import type { AlertRecord, AlertState, Severity } from '../alerting/types.js';
import { cliActor } from '../auth/actor.js';
import { type ConfigFlags, UsageError } from '../config.js';
import { readingText } from '../notify/message.js';
import { SqliteAlertStore } from '../store/sqlite-alerts.js';
import { audit } from '../store/sqlite-audit.js';
import { parseSince } from './export-format.js';
import { withStore } from './open-store.js';
import { formatTable, isoTime } from './table.js';

export interface AlertsFlags extends ConfigFlags {
  all?: boolean;
  client?: string;
  since?: string;
  json?: boolean;
}

const STATE_RANK: Record<AlertState, number> = { firing: 0, pending: 1, resolved: 2 };
const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1 };

/** When the alert began to matter: when it fired, or when it became pending. */
function since(a: AlertRecord): number {
  return a.started_at ?? a.pending_since;
}

/** Firing before pending before resolved, critical before warning, then oldest first. */
export function worstFirst(a: AlertRecord, b: AlertRecord): number {
  return (
    STATE_RANK[a.state] - STATE_RANK[b.state] ||
    SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
    since(a) - since(b) ||
    a.id.localeCompare(b.id)
  );
}

export function silencedBy(a: AlertRecord, silences: readonly Silence[], now: number): string | null {
  if (a.state === 'resolved') return null;
  const labels = { client: a.client, site: a.site, host: a.host, rule: a.rule, target: a.target, severity: a.severity };
  return silences.find((s) => silenceMatches(s, labels, now))?.id ?? null;
}

/** The alert as `--json` prints it: times as ISO, the tracking counters left out. */
export function alertJson(a: AlertRecord, silenced_by: string | null = null) {
  return {
    id: a.id,
    state: a.state,
    severity: a.severity,
    client: a.client,
    site: a.site,
    host: a.host,
    agent_id: a.agent_id,
    rule: a.rule,
    target: a.target,
    since: isoTime(since(a)),
    pending_since: isoTime(a.pending_since),
    started_at: isoTime(a.started_at),
    resolved_at: isoTime(a.resolved_at),
    value: a.value,
    threshold: a.threshold,
    unit: a.unit,
    /** Value against threshold in words, the same text as every notification's "Value" line. */
    reading: readingText(a),
    summary: a.summary,
    forecast: a.forecast,
    ack: a.ack ? { by: a.ack.by, at: isoTime(a.ack.at), comment: a.ack.comment } : null,
    silenced_by,
    notified_state: a.notified_state,
    notified_at: isoTime(a.notified_at),
    escalated_at: isoTime(a.escalated_at),
  };
}

export async function alertsList(flags: AlertsFlags, now = Date.now()): Promise<number> {
  const sinceTs = flags.since === undefined ? undefined : parseSince(flags.since, now);
  const rows = await withStore(flags, { create: false }, async ({ store }) => {
    const alerts = new SqliteAlertStore(store.db);
    const silences = alerts.activeSilences(now);
    return alerts
      .list({ open: !flags.all, client: flags.client, since: sinceTs })
      .sort(worstFirst)
      .map((a) => alertJson(a, silencedBy(a, silences, now)));
  });
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(rows)}\n`);
    return 0;
  }
  if (rows.length === 0) {
    process.stdout.write(flags.all ? 'no alerts yet\n' : 'no open alerts (--all shows resolved ones)\n');
    return 0;
  }
  process.stdout.write(
    formatTable(
      ['ID', 'SEVERITY', 'STATE', 'CLIENT', 'SITE', 'HOST', 'RULE', 'TARGET', 'SINCE', 'ACK', 'SUMMARY'],
      rows.map((r) => [
        r.id,
        r.severity,
        r.silenced_by ? `${r.state} (silenced)` : r.state,
        r.client,
        r.site,
        r.host || '(site)',
        r.rule,
        r.target,
        r.since ?? '',
        r.ack?.by ?? '',
        r.summary,
      ]),
    ),
  );
  return 0;
}

export interface AckFlags extends ConfigFlags {
  by: string;
  comment?: string;
  json?: boolean;
}

export async function alertAck(id: string, flags: AckFlags, now = Date.now()): Promise<number> {
  const by = flags.by.trim();
  if (by === '') throw new UsageError('--by must name who acknowledges');
  return withStore(flags, { create: false }, async ({ store }) => {
    const alerts = new SqliteAlertStore(store.db);
    const acked = alerts.acknowledge(id, { by, at: now, comment: flags.comment?.trim() ?? '' });
    if (!acked) {
      const found = alerts.get(id);
      const why = !found
        ? `no alert ${id} (see \`alerts --all\`)`
        : found.state === 'pending'
          ? `alert ${id} is pending, not firing; only a firing alert can be acknowledged`
          : `alert ${id} resolved at ${isoTime(found.resolved_at)}; only a firing alert can be acknowledged`;
      process.stderr.write(`vitals-collector: ${why}\n`);
      return 1;
    }
    const detail = { by, comment: acked.ack?.comment ?? '', rule: acked.rule, host: acked.host, target: acked.target };
    audit(store.db, { at: now, actor: cliActor(), action: 'alert.ack', target: id, client: acked.client, detail });
    if (flags.json) process.stdout.write(`${JSON.stringify(alertJson(acked))}\n`);
    else {
      const where = acked.host || `${acked.client} / ${acked.site}`;
      const what = acked.target ? `${acked.rule} ${acked.target}` : acked.rule;
      process.stdout.write(`acknowledged ${id} (${what} on ${where}) by ${by}; its reminders and escalation stop\n`);
    }
    return 0;
  });
}
