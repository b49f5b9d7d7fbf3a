// Read queries of the dashboard API on the collector's SQLite file: the sites, the worst latest
// result of every agent, one host's record, latest results and alert history.
import type { Measurement, Status } from '@vitals/shared';
import type Database from 'better-sqlite3';
import type { AlertRecord } from '../alerting/types.js';
import type { WorstResult } from '../dashboard/fleet.js';
import type { SqliteAlertStore } from './sqlite-alerts.js';
import type { AgentRecord } from './store.js';

/** One latest result of a host, as the host page shows it. */
export interface HostResult {
  check: string;
  kind: string;
  target: string;
  status: Status;
  message: string;
  values: Record<string, Measurement>;
  ts: number;
}

// The host page lists a host's last resolved alerts; without this index that read walks the
// resolved alerts of every host (13 months of history) backwards by resolved_at.
const DASHBOARD_DDL = `CREATE INDEX IF NOT EXISTS alert_agent_resolved ON alert (agent_id, resolved_at)
  WHERE state = 'resolved'`;

const AGENT_SELECT = `SELECT a.id, a.hostname, a.facts, a.enrolled_at, a.last_seen, a.last_boot_id, a.state,
  a.dropped_total, a.buffer_depth, a.retired_at, a.last_seq, s.name AS site, c.name AS client
  FROM agents a JOIN sites s ON s.id = a.site_id JOIN clients c ON c.id = s.client_id`;

type AgentRow = Omit<AgentRecord, 'facts'> & { facts: string };
type ResultRow = Omit<HostResult, 'values'> & { values_json: string };

function toAgent(row: AgentRow): AgentRecord {
  return { ...row, facts: JSON.parse(row.facts) as AgentRecord['facts'] };
}

export class SqliteDashboardStore {
  private readonly stmt;

  constructor(
    readonly db: Database.Database,
    private readonly alerts: SqliteAlertStore,
  ) {
    db.exec(DASHBOARD_DDL);
    this.stmt = {
      sites: db.prepare<[], { client: string; site: string }>(
        'SELECT c.name AS client, s.name AS site FROM sites s JOIN clients c ON c.id = s.client_id',
      ),
      agents: db.prepare<[], AgentRow>(AGENT_SELECT),
      agent: db.prepare<[string], AgentRow>(`${AGENT_SELECT} WHERE a.id = ?`),
      // One max() makes SQLite take the bare columns from the worst row of each agent.
      worst: db.prepare<[], WorstResult & { agent_id: string; rank: number }>(`SELECT agent_id, check_id AS "check",
        target, status, message,
        MAX(CASE status WHEN 'CRITICAL' THEN 3 WHEN 'WARNING' THEN 2 WHEN 'UNKNOWN' THEN 1 ELSE 0 END) AS rank,
        SUM(status <> 'OK') AS not_ok
        FROM host_latest GROUP BY agent_id`),
      latest: db.prepare<[string], ResultRow>(`SELECT check_id AS "check", kind, target, status, message,
        values_json, ts FROM host_latest WHERE agent_id = ? ORDER BY check_id, target`),
      result: db.prepare<[string, string, string], ResultRow>(`SELECT check_id AS "check", kind, target, status,
        message, values_json, ts FROM host_latest WHERE agent_id = ? AND check_id = ? AND target = ?`),
      resolvedIds: db.prepare<[string, number], { id: string }>(`SELECT id FROM alert
        WHERE agent_id = ? AND state = 'resolved' ORDER BY resolved_at DESC, id DESC LIMIT ?`),
    };
  }

  /** Every site with its client, also those no agent has enrolled at yet. */
  async sites(): Promise<{ client: string; site: string }[]> {
    return this.stmt.sites.all();
  }

  /** Every agent, retired ones included. */
  async agents(): Promise<AgentRecord[]> {
    return this.stmt.agents.all().map(toAgent);
  }

  async agent(agentId: string): Promise<AgentRecord | undefined> {
    const row = this.stmt.agent.get(agentId);
    return row ? toAgent(row) : undefined;
  }

  /** agent id → its worst latest result. */
  async worstResults(): Promise<Map<string, WorstResult>> {
    return new Map(this.stmt.worst.all().map(({ agent_id, rank: _rank, ...worst }) => [agent_id, worst]));
  }

  /** A host's latest result per check and target, by check then target. */
  async latestResults(agentId: string): Promise<HostResult[]> {
    return this.stmt.latest.all(agentId).map(toResult);
  }

  async latestResult(agentId: string, check: string, target: string): Promise<HostResult | undefined> {
    const row = this.stmt.result.get(agentId, check, target);
    return row ? toResult(row) : undefined;
  }

  /** A host's open alerts (pending, firing) and its last `resolvedLimit` resolved ones, newest first. */
  async hostAlerts(agentId: string, resolvedLimit: number): Promise<{ open: AlertRecord[]; resolved: AlertRecord[] }> {
    const resolved = this.stmt.resolvedIds.all(agentId, resolvedLimit).flatMap(({ id }) => this.alerts.get(id) ?? []);
    return { open: this.alerts.openAlertsForAgent(agentId), resolved };
  }

  /** Every open alert (host and site level). */
  async openAlerts(): Promise<AlertRecord[]> {
    return this.alerts.openAlerts();
  }
}

function toResult({ values_json, ...row }: ResultRow): HostResult {
  return { ...row, values: JSON.parse(values_json) as HostResult['values'] };
}
