// The fleet overview: clients → sites → hosts a principal may see, each with its status, level and
// the one line that says why, worst first at every level, filtered by search text and status.
import { type AgentStatus, agentStatus } from '../agent-status.js';
import type { AlertRecord, Severity } from '../alerting/types.js';
import { worstFirst as worstAlertFirst } from '../cli/alerts-command.js';
import { isoTime } from '../cli/table.js';
import type { AgentRecord } from '../store/store.js';
import { hostLevel, LEVELS, type Level, levelOfSeverity, worstFirst, worstLevel } from './level.js';

/** The worst latest result of a host (CRITICAL over WARNING over UNKNOWN over OK). */
export interface WorstResult {
  check: string;
  target: string;
  status: string;
  message: string;
  /** How many latest results are not OK. */
  not_ok: number;
}

export interface FleetInput {
  /** Every site (a site with no host yet is listed too). */
  sites: readonly { client: string; site: string }[];
  agents: readonly AgentRecord[];
  /** agent id → its worst latest result; missing = no results yet. */
  worst: ReadonlyMap<string, WorstResult>;
  /** Every open alert (pending and firing); site-level ones have agent_id ''. */
  openAlerts: readonly AlertRecord[];
  now: number;
  silentAfterMs: number;
}

export const HOST_FILTERS = ['critical', 'warning', 'unknown', 'ok', 'online', 'silent', 'offline', 'retired'] as const;
export type HostFilter = (typeof HOST_FILTERS)[number];

export interface FleetQuery {
  /** Case-insensitive substring of the hostname, site or client name. */
  q?: string;
  /** Levels and agent statuses; a host must match one level (if any given) and one status (if any given). */
  status?: readonly HostFilter[];
  /** Exact client name. */
  client?: string;
  /** Tenancy: whether the principal may see the client. */
  canSee: (client: string) => boolean;
}

export interface LevelCounts {
  hosts: number;
  critical: number;
  warning: number;
  unknown: number;
  ok: number;
  /** Open alerts (pending and firing) of the hosts, and of the sites themselves. */
  open_alerts: number;
}

export interface AlertBrief {
  id: string;
  rule: string;
  target: string;
  severity: Severity;
  state: AlertRecord['state'];
  summary: string;
  acknowledged: boolean;
}

export interface FleetHost {
  agent_id: string;
  hostname: string;
  status: AgentStatus;
  level: Level;
  /** null when the stored value is not a time a Date can hold. */
  last_seen: string | null;
  platform: string;
  os_release: string;
  /** Worst severity among firing alerts; null when none. */
  worst_alert: Severity | null;
  open_alerts: number;
  /** Open alerts still pending (not yet held long enough to page); they do not set the level. */
  pending_alerts: number;
  /** Worst status among the latest results; null before the first result. */
  worst_check_status: string | null;
  /** One line on why it is not ok: the worst open alert's summary, else the worst result's message. */
  summary: string | null;
}

export interface FleetSite {
  name: string;
  level: Level;
  counts: LevelCounts;
  /** Alerts about the site itself (every host silent). */
  site_alerts: AlertBrief[];
  hosts: FleetHost[];
}

export interface FleetClient {
  name: string;
  level: Level;
  counts: LevelCounts;
  sites: FleetSite[];
}

export interface Fleet {
  counts: LevelCounts & { clients: number; sites: number };
  clients: FleetClient[];
}

const siteKey = (client: string, site: string) => `${client}\u0000${site}`;

export function alertBrief(a: AlertRecord): AlertBrief {
  return {
    id: a.id,
    rule: a.rule,
    target: a.target,
    severity: a.severity,
    state: a.state,
    summary: a.summary,
    acknowledged: a.ack !== null,
  };
}

function fleetHost(agent: AgentRecord, input: FleetInput, alerts: readonly AlertRecord[]): FleetHost {
  const status = agentStatus(agent, input.now, input.silentAfterMs);
  const worst = input.worst.get(agent.id);
  const sorted = [...alerts].sort(worstAlertFirst);
  // Only a firing alert makes a host critical or warning: a pending one has not held long enough
  // to page anyone, so it shows as pending (pending_alerts), not as the host's level.
  const firing = alerts.filter((a) => a.state === 'firing');
  const worstAlert = worstLevel(firing.map((a) => levelOfSeverity(a.severity)));
  const level = hostLevel(
    status,
    firing.map((a) => a.severity),
    worst ? [worst.status] : [],
  );
  const headline = worst && worst.status !== 'OK' ? worst.message : null;
  return {
    agent_id: agent.id,
    hostname: agent.hostname,
    status,
    level,
    last_seen: isoTime(agent.last_seen),
    platform: agent.facts.platform,
    os_release: agent.facts.os_release,
    worst_alert: worstAlert === 'ok' || worstAlert === 'unknown' ? null : worstAlert,
    open_alerts: alerts.length,
    pending_alerts: alerts.length - firing.length,
    worst_check_status: worst?.status ?? null,
    summary: sorted[0]?.summary ?? headline,
  };
}

function emptyCounts(): LevelCounts {
  return { hosts: 0, critical: 0, warning: 0, unknown: 0, ok: 0, open_alerts: 0 };
}

function addCounts(into: LevelCounts, from: LevelCounts): void {
  into.hosts += from.hosts;
  for (const level of LEVELS) into[level] += from[level];
  into.open_alerts += from.open_alerts;
}

function hostMatches(host: FleetHost, filters: readonly HostFilter[] | undefined): boolean {
  if (!filters || filters.length === 0) return host.status !== 'retired';
  const levels = filters.filter((f): f is Level => (LEVELS as readonly string[]).includes(f));
  const statuses = filters.filter((f) => !(LEVELS as readonly string[]).includes(f));
  // Retired hosts are history: shown only when asked for by name.
  if (host.status === 'retired' && !statuses.includes('retired')) return false;
  return (
    (levels.length === 0 || levels.includes(host.level)) && (statuses.length === 0 || statuses.includes(host.status))
  );
}

/** Builds the fleet tree the principal may see, filtered and sorted worst first. */
export function buildFleet(input: FleetInput, query: FleetQuery): Fleet {
  const needle = query.q?.trim().toLowerCase() ?? '';
  const contains = (text: string) => text.toLowerCase().includes(needle);
  const filtering = needle !== '' || (query.status?.length ?? 0) > 0;
  const visible = (client: string) => query.canSee(client) && (query.client === undefined || client === query.client);

  const alertsByAgent = new Map<string, AlertRecord[]>();
  const alertsBySite = new Map<string, AlertRecord[]>();
  for (const a of input.openAlerts) {
    if (!visible(a.client)) continue;
    const [map, key] = a.agent_id === '' ? [alertsBySite, siteKey(a.client, a.site)] : [alertsByAgent, a.agent_id];
    const list = map.get(key) ?? [];
    list.push(a);
    map.set(key, list);
  }

  const hostsBySite = new Map<string, FleetHost[]>();
  for (const agent of input.agents) {
    if (!visible(agent.client)) continue;
    const host = fleetHost(agent, input, alertsByAgent.get(agent.id) ?? []);
    if (needle !== '' && ![agent.hostname, agent.site, agent.client].some(contains)) continue;
    if (!hostMatches(host, query.status)) continue;
    const key = siteKey(agent.client, agent.site);
    hostsBySite.set(key, [...(hostsBySite.get(key) ?? []), host]);
  }

  const clients = new Map<string, FleetSite[]>();
  for (const { client, site } of input.sites) {
    if (!visible(client)) continue;
    const key = siteKey(client, site);
    const hosts = (hostsBySite.get(key) ?? []).sort((a, b) =>
      worstFirst({ level: a.level, name: a.hostname }, { level: b.level, name: b.hostname }),
    );
    // With a search or a filter, only sites that hold a match (or whose own name matches a search).
    const named = needle !== '' && (query.status?.length ?? 0) === 0 && [client, site].some(contains);
    if (filtering && hosts.length === 0 && !named) continue;
    const siteAlerts = (alertsBySite.get(key) ?? []).sort(worstAlertFirst);
    const counts = emptyCounts();
    for (const h of hosts) {
      counts.hosts++;
      counts[h.level]++;
      counts.open_alerts += h.open_alerts;
    }
    counts.open_alerts += siteAlerts.length;
    const level = worstLevel([
      ...hosts.map((h) => h.level),
      ...siteAlerts.filter((a) => a.state === 'firing').map((a) => levelOfSeverity(a.severity)),
    ]);
    clients.set(client, [
      ...(clients.get(client) ?? []),
      { name: site, level, counts, site_alerts: siteAlerts.map(alertBrief), hosts },
    ]);
  }

  const total = { ...emptyCounts(), clients: 0, sites: 0 };
  const tree: FleetClient[] = [...clients].map(([name, sites]) => {
    sites.sort(worstFirst);
    const counts = emptyCounts();
    for (const s of sites) addCounts(counts, s.counts);
    addCounts(total, counts);
    total.clients++;
    total.sites += sites.length;
    return { name, level: worstLevel(sites.map((s) => s.level)), counts, sites };
  });
  return { counts: total, clients: tree.sort(worstFirst) };
}
