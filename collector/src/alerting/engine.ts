// The alert path's shell: feeds the pure stages (evaluate → transition → route) with what SQLite
// holds and writes what they decide (alert rows, routing marks, outbox rows) in one transaction.
// Sample-driven rules run inside the ingest transaction; time-driven rules and routing on a timer.
import type { Report } from '@vitals/shared';
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import type { SqliteAlertStore } from '../store/sqlite-alerts.js';
import type { SqliteOutbox } from '../store/sqlite-outbox.js';
import { DiskSeries } from './disk-series.js';
import { type AlertChange, alertKeyString, applyObservations, evaluateHost, siteAlertKey } from './evaluate.js';
import { route } from './route.js';
import { type RoutingConfig, routeSettings } from './routing-config.js';
import { hasTargets, type ResolvedRules, resolveRules } from './rule-config.js';
import { RULES, ruleByName } from './rules/registry.js';
import type { SiteRule } from './rules/rule.js';
import { MAX_SPREAD_MS, type SiteOfflineOptions } from './rules/site-offline.js';
import { intervalFromSpacing, newestOf, resolveStale, type StaleStep, staleAfterMs, staleSummary } from './stale.js';
import { suppressions } from './suppression.js';
import { transition } from './transition.js';
import type {
  AlertRecord,
  AlertState,
  HostView,
  LatestResult,
  RuleName,
  SeriesPoint,
  SiteView,
  TransitionEvent,
} from './types.js';

export interface AlertEngineConfig {
  /** The raw `alerting.rules` / `alerting.overrides` sections. */
  rules: Parameters<typeof resolveRules>[0];
  routing: RoutingConfig;
  /** Time-driven rules (heartbeat, ages, site offline) are evaluated this often. */
  evaluateEveryMs: number;
  /** Routing (group flushes, reminders, escalation) runs this often. */
  routeEveryMs: number;
}

export interface AlertEngineDeps {
  db: Database.Database;
  alerts: SqliteAlertStore;
  outbox: SqliteOutbox;
  config: AlertEngineConfig;
  logger: Logger;
  now?: () => number;
}

interface AgentRow {
  id: string;
  hostname: string;
  facts: string;
  enrolled_at: number;
  last_seen: number;
  state: 'running' | 'stopping';
  retired_at: number | null;
  buffer_lost_at: number | null;
  buffer_lost_count: number | null;
  site: string;
  client: string;
}

interface LatestRow {
  check_id: string;
  kind: string;
  target: string;
  status: LatestResult['status'];
  values_json: string;
  message: string;
  ts: number;
  known_ts: number | null;
  known_values_json: string | null;
}

const SERIES_KEEP_MS = 25 * 3600_000;
/** Reports read to tell a target's interval from their spacing. */
const SPACING_REPORTS = 6;

const siteKeyOf = (client: string, site: string) => `${client}\u0000${site}`;

function toHostView(row: AgentRow): HostView {
  const facts = JSON.parse(row.facts) as { platform?: string; os_release?: string };
  return {
    agent_id: row.id,
    client: row.client,
    site: row.site,
    host: row.hostname,
    platform: facts.platform ?? '',
    os_release: facts.os_release ?? '',
    enrolled_at: row.enrolled_at,
    last_seen: row.last_seen,
    state: row.state,
    retired: row.retired_at !== null,
    ...(row.buffer_lost_at !== null ? { buffer_lost: { at: row.buffer_lost_at, lost: row.buffer_lost_count } } : {}),
  };
}

function toLatest(row: LatestRow): LatestResult {
  return {
    check: row.check_id,
    kind: row.kind,
    target: row.target,
    status: row.status,
    values: JSON.parse(row.values_json),
    message: row.message,
    ts: row.ts,
    known:
      row.known_ts !== null && row.known_values_json !== null
        ? { ts: row.known_ts, values: JSON.parse(row.known_values_json) }
        : null,
  };
}

export class AlertEngine {
  private readonly series = new DiskSeries({ keepMs: SERIES_KEEP_MS });
  private readonly now: () => number;
  private readonly stmt;
  private timers: NodeJS.Timeout[] = [];
  /**
   * A target's interval as read from its reports, with the latest ts it was read at: a cache
   * only (any collector reads the same from the store), refreshed when a target looks overdue.
   */
  private readonly intervals = new Map<string, { ts: number; ms: number | undefined }>();
  /** Transition counts since start, for /metrics and tests. */
  readonly counts: Record<TransitionEvent, number> = {
    pending: 0,
    fired: 0,
    severity_changed: 0,
    resolved: 0,
    cancelled: 0,
  };
  errors = 0;

  constructor(private readonly deps: AlertEngineDeps) {
    this.now = deps.now ?? Date.now;
    const db = deps.db;
    const agentSelect = `SELECT a.id, a.hostname, a.facts, a.enrolled_at, a.last_seen, a.state, a.retired_at,
      a.buffer_lost_at, a.buffer_lost_count, s.name AS site, c.name AS client FROM agents a JOIN sites s ON s.id = a.site_id JOIN clients c ON c.id = s.client_id`;
    this.stmt = {
      agent: db.prepare<[string], AgentRow>(`${agentSelect} WHERE a.id = ?`),
      agents: db.prepare<[], AgentRow>(`${agentSelect} WHERE a.retired_at IS NULL`),
      latest: db.prepare<[string], LatestRow>(
        `SELECT check_id, kind, target, status, values_json, message, ts, known_ts, known_values_json
         FROM host_latest WHERE agent_id = ?`,
      ),
      // Newest first by seq (the primary key), so the scan stops after a few of this target's rows.
      spacing: db.prepare<[string, string, string, number], { ts: number }>(
        `SELECT ts FROM report WHERE agent_id = ? AND check_id = ? AND target = ? ORDER BY seq DESC LIMIT ?`,
      ),
      dropLatest: db.prepare<[string, string, string, number]>(
        'DELETE FROM host_latest WHERE agent_id = ? AND check_id = ? AND target = ? AND ts = ?',
      ),
      // Open ones last, so they win over an older resolved one of the same site.
      siteAlerts: db.prepare<[number], { client: string; site: string; state: AlertState; resolved_at: number | null }>(
        `SELECT client, site, state, resolved_at FROM alert WHERE agent_id = '' AND rule = 'site_offline'
         AND (state != 'resolved' OR resolved_at >= ?) ORDER BY state != 'resolved', resolved_at`,
      ),
      history: db.prepare<[string, string, string, number], { ts: number; values_json: string }>(
        `SELECT ts, values_json FROM report WHERE agent_id = ? AND check_id = ? AND target = ? AND ts >= ?
         ORDER BY ts`,
      ),
    };
  }

  private rulesFor(host: { client: string; site: string; host: string }): ResolvedRules {
    return resolveRules(this.deps.config.rules, host);
  }

  /** One metric of a check's stored reports since a time (rules that compare with the past). */
  private history(agentId: string, check: string, target: string, metric: string, sinceTs: number): SeriesPoint[] {
    return this.stmt.history.all(agentId, check, target, sinceTs).flatMap((row) => {
      const value = (JSON.parse(row.values_json) as Record<string, { value: unknown }>)[metric]?.value;
      return typeof value === 'number' ? [{ ts: row.ts, value }] : [];
    });
  }

  /** Free bytes of a disk over the forecast window; loaded from stored reports once per process. */
  private loadDiskSeries(agentId: string, check: string, target: string, until: number): void {
    if (this.series.has(agentId, target)) return;
    this.series.load(agentId, target, this.history(agentId, check, target, 'free_bytes', until - SERIES_KEEP_MS));
  }

  /** The interval of a target, from the spacing of its last reports; read again once it looks overdue. */
  private intervalOf(agentId: string, row: LatestResult, silence: number, times: number): number | undefined {
    const key = `${agentId}\u0000${row.check}\u0000${row.target}`;
    const known = this.intervals.get(key);
    if (known && (known.ts === row.ts || (known.ms !== undefined && silence <= times * known.ms))) return known.ms;
    const reported = this.stmt.spacing.all(agentId, row.check, row.target, SPACING_REPORTS).map((r) => r.ts);
    const ms = intervalFromSpacing(reported);
    this.intervals.set(key, { ts: row.ts, ms });
    return ms;
  }

  /** Whether a latest result of this host is stale for a rule (stale.ts). */
  private staleness(
    host: HostView,
    rules: ResolvedRules,
    latest: readonly LatestResult[],
  ): (rule: RuleName, row: LatestResult) => boolean {
    const newest = newestOf(latest);
    return (rule, row) => {
      const silence = newest - row.ts;
      if (silence <= 0) return false;
      const after = rules.staleAfter(rule);
      const interval = 'ms' in after ? undefined : this.intervalOf(host.agent_id, row, silence, after.times);
      return silence > staleAfterMs(after, interval);
    };
  }

  /**
   * Targets the host no longer reports: their open alerts close (stale.ts), and a result no rule
   * still counts as current, with no alert left on it, leaves the host's current view.
   */
  private closeStale(
    host: HostView,
    latest: readonly LatestResult[],
    alerts: Map<string, AlertRecord>,
    stale: (rule: RuleName, row: LatestResult) => boolean,
    now: number,
  ): void {
    const steps: StaleStep[] = [];
    for (const [k, alert] of alerts) {
      const rule = ruleByName(alert.rule);
      if (!rule || !hasTargets(rule)) continue;
      const rows = latest.filter((r) => r.target === alert.target && rule.kinds.includes(r.kind as never));
      if (rows.length === 0 || !rows.every((r) => stale(alert.rule, r))) continue;
      const newest = rows.reduce((a, b) => (b.ts > a.ts ? b : a));
      steps.push(resolveStale(alert, staleSummary(newest, host.host), now));
      alerts.delete(k);
    }
    this.persist(steps);
    for (const row of latest) {
      const readers = RULES.filter(hasTargets).filter((r) => r.kinds.includes(row.kind as never));
      if (readers.length === 0 || !readers.every((r) => stale(r.name, row))) continue;
      const held = [...alerts.values()].some((a) => a.target === row.target && readers.some((r) => r.name === a.rule));
      if (held) continue;
      this.stmt.dropLatest.run(host.agent_id, row.check, row.target, row.ts);
      this.intervals.delete(`${host.agent_id}\u0000${row.check}\u0000${row.target}`);
      this.deps.logger.info(
        { agent_id: host.agent_id, host: host.host, check: row.check, target: row.target, last_ts: row.ts },
        'target no longer reported',
      );
    }
  }

  private openAlertsOf(agentId: string): Map<string, AlertRecord> {
    const map = new Map<string, AlertRecord>();
    for (const a of this.deps.alerts.openAlertsForAgent(agentId)) map.set(alertKeyString(a), a);
    return map;
  }

  /**
   * A firing alert nobody was told about yet, resolving after it fired for at least group_wait:
   * its notice was due while it fired, but routing never saw it firing (a backlog replayed after
   * an outage fires and resolves it in one batch; a collector killed during group_wait comes back
   * to reports that resolve it; the group's interval held it back). It is owed one resolved notice
   * (which says when it started and how long it lasted) at the group's next flush: marked as if its
   * firing had been told, without a time. One that lasted less than group_wait, or was silenced,
   * in maintenance or inhibited when it resolved, stays quiet as before.
   */
  private oweResolvedNotice(next: AlertRecord, prev: AlertRecord | undefined): AlertRecord {
    if (prev?.state !== 'firing' || prev.notified_state !== null || prev.started_at === null) return next;
    const at = next.resolved_at ?? next.updated_at;
    if (at - prev.started_at < this.deps.config.routing.timing.groupWaitMs) return next;
    const settings = routeSettings(this.deps.config.routing);
    const others = this.deps.alerts.openAlerts().filter((a) => a.id !== prev.id);
    const held = suppressions([...others, prev], this.deps.alerts.activeSilences(at), settings.maintenance, at);
    if (held.has(prev.id)) return next;
    return { ...next, notified_state: 'firing', notified_severity: prev.severity, notified_at: null };
  }

  private persist(changes: readonly Pick<AlertChange, 'prev' | 'next' | 'event'>[]): void {
    for (const change of changes) {
      if (change.event) this.counts[change.event]++;
      const next =
        change.event === 'resolved' && change.next ? this.oweResolvedNotice(change.next, change.prev) : change.next;
      if (next) this.deps.alerts.save(next);
      else if (change.prev) this.deps.alerts.delete(change.prev.id);
      const a = next ?? change.prev;
      if (a && change.event && change.event !== 'pending' && change.event !== 'cancelled') {
        this.deps.logger.info(
          {
            alert_id: a.id,
            client: a.client,
            site: a.site,
            host: a.host,
            rule: a.rule,
            target: a.target,
            severity: a.severity,
            event: change.event,
          },
          'alert',
        );
      }
    }
  }

  /**
   * The ingest hook: runs the sample-driven rules over a batch, one report at a time in time
   * order, so a backlog delivered after an outage replays its transitions as they happened.
   */
  onIngest(agentId: string, reports: Report[], _receivedAt: number): void {
    try {
      const row = this.stmt.agent.get(agentId);
      if (!row) return;
      const host = toHostView(row);
      const rules = this.rulesFor(host);
      const latest = new Map<string, LatestResult>();
      for (const r of this.stmt.latest.all(agentId)) latest.set(`${r.check_id}\u0000${r.target}`, toLatest(r));
      const alerts = this.openAlertsOf(agentId);
      const ordered = [...reports].sort((a, b) => a.result.ts - b.result.ts);
      const changes: ReturnType<typeof applyObservations> = [];
      // The batch's reports replace "latest" one by one, and each step keeps only the observations
      // about its own target, so every step sees that target as it was at that moment.
      const stepLatest = new Map(latest);
      for (const { result } of ordered) {
        if (result.kind === 'disk' && typeof result.values.free_bytes?.value === 'number') {
          this.loadDiskSeries(agentId, result.check, result.target, result.ts);
          this.series.add(agentId, result.target, result.ts, result.values.free_bytes.value);
        }
        const key = `${result.check}\u0000${result.target}`;
        const known =
          result.status !== 'UNKNOWN' ? { ts: result.ts, values: result.values } : (stepLatest.get(key)?.known ?? null);
        stepLatest.set(key, { ...result, known });
        const items = evaluateHost({
          host,
          latest: [...stepLatest.values()],
          diskSeries: (target) => this.series.get(agentId, target),
          history: (check, target, metric, since) => this.history(agentId, check, target, metric, since),
          rules,
          alerts,
          now: result.ts,
          trigger: 'sample',
          kinds: new Set([result.kind]),
        }).filter((item) => item.key.target === result.target);
        changes.push(...applyObservations(alerts, items, result.ts, () => this.deps.alerts.newAlertId()));
      }
      this.persist(changes);
    } catch (error) {
      this.errors++;
      this.deps.logger.error({ err: error, agent_id: agentId }, 'alert evaluation failed');
    }
  }

  /**
   * Time-driven rules for every host and site, in one transaction. Sites go first, so a host is
   * judged against its site's verdict of this same moment: on the evaluation that declares a site
   * offline, its hosts' heartbeats are already held by it, never paged beside it.
   */
  evaluateTimers(now = this.now()): void {
    const run = this.deps.db.transaction(() => {
      const bySite = new Map<string, HostView[]>();
      for (const row of this.stmt.agents.all()) {
        const host = toHostView(row);
        const key = siteKeyOf(host.client, host.site);
        bySite.set(key, [...(bySite.get(key) ?? []), host]);
      }
      const sites = this.evaluateSites(bySite, now);
      for (const [key, hosts] of bySite) {
        const site = sites.get(key);
        for (const host of hosts) {
          const alerts = this.openAlertsOf(host.agent_id);
          const latest = this.stmt.latest.all(host.agent_id).map(toLatest);
          const rules = this.rulesFor(host);
          const stale = this.staleness(host, rules, latest);
          const items = evaluateHost({
            host,
            latest,
            diskSeries: (target) => this.series.get(host.agent_id, target),
            history: (check, target, metric, since) => this.history(host.agent_id, check, target, metric, since),
            rules,
            alerts,
            now,
            trigger: 'timer',
            current: (rule, row) => !stale(rule, row),
            ...(site ? { site } : {}),
          });
          this.persist(applyObservations(alerts, items, now, () => this.deps.alerts.newAlertId()));
          this.closeStale(host, latest, alerts, stale, now);
        }
      }
    });
    run();
  }

  /** Runs the site rules, and returns each site as its hosts' heartbeats must see it now. */
  private evaluateSites(bySite: Map<string, HostView[]>, now: number): Map<string, SiteView> {
    const siteRules = RULES.filter((r): r is SiteRule => r.scope === 'site');
    const open = new Map<string, AlertRecord>();
    for (const a of this.deps.alerts.openAlertsForAgent('')) open.set(alertKeyString(a), a);
    const offlineOptions = new Map<string, SiteView['offline']>();
    for (const [siteKey, hosts] of bySite) {
      const first = hosts[0];
      if (!first) continue;
      const rules = this.rulesFor({ client: first.client, site: first.site, host: '' });
      for (const rule of siteRules) {
        const options = rules.options(rule.name);
        if (!options.enabled) continue;
        if (rule.name === 'site_offline') offlineOptions.set(siteKey, rules.options<SiteOfflineOptions>(rule.name));
        for (const obs of rule.evaluate(options, hosts, now)) {
          const key = siteAlertKey(first.client, first.site, rule.name, obs.target);
          const prev = open.get(alertKeyString(key));
          const { next, event } = transition(prev, key, obs, now, () => this.deps.alerts.newAlertId());
          if (next) open.set(alertKeyString(key), next);
          if (event || next) this.persist([{ prev, next, event }]);
        }
      }
    }
    // The latest site_offline alert per site, open or just resolved (a host may still come back with it).
    const latest = new Map<string, SiteView['alert']>();
    for (const a of this.stmt.siteAlerts.all(now - MAX_SPREAD_MS))
      latest.set(siteKeyOf(a.client, a.site), { state: a.state, resolved_at: a.resolved_at });
    const sites = new Map<string, SiteView>();
    for (const [siteKey, hosts] of bySite) {
      const o = offlineOptions.get(siteKey);
      sites.set(siteKey, {
        hosts,
        offline: o ? { silentAfterMs: o.silentAfterMs, minHosts: o.minHosts, spreadMs: o.spreadMs } : null,
        alert: latest.get(siteKey) ?? null,
      });
    }
    return sites;
  }

  /** Routing: group flushes, reminders, escalation → outbox rows, in one transaction. */
  routeOnce(now = this.now()): number {
    let written = 0;
    const run = this.deps.db.transaction(() => {
      const out = route({
        now,
        alerts: [...this.deps.alerts.openAlerts(), ...this.deps.alerts.unnotifiedResolved()],
        groups: this.deps.alerts.groups(),
        silences: this.deps.alerts.activeSilences(now),
        config: this.deps.config.routing,
        newKey: () => this.deps.alerts.newAlertId().replace(/^al_/, 'nk_'),
      });
      if (out.notifications.length > 0) this.deps.outbox.insert(out.notifications, now);
      this.deps.alerts.applyMarks(out.alertMarks);
      this.deps.alerts.saveGroups(out.groups);
      written = out.notifications.length;
    });
    run();
    if (written > 0) this.deps.logger.info({ notifications: written }, 'notifications queued');
    return written;
  }

  start(): void {
    const guard = (what: string, fn: () => unknown) => () => {
      try {
        fn();
      } catch (error) {
        this.errors++;
        this.deps.logger.error({ err: error }, `${what} failed`);
      }
    };
    const evaluate = guard('alert timer evaluation', () => this.evaluateTimers());
    const routeTick = guard('alert routing', () => this.routeOnce());
    this.timers.push(setInterval(evaluate, this.deps.config.evaluateEveryMs));
    this.timers.push(setInterval(routeTick, this.deps.config.routeEveryMs));
    for (const t of this.timers) t.unref();
  }

  stop(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
  }
}
