// The default store: one embedded SQLite file (WAL, synchronous=NORMAL) behind the asynchronous
// Store interface. Ingest batches go through a group commit: many requests, one transaction.
import { mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { HostFacts, Report } from '@vitals/shared';
import Database from 'better-sqlite3';
import { GroupCommit, type GroupCommitOptions } from './group-commit.js';
import { createPrune, createRollup } from './sqlite-rollup.js';
import { openSchema } from './sqlite-schema.js';
import type {
  AgentRecord,
  ExportQuery,
  IngestBatch,
  IngestOutcome,
  NewAgent,
  NewToken,
  PruneOutcome,
  Retention,
  Store,
  StoredReport,
  StoreStats,
  TokenRecord,
} from './store.js';

export const DB_FILE = 'collector.db';
const EXPORT_PAGE = 1000;

const AGENT_COLUMNS = `a.id, a.hostname, a.facts, a.enrolled_at, a.last_seen, a.last_boot_id, a.state,
  a.dropped_total, a.buffer_depth, a.retired_at, a.last_seq, a.secret_hash, s.name AS site, c.name AS client`;
const AGENT_FROM = 'agents a JOIN sites s ON s.id = a.site_id JOIN clients c ON c.id = s.client_id';
const TOKEN_SELECT = `SELECT t.id, t.hash, t.created_at, t.expires_at, t.revoked_at, t.uses, s.name AS site, c.name AS client
  FROM tokens t JOIN sites s ON s.id = t.site_id JOIN clients c ON c.id = s.client_id`;

type AgentRow = Omit<AgentRecord, 'facts'> & { facts: string; secret_hash: string };
type ReportRow = Omit<StoredReport, 'values' | 'hostname'> & { values_json: string };

function toAgent(row: AgentRow): AgentRecord & { secret_hash: string } {
  return { ...row, facts: JSON.parse(row.facts) as HostFacts };
}

/** Called inside the ingest transaction with the reports a batch newly stored, oldest seq first. */
export type IngestHook = (agentId: string, reports: Report[], receivedAt: number) => void;

export interface SqliteStoreOptions {
  groupCommit?: Partial<GroupCommitOptions>;
}

export class SqliteStore implements Store {
  readonly db: Database.Database;
  private readonly writer: GroupCommit<IngestBatch, IngestOutcome>;
  private readonly rollupTx: (now: number, rawRetentionMs: number) => number;
  private readonly pruneFn: (now: number, retention: Retention) => PruneOutcome;
  private readonly stmt;
  private ingestHook: IngestHook | undefined;
  ingestHookErrors = 0;
  lastIngestHookError: unknown;

  constructor(
    readonly file: string,
    options: SqliteStoreOptions = {},
  ) {
    this.db = new Database(file);
    openSchema(this.db);
    const db = this.db;
    this.stmt = {
      upsertClient: db.prepare('INSERT INTO clients (name, created_at) VALUES (?, ?) ON CONFLICT (name) DO NOTHING'),
      clientId: db.prepare<[string], { id: number }>('SELECT id FROM clients WHERE name = ?'),
      upsertSite: db.prepare(
        'INSERT INTO sites (client_id, name, created_at) VALUES (?, ?, ?) ON CONFLICT (client_id, name) DO NOTHING',
      ),
      siteId: db.prepare<[number, string], { id: number }>('SELECT id FROM sites WHERE client_id = ? AND name = ?'),
      insertToken: db.prepare('INSERT INTO tokens (id, site_id, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?)'),
      tokenById: db.prepare<[string], TokenRecord & { hash: string }>(`${TOKEN_SELECT} WHERE t.id = ?`),
      tokenByHash: db.prepare<[string], TokenRecord & { hash: string }>(`${TOKEN_SELECT} WHERE t.hash = ?`),
      tokens: db.prepare<[], TokenRecord & { hash: string }>(`${TOKEN_SELECT} ORDER BY t.created_at, t.id`),
      revokeToken: db.prepare('UPDATE tokens SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL'),
      tokenSite: db.prepare<[string], { site_id: number }>('SELECT site_id FROM tokens WHERE id = ?'),
      useToken: db.prepare('UPDATE tokens SET uses = uses + 1 WHERE id = ?'),
      insertAgent:
        db.prepare(`INSERT INTO agents (id, site_id, token_id, hostname, facts, secret_hash, enrolled_at, last_seen)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?)`),
      agentById: db.prepare<[string], AgentRow>(`SELECT ${AGENT_COLUMNS} FROM ${AGENT_FROM} WHERE a.id = ?`),
      agentBySecret: db.prepare<[string], AgentRow>(
        `SELECT ${AGENT_COLUMNS} FROM ${AGENT_FROM} WHERE a.secret_hash = ?`,
      ),
      agents: db.prepare<[], AgentRow>(
        `SELECT ${AGENT_COLUMNS} FROM ${AGENT_FROM} ORDER BY c.name, s.name, a.hostname`,
      ),
      hosts: db.prepare<[string, string], AgentRow>(
        `SELECT ${AGENT_COLUMNS} FROM ${AGENT_FROM} WHERE a.id = ? OR a.hostname = ? COLLATE NOCASE ORDER BY a.enrolled_at, a.id`,
      ),
      retire: db.prepare('UPDATE agents SET retired_at = ? WHERE id = ? AND retired_at IS NULL'),
      activeAgents: db.prepare<[], { n: number }>('SELECT COUNT(*) AS n FROM agents WHERE retired_at IS NULL'),
      insertReport:
        db.prepare(`INSERT INTO report (agent_id, seq, boot_id, ts, received_at, check_id, kind, target, status,
        values_json, message, duration_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (agent_id, seq) DO NOTHING`),
      // `known_*` keeps the latest result whose status was not UNKNOWN: a backup check that cannot
      // read its log for a day still has a last known success for the age rule.
      upsertLatest:
        db.prepare(`INSERT INTO host_latest (agent_id, check_id, target, seq, ts, kind, status, values_json, message,
        known_ts, known_values_json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        ON CONFLICT (agent_id, check_id, target) DO UPDATE SET
        seq = CASE WHEN excluded.ts >= host_latest.ts THEN excluded.seq ELSE host_latest.seq END,
        kind = CASE WHEN excluded.ts >= host_latest.ts THEN excluded.kind ELSE host_latest.kind END,
        status = CASE WHEN excluded.ts >= host_latest.ts THEN excluded.status ELSE host_latest.status END,
        values_json = CASE WHEN excluded.ts >= host_latest.ts THEN excluded.values_json ELSE host_latest.values_json END,
        message = CASE WHEN excluded.ts >= host_latest.ts THEN excluded.message ELSE host_latest.message END,
        known_values_json = CASE WHEN excluded.known_ts > COALESCE(host_latest.known_ts, -1)
          THEN excluded.known_values_json ELSE host_latest.known_values_json END,
        known_ts = MAX(COALESCE(excluded.known_ts, -1), COALESCE(host_latest.known_ts, -1)),
        ts = MAX(excluded.ts, host_latest.ts)`),
      updateAgent: db.prepare(`UPDATE agents SET last_seen = ?, last_boot_id = ?, state = ?, dropped_total = ?,
        buffer_depth = ?, last_seq = MAX(COALESCE(last_seq, 0), ?) WHERE id = ?`),
      updateBufferLost: db.prepare(`UPDATE agents SET buffer_lost_at = ?, buffer_lost_count = ?
        WHERE id = ? AND (buffer_lost_at IS NULL OR buffer_lost_at < ?)`),
      reports: db.prepare<[string, number, number], ReportRow>(`SELECT agent_id, seq, boot_id, ts, received_at,
        check_id AS "check", kind, target, status, values_json, message, duration_ms FROM report
        WHERE agent_id = ? AND seq > ? AND ts >= ? ORDER BY seq LIMIT ${EXPORT_PAGE}`),
    };
    const commitAll = db.transaction((batches: IngestBatch[]) => batches.map((b) => this.write(b)));
    this.writer = new GroupCommit(commitAll, (b) => Math.max(1, b.request.reports.length), {
      maxDelayMs: options.groupCommit?.maxDelayMs ?? 5,
      maxWeight: options.groupCommit?.maxWeight ?? 2000,
    });
    this.rollupTx = createRollup(db);
    this.pruneFn = createPrune(db);
  }

  /** Opens (creating if needed) the database in a data directory. */
  static open(dataDir: string, options: SqliteStoreOptions = {}): SqliteStore {
    mkdirSync(dataDir, { recursive: true });
    return new SqliteStore(join(dataDir, DB_FILE), options);
  }

  private siteFor(client: string, site: string, now: number): number {
    this.stmt.upsertClient.run(client, now);
    const clientId = (this.stmt.clientId.get(client) as { id: number }).id;
    this.stmt.upsertSite.run(clientId, site, now);
    return (this.stmt.siteId.get(clientId, site) as { id: number }).id;
  }

  async createToken(t: NewToken): Promise<TokenRecord> {
    this.db.transaction(() => {
      const siteId = this.siteFor(t.client, t.site, t.createdAt);
      this.stmt.insertToken.run(t.id, siteId, t.hash, t.createdAt, t.expiresAt);
    })();
    const { hash: _hash, ...record } = this.stmt.tokenById.get(t.id) as TokenRecord & { hash: string };
    return record;
  }

  async listTokens(): Promise<TokenRecord[]> {
    return this.stmt.tokens.all().map(({ hash: _hash, ...record }) => record);
  }

  async revokeToken(id: string, now: number): Promise<boolean> {
    return this.stmt.revokeToken.run(now, id).changes === 1;
  }

  async findTokenByHash(hash: string): Promise<(TokenRecord & { hash: string }) | undefined> {
    return this.stmt.tokenByHash.get(hash);
  }

  async createAgent(a: NewAgent): Promise<AgentRecord> {
    this.db.transaction(() => {
      const site = this.stmt.tokenSite.get(a.tokenId);
      if (!site) throw new Error(`enrolment token ${a.tokenId} does not exist`);
      this.stmt.insertAgent.run(
        a.id,
        site.site_id,
        a.tokenId,
        a.facts.hostname,
        JSON.stringify(a.facts),
        a.secretHash,
        a.now,
        a.now,
      );
      this.stmt.useToken.run(a.tokenId);
    })();
    const { secret_hash: _s, ...agent } = toAgent(this.stmt.agentById.get(a.id) as AgentRow);
    return agent;
  }

  async findAgentBySecretHash(hash: string): Promise<(AgentRecord & { secret_hash: string }) | undefined> {
    const row = this.stmt.agentBySecret.get(hash);
    return row ? toAgent(row) : undefined;
  }

  async listAgents(): Promise<AgentRecord[]> {
    return this.stmt.agents.all().map((row) => {
      const { secret_hash: _s, ...agent } = toAgent(row);
      return agent;
    });
  }

  async retireAgent(id: string, now: number): Promise<boolean> {
    return this.stmt.retire.run(now, id).changes === 1;
  }

  ingest(batch: IngestBatch): Promise<IngestOutcome> {
    return this.writer.submit(batch);
  }

  /** One batch inside the group-commit transaction. */
  private write({ agentId, request, receivedAt }: IngestBatch): IngestOutcome {
    const latest = new Map<string, Report>();
    const latestKnown = new Map<string, Report>();
    const fresh: Report[] = [];
    let inserted = 0;
    let maxSeq = 0;
    const seqs = new Set<number>();
    for (const report of request.reports) {
      const r = report.result;
      seqs.add(report.seq);
      if (report.seq > maxSeq) maxSeq = report.seq;
      const { changes } = this.stmt.insertReport.run(
        agentId,
        report.seq,
        report.boot_id,
        r.ts,
        receivedAt,
        r.check,
        r.kind,
        r.target,
        r.status,
        JSON.stringify(r.values),
        r.message,
        r.duration_ms ?? null,
      );
      if (changes === 0) continue;
      inserted++;
      const key = `${r.check}\u0000${r.target}`;
      const prev = latest.get(key);
      if (!prev || prev.result.ts <= r.ts) latest.set(key, report);
      const prevKnown = latestKnown.get(key);
      if (r.status !== 'UNKNOWN' && (!prevKnown || prevKnown.result.ts <= r.ts)) latestKnown.set(key, report);
      fresh.push(report);
    }
    for (const [key, { seq, result: r }] of latest) {
      const known = latestKnown.get(key)?.result;
      this.stmt.upsertLatest.run(
        agentId,
        r.check,
        r.target,
        seq,
        r.ts,
        r.kind,
        r.status,
        JSON.stringify(r.values),
        r.message,
        known?.ts ?? null,
        known ? JSON.stringify(known.values) : null,
      );
    }
    const a = request.agent;
    this.stmt.updateAgent.run(receivedAt, a.boot_id, a.state, a.dropped_total, a.buffer_depth, maxSeq, agentId);
    // Sent until acknowledged, so the same loss may come twice: only a newer one replaces it.
    if (a.buffer_lost) this.stmt.updateBufferLost.run(a.buffer_lost.at, a.buffer_lost.lost, agentId, a.buffer_lost.at);
    if (fresh.length > 0) this.runIngestHook(agentId, fresh, receivedAt);
    return {
      acked: [...seqs].sort((x, y) => x - y),
      duplicates: request.reports.length - inserted,
      inserted,
    };
  }

  /**
   * Runs inside the ingest transaction after a batch's new reports are written, so what they
   * cause (alert transitions) commits with them. A failing hook is logged by its owner and must
   * not make ingest fail: the data is what must not be lost.
   */
  setIngestHook(hook: IngestHook | undefined): void {
    this.ingestHook = hook;
  }

  private runIngestHook(agentId: string, reports: Report[], receivedAt: number): void {
    if (!this.ingestHook) return;
    try {
      this.ingestHook(agentId, reports, receivedAt);
    } catch (error) {
      this.ingestHookErrors++;
      this.lastIngestHookError = error;
    }
  }

  async findHosts(host: string): Promise<AgentRecord[]> {
    return this.stmt.hosts.all(host, host).map((row) => {
      const { secret_hash: _s, ...agent } = toAgent(row);
      return agent;
    });
  }

  async *exportReports(query: ExportQuery): AsyncIterable<StoredReport> {
    for (const agent of await this.findHosts(query.host)) {
      // Paged rather than one open cursor, so the connection stays free for writes in between.
      let after = 0;
      for (;;) {
        const rows = this.stmt.reports.all(agent.id, after, query.sinceTs ?? 0);
        for (const { values_json, ...rest } of rows) {
          yield { ...rest, hostname: agent.hostname, values: JSON.parse(values_json) as StoredReport['values'] };
        }
        if (rows.length < EXPORT_PAGE) break;
        after = (rows[rows.length - 1] as ReportRow).seq;
      }
    }
  }

  async rollup(now: number, rawRetentionMs = Number.POSITIVE_INFINITY): Promise<number> {
    this.writer.flush();
    return this.rollupTx(now, rawRetentionMs);
  }

  async prune(now: number, retention: Retention): Promise<PruneOutcome> {
    this.writer.flush();
    return this.pruneFn(now, retention);
  }

  async stats(): Promise<StoreStats> {
    let dbBytes = 0;
    for (const suffix of ['', '-wal']) {
      try {
        dbBytes += statSync(this.file + suffix).size;
      } catch {
        // No WAL file right after a checkpoint on close.
      }
    }
    return {
      agents: (this.stmt.activeAgents.get() as { n: number }).n,
      dbBytes,
      pendingBatches: this.writer.pending,
      commits: this.writer.commits,
    };
  }

  async close(): Promise<void> {
    this.writer.close();
    this.db.close();
  }
}
