// The API's answers as the pages read them (docs/dashboard-api.md, docs/api.md). Only the fields
// the pages use are listed.

export type Level = 'critical' | 'warning' | 'unknown' | 'ok';
export type AgentStatus = 'online' | 'silent' | 'offline' | 'retired';
export type CheckStatus = 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';

export interface Counts {
  hosts: number;
  critical: number;
  warning: number;
  unknown: number;
  ok: number;
  open_alerts: number;
}

export interface FleetHost {
  agent_id: string;
  hostname: string;
  status: AgentStatus;
  level: Level;
  last_seen: string | null;
  platform: string | null;
  os_release: string | null;
  open_alerts: number;
  pending_alerts: number;
  summary: string | null;
}

export interface SiteAlert {
  id: string;
  rule: string;
  severity: string;
  summary: string;
}

export interface FleetSite {
  name: string;
  level: Level;
  counts: Counts;
  site_alerts: SiteAlert[];
  hosts: FleetHost[];
}

export interface FleetClient {
  name: string;
  level: Level;
  counts: Counts;
  sites: FleetSite[];
}

export interface Fleet {
  now: string;
  counts: Counts & { clients: number; sites: number };
  clients: FleetClient[];
}

export interface Alert {
  id: string;
  state: 'pending' | 'firing' | 'resolved';
  severity: 'critical' | 'warning';
  client: string;
  site: string;
  host: string;
  agent_id: string;
  rule: string;
  target: string;
  since: string;
  pending_since: string;
  started_at: string | null;
  resolved_at: string | null;
  summary: string;
  /** Value against threshold ("4.2 % (threshold 5 %)"), written by the collector as in every notification. */
  reading: string | null;
  ack: { by: string; at: string; comment: string } | null;
  silenced_by: string | null;
}

export interface Silence {
  id: string;
  status: 'active' | 'scheduled' | 'ended' | 'expired';
  matchers: string[];
  starts_at: string;
  ends_at: string;
  reason: string;
  author: string;
  created_at: string;
}

export interface Value {
  value: number | string | boolean;
  unit?: string | null;
}

export interface Result {
  check: string;
  kind: string;
  target: string;
  status: CheckStatus;
  message: string;
  values: Record<string, Value>;
  ts: string;
}

export interface HostPage {
  now: string;
  host: {
    agent_id: string;
    hostname: string;
    client: string;
    site: string;
    status: AgentStatus;
    level: Level;
    last_seen: string | null;
    enrolled_at: string;
    facts: { platform?: string; os_release?: string; arch?: string; agent_version?: string };
  };
  results: Result[];
  alerts: { open: Alert[]; resolved: Alert[] };
}

export interface Forecast {
  source: 'alert' | 'fit';
  at: number;
  full_at: number;
  full_in: string;
  line: [number, number][] | null;
}

export interface Series {
  check: string;
  target: string;
  metric: string;
  unit: string | null;
  from: number;
  to: number;
  resolution: 'raw' | 'hour';
  points: [number, number, number, number][];
  forecast?: Forecast | null;
}
