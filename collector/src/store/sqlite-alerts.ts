// The alert path's rows in SQLite: alerts, routing groups and silences. Every method is
// synchronous on the SqliteStore's own connection, so the engine can call it inside the ingest
// transaction and the alert change commits with the reports that caused it.
import { randomBytes } from 'node:crypto';
import type Database from 'better-sqlite3';
import type { AlertMark, GroupState } from '../alerting/route.js';
import type { Matcher, Silence } from '../alerting/silence.js';
import type { Acknowledgement, AlertRecord, AlertState, RuleName, Severity } from '../alerting/types.js';

export interface AlertListQuery {
  /** Only pending and firing alerts. */
  open?: boolean;
  /** Only alerts still open at or after this time (open ones, or resolved at/after it). */
  since?: number;
  client?: string;
  limit?: number;
}

export interface SilenceListQuery {
  /** Only silences not over at `now`: in force, or scheduled to start later. */
  active?: boolean;
  now: number;
}

interface AlertRow {
  id: string;
  client: string;
  site: string;
  agent_id: string;
  host: string;
  rule: RuleName;
  target: string;
  state: AlertState;
  severity: Severity;
  since_json: string;
  counts_json: string;
  last_at: number;
  pending_since: number;
  started_at: number | null;
  resolved_at: number | null;
  value_json: string;
  threshold_json: string;
  unit: string | null;
  summary: string;
  forecast_json: string | null;
  ack_by: string | null;
  ack_at: number | null;
  ack_comment: string | null;
  notified_state: AlertRecord['notified_state'];
  notified_severity: Severity | null;
  notified_at: number | null;
  escalated_at: number | null;
  updated_at: number;
}

interface SilenceRow {
  id: string;
  matchers_json: string;
  starts_at: number;
  ends_at: number;
  reason: string;
  author: string;
  created_at: number;
  expired_at: number | null;
}

const ALERT_COLUMNS = `id, client, site, agent_id, host, rule, target, state, severity, since_json, counts_json,
  last_at, pending_since, started_at, resolved_at, value_json, threshold_json, unit, summary, forecast_json,
  ack_by, ack_at, ack_comment, notified_state, notified_severity, notified_at, escalated_at, updated_at`;
const OPEN = `state IN ('pending', 'firing')`;
const NEWEST_FIRST = 'ORDER BY pending_since DESC, id DESC';

function toRow(a: AlertRecord): AlertRow {
  return {
    id: a.id,
    client: a.client,
    site: a.site,
    agent_id: a.agent_id,
    host: a.host,
    rule: a.rule,
    target: a.target,
    state: a.state,
    severity: a.severity,
    since_json: JSON.stringify(a.since),
    counts_json: JSON.stringify(a.counts),
    last_at: a.last_at,
    pending_since: a.pending_since,
    started_at: a.started_at,
    resolved_at: a.resolved_at,
    value_json: JSON.stringify(a.value),
    threshold_json: JSON.stringify(a.threshold),
    unit: a.unit,
    summary: a.summary,
    forecast_json: a.forecast === null ? null : JSON.stringify(a.forecast),
    ack_by: a.ack?.by ?? null,
    ack_at: a.ack?.at ?? null,
    ack_comment: a.ack?.comment ?? null,
    notified_state: a.notified_state,
    notified_severity: a.notified_severity,
    notified_at: a.notified_at,
    escalated_at: a.escalated_at,
    updated_at: a.updated_at,
  };
}

function toRecord(r: AlertRow): AlertRecord {
  return {
    id: r.id,
    client: r.client,
    site: r.site,
    agent_id: r.agent_id,
    host: r.host,
    rule: r.rule,
    target: r.target,
    state: r.state,
    severity: r.severity,
    since: JSON.parse(r.since_json),
    counts: JSON.parse(r.counts_json),
    last_at: r.last_at,
    pending_since: r.pending_since,
    started_at: r.started_at,
    resolved_at: r.resolved_at,
    value: JSON.parse(r.value_json),
    threshold: JSON.parse(r.threshold_json),
    unit: r.unit,
    summary: r.summary,
    forecast: r.forecast_json === null ? null : JSON.parse(r.forecast_json),
    ack: r.ack_by === null || r.ack_at === null ? null : { by: r.ack_by, at: r.ack_at, comment: r.ack_comment ?? '' },
    notified_state: r.notified_state,
    notified_severity: r.notified_severity,
    notified_at: r.notified_at,
    escalated_at: r.escalated_at,
    updated_at: r.updated_at,
  };
}

function toSilence({ matchers_json, ...rest }: SilenceRow): Silence {
  return { ...rest, matchers: JSON.parse(matchers_json) as Matcher[] };
}

/** Random, typeable ids: 64 bits of hex after a prefix that says what they name. */
export function newAlertId(): string {
  return `al_${randomBytes(8).toString('hex')}`;
}

export function newSilenceId(): string {
  return `si_${randomBytes(8).toString('hex')}`;
}

export class SqliteAlertStore {
  private readonly stmt;

  constructor(readonly db: Database.Database) {
    const select = `SELECT ${ALERT_COLUMNS} FROM alert`;
    const assignments = ALERT_COLUMNS.split(',')
      .map((c) => c.trim())
      .filter((c) => c !== 'id')
      .map((c) => `${c} = excluded.${c}`)
      .join(', ');
    this.stmt = {
      open: db.prepare<[], AlertRow>(`${select} WHERE ${OPEN} ORDER BY pending_since, id`),
      openForAgent: db.prepare<[string], AlertRow>(
        `${select} WHERE agent_id = ? AND ${OPEN} ORDER BY pending_since, id`,
      ),
      unnotifiedResolved: db.prepare<[], AlertRow>(
        `${select} WHERE state = 'resolved' AND notified_state = 'firing' ORDER BY resolved_at, id`,
      ),
      get: db.prepare<[string], AlertRow>(`${select} WHERE id = ?`),
      list: db.prepare<
        { open: number; since: number | null; client: string | null; limit: number },
        AlertRow
      >(`${select} WHERE (:open = 0 OR ${OPEN})
        AND (:since IS NULL OR ${OPEN} OR resolved_at >= :since)
        AND (:client IS NULL OR client = :client) ${NEWEST_FIRST} LIMIT :limit`),
      upsert: db.prepare<[AlertRow]>(
        `INSERT INTO alert (${ALERT_COLUMNS}) VALUES (${ALERT_COLUMNS.split(',')
          .map((c) => `@${c.trim()}`)
          .join(', ')}) ON CONFLICT (id) DO UPDATE SET ${assignments}`,
      ),
      delete: db.prepare<[string]>('DELETE FROM alert WHERE id = ?'),
      mark: db.prepare<[AlertMark]>(`UPDATE alert SET notified_state = @notified_state,
        notified_severity = @notified_severity, notified_at = @notified_at, escalated_at = @escalated_at
        WHERE id = @id`),
      ack: db.prepare<[string, number, string, number, string]>(
        `UPDATE alert SET ack_by = ?, ack_at = ?, ack_comment = ?, updated_at = ? WHERE id = ? AND state = 'firing'`,
      ),
      pruneResolved: db.prepare<[number]>(`DELETE FROM alert WHERE state = 'resolved' AND resolved_at < ?
        AND (notified_state IS NULL OR notified_state = 'resolved')`),
      groups: db.prepare<[], GroupState>('SELECT key, client, site, host, agent_id, last_flush_at FROM alert_group'),
      clearGroups: db.prepare('DELETE FROM alert_group'),
      insertGroup: db.prepare<[GroupState]>(`INSERT INTO alert_group (key, client, site, host, agent_id, last_flush_at)
        VALUES (@key, @client, @site, @host, @agent_id, @last_flush_at)`),
      insertSilence: db.prepare<[SilenceRow]>(`INSERT INTO silence (id, matchers_json, starts_at, ends_at, reason,
        author, created_at, expired_at) VALUES (@id, @matchers_json, @starts_at, @ends_at, @reason, @author,
        @created_at, @expired_at)`),
      silences: db.prepare<[], SilenceRow>('SELECT * FROM silence ORDER BY created_at DESC, id DESC'),
      notOverSilences: db.prepare<[number, number], SilenceRow>(`SELECT * FROM silence
        WHERE ends_at > ? AND (expired_at IS NULL OR expired_at > ?) ORDER BY created_at DESC, id DESC`),
      activeSilences: db.prepare<[number, number, number], SilenceRow>(`SELECT * FROM silence
        WHERE starts_at <= ? AND ends_at > ? AND (expired_at IS NULL OR expired_at > ?) ORDER BY created_at, id`),
      getSilence: db.prepare<[string], SilenceRow>('SELECT * FROM silence WHERE id = ?'),
      expireSilence: db.prepare<[number, string, number]>(
        'UPDATE silence SET expired_at = ? WHERE id = ? AND expired_at IS NULL AND ends_at > ?',
      ),
    };
  }

  /** Pending and firing alerts, oldest first. */
  openAlerts(): AlertRecord[] {
    return this.stmt.open.all().map(toRecord);
  }

  /** One agent's open alerts; '' gives the site-level ones (site_offline) of every site. */
  openAlertsForAgent(agentId: string): AlertRecord[] {
    return this.stmt.openForAgent.all(agentId).map(toRecord);
  }

  /** Resolved alerts whose people were told "firing" and not yet "resolved". */
  unnotifiedResolved(): AlertRecord[] {
    return this.stmt.unnotifiedResolved.all().map(toRecord);
  }

  /**
   * Inserts or replaces the row with this id. A second open alert for a key that already has
   * one throws (SQLITE_CONSTRAINT_UNIQUE), failing the caller's transaction.
   */
  save(record: AlertRecord): void {
    this.stmt.upsert.run(toRow(record));
  }

  /** Removes an alert (a pending one cancelled before it fired leaves no history). */
  delete(id: string): boolean {
    return this.stmt.delete.run(id).changes === 1;
  }

  /** Writes what the router told people; the rest of each alert is left as it is. */
  applyMarks(marks: readonly AlertMark[]): void {
    for (const mark of marks) this.stmt.mark.run(mark);
  }

  get(id: string): AlertRecord | undefined {
    const row = this.stmt.get.get(id);
    return row ? toRecord(row) : undefined;
  }

  /** Newest first (by when each alert began). */
  list(query: AlertListQuery = {}): AlertRecord[] {
    return this.stmt.list
      .all({
        open: query.open ? 1 : 0,
        since: query.since ?? null,
        client: query.client ?? null,
        limit: query.limit ?? -1,
      })
      .map(toRecord);
  }

  /**
   * Records who acknowledged a firing alert (acknowledging again replaces the note). Undefined
   * when there is no such alert or it is not firing: a pending or resolved alert has nothing
   * to stop reminding about.
   */
  acknowledge(id: string, ack: Acknowledgement): AlertRecord | undefined {
    if (this.stmt.ack.run(ack.by, ack.at, ack.comment, ack.at, id).changes === 0) return undefined;
    return this.get(id);
  }

  /**
   * Deletes resolved alerts that ended before `before`, keeping any whose resolve notice is
   * still owed. Returns how many went.
   */
  pruneResolved(before: number): number {
    return this.stmt.pruneResolved.run(before).changes;
  }

  groups(): Map<string, GroupState> {
    return new Map(this.stmt.groups.all().map((g) => [g.key, g]));
  }

  /** Replaces the routing groups with these: the router gets them all and hands them all back. */
  saveGroups(groups: Map<string, GroupState> | readonly GroupState[]): void {
    const list = groups instanceof Map ? [...groups.values()] : groups;
    this.db.transaction(() => {
      this.stmt.clearGroups.run();
      for (const g of list) this.stmt.insertGroup.run(g);
    })();
  }

  addSilence(silence: Silence): void {
    const { matchers, ...rest } = silence;
    this.stmt.insertSilence.run({ ...rest, matchers_json: JSON.stringify(matchers) });
  }

  getSilence(id: string): Silence | undefined {
    const row = this.stmt.getSilence.get(id);
    return row ? toSilence(row) : undefined;
  }

  /** Newest first; with `active`, only those not over at `now` (in force or still to start). */
  listSilences(query: SilenceListQuery): Silence[] {
    const rows = query.active ? this.stmt.notOverSilences.all(query.now, query.now) : this.stmt.silences.all();
    return rows.map(toSilence);
  }

  /** Silences in force at `now` (started, not ended, not expired early). */
  activeSilences(now: number): Silence[] {
    return this.stmt.activeSilences.all(now, now, now).map(toSilence);
  }

  /** Ends a silence early. False when there is no such silence or it is already over. */
  expireSilence(id: string, now: number): boolean {
    return this.stmt.expireSilence.run(now, id, now).changes === 1;
  }

  newAlertId(): string {
    return newAlertId();
  }

  newSilenceId(): string {
    return newSilenceId();
  }
}
