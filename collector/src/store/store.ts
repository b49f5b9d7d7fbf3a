// The collector's one storage interface. Every method is asynchronous so that a PostgreSQL
// implementation can serve the same contract; SQLite (sqlite.ts) is the default engine.
import type { HostFacts, IngestRequest, Report } from '@vitals/shared';

export interface ClientSite {
  client: string;
  site: string;
}

export interface TokenRecord extends ClientSite {
  /** Short public id, safe to show and to pass to `token revoke`. */
  id: string;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  /** How many agents enrolled with it. */
  uses: number;
}

export type AgentState = 'running' | 'stopping';

export interface AgentRecord extends ClientSite {
  id: string;
  hostname: string;
  facts: HostFacts;
  enrolled_at: number;
  last_seen: number;
  last_boot_id: string | null;
  state: AgentState;
  dropped_total: number;
  buffer_depth: number;
  retired_at: number | null;
  last_seq: number | null;
}

/** One stored report as `export` prints it. */
export interface StoredReport {
  agent_id: string;
  hostname: string;
  seq: number;
  boot_id: string;
  ts: number;
  received_at: number;
  check: string;
  kind: string;
  target: string;
  status: string;
  values: Report['result']['values'];
  message: string;
  duration_ms: number | null;
}

export interface IngestBatch {
  agentId: string;
  request: IngestRequest;
  receivedAt: number;
}

export interface IngestOutcome {
  /** Every distinct seq of the request, now stored, ascending. */
  acked: number[];
  /** How many of them were stored before this request (or twice within it). */
  duplicates: number;
  inserted: number;
}

export interface Retention {
  rawMs: number;
  rollupsMs: number;
}

export interface PruneOutcome {
  reports: number;
  rollups: number;
}

export interface StoreStats {
  agents: number;
  dbBytes: number;
  /** Ingest batches waiting for the next group commit. */
  pendingBatches: number;
  /** Write transactions committed by the group commit since start. */
  commits: number;
}

export interface ExportQuery {
  /** Hostname (case-insensitive) or agent id. */
  host: string;
  sinceTs?: number;
}

export interface NewToken extends ClientSite {
  id: string;
  hash: string;
  createdAt: number;
  expiresAt: number;
}

export interface NewAgent {
  id: string;
  tokenId: string;
  secretHash: string;
  facts: HostFacts;
  now: number;
}

export interface Store {
  createToken(token: NewToken): Promise<TokenRecord>;
  listTokens(): Promise<TokenRecord[]>;
  /** false when no such token. */
  revokeToken(id: string, now: number): Promise<boolean>;
  findTokenByHash(hash: string): Promise<(TokenRecord & { hash: string }) | undefined>;
  createAgent(agent: NewAgent): Promise<AgentRecord>;
  findAgentBySecretHash(hash: string): Promise<(AgentRecord & { secret_hash: string }) | undefined>;
  listAgents(): Promise<AgentRecord[]>;
  /** false when no such agent or already retired. */
  retireAgent(id: string, now: number): Promise<boolean>;
  /** Stores a batch idempotently on (agent, seq); resolves once the batch is committed. */
  ingest(batch: IngestBatch): Promise<IngestOutcome>;
  /** The agents a host name or agent id names, oldest enrolment first. */
  findHosts(host: string): Promise<AgentRecord[]>;
  exportReports(query: ExportQuery): AsyncIterable<StoredReport>;
  /**
   * Computes hourly rollups for hours closed at `now` that got data since the last run; hours
   * older than the raw retention (partly pruned) are left as they are.
   */
  rollup(now: number, rawRetentionMs?: number): Promise<number>;
  prune(now: number, retention: Retention): Promise<PruneOutcome>;
  stats(): Promise<StoreStats>;
  /** Commits pending writes and closes. */
  close(): Promise<void>;
}
