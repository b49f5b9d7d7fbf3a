// The notification outbox on the collector's SQLite connection: rows go in inside the alert
// transaction, the dispatcher claims them under a lease, and marks them delivered, retried or failed.
// Synchronous on purpose: the engine calls insert() inside its own better-sqlite3 transaction.
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type {
  ChannelIssue,
  DeliveryStatus,
  NewNotification,
  NotificationKind,
  NotificationRecord,
  NotifiedAlert,
  Severity,
} from '../alerting/types.js';

export const DELIVERY_STATUSES: readonly DeliveryStatus[] = ['queued', 'sending', 'delivered', 'failed'];

/** The run of failed sends of one channel; "failing" is `consecutive_failures >= failing_after`. */
export interface ChannelHealth {
  channel: string;
  consecutive_failures: number;
  /** When the current run of failures began (null while the channel works). */
  failing_since: number | null;
  last_error: string | null;
  last_success_at: number | null;
  /** When the other channels were told about this run of failures (null: not yet). */
  alerted_at: number | null;
}

export interface ChannelOutboxStats extends Record<DeliveryStatus, number> {
  channel: string;
}

export interface OutboxListQuery {
  status?: DeliveryStatus;
  channel?: string;
  /** Newest first; default 100. */
  limit?: number;
}

interface OutboxRow {
  id: string;
  idempotency_key: string;
  channel: string;
  kind: string;
  client: string;
  site: string;
  host: string;
  agent_id: string;
  severity: string;
  alerts_json: string;
  channel_issue_json: string | null;
  created_at: number;
  status: string;
  attempts: number;
  next_attempt_at: number;
  claimed_until: number | null;
  last_error: string | null;
  delivered_at: number | null;
}

function toRecord(row: OutboxRow): NotificationRecord {
  const { alerts_json, channel_issue_json, ...rest } = row;
  return {
    ...rest,
    kind: row.kind as NotificationKind,
    severity: row.severity as Severity,
    status: row.status as DeliveryStatus,
    alerts: JSON.parse(alerts_json) as NotifiedAlert[],
    channel_issue: channel_issue_json === null ? null : (JSON.parse(channel_issue_json) as ChannelIssue),
  };
}

type ClaimedRow = OutboxRow & { seq: number };

/** Claim order: oldest due first, then in the order written, so a backlog drains as it was queued. */
function byDueThenWritten(a: ClaimedRow, b: ClaimedRow): number {
  return a.next_attempt_at - b.next_attempt_at || a.created_at - b.created_at || a.seq - b.seq;
}

export function newNotificationId(): string {
  return `nt_${randomBytes(12).toString('base64url')}`;
}

export class SqliteOutbox {
  private readonly stmt;

  constructor(readonly db: Database.Database) {
    this.stmt = {
      insert: db.prepare(`INSERT INTO outbox (id, idempotency_key, channel, kind, client, site, host, agent_id,
          severity, alerts_json, channel_issue_json, created_at, next_attempt_at)
        VALUES (@id, @idempotency_key, @channel, @kind, @client, @site, @host, @agent_id, @severity, @alerts_json,
          @channel_issue_json, @created_at, @next_attempt_at)
        ON CONFLICT (idempotency_key) DO NOTHING`),
      // Two index range scans (queued and due; sending with an expired claim) rather than one OR
      // that would scan every delivered row kept for history.
      claim: db.prepare<{ now: number; until: number; limit: number }, ClaimedRow>(`UPDATE outbox
        SET status = 'sending', attempts = attempts + 1, claimed_until = @until
        WHERE id IN (SELECT id FROM (
            SELECT id, next_attempt_at, created_at, rowid AS seq FROM outbox
              WHERE status = 'queued' AND next_attempt_at <= @now
            UNION ALL
            SELECT id, next_attempt_at, created_at, rowid AS seq FROM outbox
              WHERE status = 'sending' AND claimed_until <= @now)
          ORDER BY next_attempt_at, created_at, seq LIMIT @limit)
        RETURNING *, rowid AS seq`),
      renew: db.prepare(
        `UPDATE outbox SET claimed_until = ? WHERE id = ? AND status = 'sending' AND claimed_until = ?`,
      ),
      delivered: db.prepare(
        `UPDATE outbox SET status = 'delivered', delivered_at = ?, claimed_until = NULL
          WHERE id = ? AND status IN ('sending', 'queued')`,
      ),
      retry: db.prepare(
        `UPDATE outbox SET status = 'queued', next_attempt_at = ?, last_error = ?, claimed_until = NULL
          WHERE id = ? AND status = 'sending'`,
      ),
      postpone: db.prepare(
        `UPDATE outbox SET status = 'queued', next_attempt_at = ?, attempts = MAX(0, attempts - 1),
          claimed_until = NULL WHERE id = ? AND status = 'sending'`,
      ),
      failed: db.prepare(
        `UPDATE outbox SET status = 'failed', last_error = ?, claimed_until = NULL
          WHERE id = ? AND status IN ('sending', 'queued')`,
      ),
      get: db.prepare<[string], OutboxRow>('SELECT * FROM outbox WHERE id = ?'),
      byKey: db.prepare<[string], OutboxRow>('SELECT * FROM outbox WHERE idempotency_key = ?'),
      statsByChannel: db.prepare<[], { channel: string; status: string; n: number }>(
        'SELECT channel, status, COUNT(*) AS n FROM outbox GROUP BY channel, status ORDER BY channel',
      ),
      prune: db.prepare(`DELETE FROM outbox WHERE status IN ('delivered', 'failed') AND created_at < ?`),
      health: db.prepare<[], ChannelHealth>('SELECT * FROM channel_health ORDER BY channel'),
      healthOf: db.prepare<[string], ChannelHealth>('SELECT * FROM channel_health WHERE channel = ?'),
      success: db.prepare(`INSERT INTO channel_health (channel, consecutive_failures, last_success_at) VALUES (?, 0, ?)
        ON CONFLICT (channel) DO UPDATE SET consecutive_failures = 0, failing_since = NULL, alerted_at = NULL,
          last_success_at = excluded.last_success_at`),
      failure: db.prepare(`INSERT INTO channel_health (channel, consecutive_failures, failing_since, last_error)
          VALUES (@channel, 1, @now, @error)
        ON CONFLICT (channel) DO UPDATE SET consecutive_failures = consecutive_failures + 1,
          failing_since = COALESCE(failing_since, @now), last_error = @error`),
      alerted: db.prepare('UPDATE channel_health SET alerted_at = ? WHERE channel = ?'),
    };
  }

  /**
   * Queues notifications; call it inside the transaction that changed the alerts. A row whose
   * idempotency key is already there is skipped (a replayed transition queues nothing twice).
   * Returns how many rows were new.
   */
  insert(rows: NewNotification[], now: number): number {
    let inserted = 0;
    for (const n of rows) {
      inserted += this.stmt.insert.run({
        id: newNotificationId(),
        idempotency_key: n.idempotency_key,
        channel: n.channel,
        kind: n.kind,
        client: n.client,
        site: n.site,
        host: n.host,
        agent_id: n.agent_id,
        severity: n.severity,
        alerts_json: JSON.stringify(n.alerts),
        channel_issue_json: n.channel_issue ? JSON.stringify(n.channel_issue) : null,
        created_at: n.created_at,
        next_attempt_at: now,
      }).changes;
    }
    return inserted;
  }

  /**
   * Atomically takes up to `limit` rows to send: queued rows that are due, and rows left 'sending'
   * by a sender whose lease ran out (it crashed between send and mark: the row is sent again with
   * the same idempotency key). Each claim counts as an attempt.
   */
  claim(now: number, limit: number, leaseMs: number): NotificationRecord[] {
    return this.stmt.claim
      .all({ now, until: now + leaseMs, limit })
      .sort(byDueThenWritten)
      .map(({ seq: _seq, ...row }) => toRecord(row));
  }

  /** Extends a claim the caller still holds (`heldUntil` as claimed); false when it was lost. */
  renew(id: string, heldUntil: number, until: number): boolean {
    return this.stmt.renew.run(until, id, heldUntil).changes === 1;
  }

  delivered(id: string, now: number): boolean {
    return this.stmt.delivered.run(now, id).changes === 1;
  }

  /** A failed attempt that will be tried again at `nextAt`. */
  retry(id: string, _now: number, nextAt: number, error: string): boolean {
    return this.stmt.retry.run(nextAt, error, id).changes === 1;
  }

  /** Gives back a claimed row that was not attempted (its channel just failed), without counting it. */
  postpone(id: string, nextAt: number): boolean {
    return this.stmt.postpone.run(nextAt, id).changes === 1;
  }

  /** Final failure: a permanent error, or retries gave up. */
  failed(id: string, _now: number, error: string): boolean {
    return this.stmt.failed.run(error, id).changes === 1;
  }

  get(id: string): NotificationRecord | undefined {
    const row = this.stmt.get.get(id);
    return row ? toRecord(row) : undefined;
  }

  byKey(idempotencyKey: string): NotificationRecord | undefined {
    const row = this.stmt.byKey.get(idempotencyKey);
    return row ? toRecord(row) : undefined;
  }

  /** Newest first. */
  list(query: OutboxListQuery = {}): NotificationRecord[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (query.status) {
      where.push('status = ?');
      params.push(query.status);
    }
    if (query.channel) {
      where.push('channel = ?');
      params.push(query.channel);
    }
    const sql = `SELECT * FROM outbox ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
      ORDER BY created_at DESC, rowid DESC LIMIT ?`;
    return this.db
      .prepare<(string | number)[], OutboxRow>(sql)
      .all(...params, query.limit ?? 100)
      .map(toRecord);
  }

  /** Rows per status over all channels. */
  stats(): Record<DeliveryStatus, number> {
    const out: Record<DeliveryStatus, number> = { queued: 0, sending: 0, delivered: 0, failed: 0 };
    for (const c of this.statsByChannel()) for (const s of DELIVERY_STATUSES) out[s] += c[s];
    return out;
  }

  statsByChannel(): ChannelOutboxStats[] {
    const byChannel = new Map<string, ChannelOutboxStats>();
    for (const { channel, status, n } of this.stmt.statsByChannel.all()) {
      let entry = byChannel.get(channel);
      if (!entry) {
        entry = { channel, queued: 0, sending: 0, delivered: 0, failed: 0 };
        byChannel.set(channel, entry);
      }
      if ((DELIVERY_STATUSES as readonly string[]).includes(status)) entry[status as DeliveryStatus] = n;
    }
    return [...byChannel.values()];
  }

  /** Deletes delivered and failed rows created before `before`; queued and in-flight rows stay. */
  prune(before: number): number {
    return this.stmt.prune.run(before).changes;
  }

  channelHealth(): ChannelHealth[] {
    return this.stmt.health.all();
  }

  channelHealthOf(channel: string): ChannelHealth | undefined {
    return this.stmt.healthOf.get(channel);
  }

  /** Clears the run of failures; returns the state before, so the caller can tell of a recovery. */
  recordChannelSuccess(channel: string, now: number): ChannelHealth | undefined {
    return this.db.transaction(() => {
      const before = this.stmt.healthOf.get(channel);
      this.stmt.success.run(channel, now);
      return before;
    })();
  }

  /** Counts one more failed send; returns the state after. */
  recordChannelFailure(channel: string, now: number, error: string): ChannelHealth {
    return this.db.transaction(() => {
      this.stmt.failure.run({ channel, now, error });
      return this.stmt.healthOf.get(channel) as ChannelHealth;
    })();
  }

  markChannelAlerted(channel: string, now: number): void {
    this.stmt.alerted.run(now, channel);
  }

  /** Runs `fn` in one transaction (nested calls become savepoints). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }
}
