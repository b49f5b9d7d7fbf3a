// The route stage of the alert path: open alerts + group state + now → the notifications to write
// to the outbox, what to remember about each alert and group, and when to look again. Pure.
import { type RouteLabels, type RouteSettings, type RoutingConfig, routeSettings } from './routing-config.js';
import type { Silence } from './silence.js';
import { type Suppression, suppressions } from './suppression.js';
import type { AlertRecord, NewNotification, NotificationKind, NotifiedAlert, Severity } from './types.js';

/** Alerts of one client, site and host are told together; site alerts (host '') form their own group. */
export interface GroupState {
  key: string;
  client: string;
  site: string;
  host: string;
  agent_id: string;
  /** null: never flushed, or emptied after everything resolved and was told (group_wait applies again). */
  last_flush_at: number | null;
}

/** The routing bookkeeping of one alert, written back in the same transaction as the outbox rows. */
export interface AlertMark {
  id: string;
  notified_state: 'firing' | 'resolved' | null;
  notified_severity: Severity | null;
  notified_at: number | null;
  escalated_at: number | null;
}

export interface RouteInput {
  now: number;
  /** Open alerts, plus resolved ones still marked as told firing (their resolve may need telling). */
  alerts: readonly AlertRecord[];
  groups: ReadonlyMap<string, GroupState>;
  silences: readonly Silence[];
  /** Timers, channel routes, escalation channels, maintenance windows and site time zones. */
  config: RoutingConfig;
  /** A fresh idempotency key per outbox row. */
  newKey: () => string;
}

export interface RouteOutput {
  notifications: NewNotification[];
  alertMarks: AlertMark[];
  /**
   * Every group worth remembering (last_flush_at set), to replace the stored set: a group left out
   * is empty, or has never been flushed, and starts with group_wait again.
   */
  groups: GroupState[];
  /** The earliest future moment something becomes due (null: nothing will without a change). */
  nextDueAt: number | null;
}

export function groupKey(client: string, site: string, host: string): string {
  return JSON.stringify([client, site, host]);
}

const RANK: Record<Severity, number> = { warning: 1, critical: 2 };

export function worstSeverity(severities: readonly Severity[]): Severity | undefined {
  let worst: Severity | undefined;
  for (const s of severities) if (worst === undefined || RANK[s] > RANK[worst]) worst = s;
  return worst;
}

/** Shared by every group in one call: the input, and the output being built. */
interface Run {
  input: RouteInput;
  settings: RouteSettings;
  suppressed: ReadonlyMap<string, Suppression>;
  channelsOf: (alert: AlertRecord) => string[];
  notifications: NewNotification[];
  marks: Map<string, AlertMark>;
  due: number[];
}

export function route(input: RouteInput): RouteOutput {
  const byGroup = new Map<string, AlertRecord[]>();
  for (const alert of [...input.alerts].sort(byStart)) {
    const key = groupKey(alert.client, alert.site, alert.host);
    const list = byGroup.get(key);
    if (list) list.push(alert);
    else byGroup.set(key, [alert]);
  }
  for (const key of input.groups.keys()) if (!byGroup.has(key)) byGroup.set(key, []);
  const channelCache = new Map<string, string[]>();
  const settings = routeSettings(input.config);
  const run: Run = {
    input,
    settings,
    suppressed: suppressions(input.alerts, input.silences, settings.maintenance, input.now),
    channelsOf(alert) {
      let channels = channelCache.get(alert.id);
      if (!channels) {
        const labels: RouteLabels = {
          client: alert.client,
          site: alert.site,
          host: alert.host,
          rule: alert.rule,
          severity: alert.severity,
        };
        channels = [...new Set(settings.channels(labels))];
        channelCache.set(alert.id, channels);
      }
      return channels;
    },
    notifications: [],
    marks: new Map(),
    due: [],
  };
  const groups: GroupState[] = [];
  for (const key of [...byGroup.keys()].sort()) {
    const before = input.groups.get(key);
    const after = routeGroup(run, key, byGroup.get(key) ?? [], before);
    if (after.last_flush_at !== null) groups.push(after);
  }
  const future = run.due.filter((t) => t > input.now);
  return {
    notifications: run.notifications,
    alertMarks: [...run.marks.values()],
    groups,
    nextDueAt: future.length === 0 ? null : Math.min(...future),
  };
}

function byStart(a: AlertRecord, b: AlertRecord): number {
  return (a.started_at ?? a.pending_since) - (b.started_at ?? b.pending_since) || a.id.localeCompare(b.id);
}

const told = (alert: AlertRecord) => alert.notified_state === 'firing';

/** News: firing and never told (or told at a lower severity), or resolved after a told firing. */
function isNews(alert: AlertRecord): boolean {
  if (alert.state === 'resolved') return told(alert);
  return !told(alert) || RANK[alert.severity] > RANK[alert.notified_severity ?? 'warning'];
}

/** When the news arose; stable while it waits, so later observations never push the flush back. */
function newsSince(alert: AlertRecord): number {
  if (alert.state === 'resolved') return alert.resolved_at ?? alert.updated_at;
  if (!told(alert)) return alert.started_at ?? alert.updated_at;
  return alert.notified_at ?? alert.updated_at;
}

function repeatMs(run: Run, alert: AlertRecord): number {
  const t = run.settings.timing;
  return alert.severity === 'critical' ? t.repeatCriticalMs : t.repeatWarningMs;
}

function mark(run: Run, alert: AlertRecord, change: Partial<Omit<AlertMark, 'id'>>): void {
  const current = run.marks.get(alert.id) ?? {
    id: alert.id,
    notified_state: alert.notified_state,
    notified_severity: alert.notified_severity,
    notified_at: alert.notified_at,
    escalated_at: alert.escalated_at,
  };
  run.marks.set(alert.id, { ...current, ...change });
}

/** The alert as routing sees it after this run's marks. */
function marked(run: Run, alert: AlertRecord): AlertRecord {
  const m = run.marks.get(alert.id);
  return m ? { ...alert, ...m } : alert;
}

function routeGroup(run: Run, key: string, alerts: AlertRecord[], before: GroupState | undefined): GroupState {
  const { now } = run.input;
  const { timing } = run.settings;
  // A group not remembered from before exists because it has alerts.
  const first = alerts[0] as AlertRecord | undefined;
  const group: GroupState = before
    ? { ...before, agent_id: first?.agent_id ?? before.agent_id }
    : {
        key,
        client: first?.client ?? '',
        site: first?.site ?? '',
        host: first?.host ?? '',
        agent_id: first?.agent_id ?? '',
        last_flush_at: null,
      };
  // Without resolved notices the book is closed at once: nothing will be said, so nothing is owed.
  const owed = alerts.filter((a) => a.state === 'firing' || (told(a) && timing.sendResolved));
  if (!timing.sendResolved)
    for (const a of alerts) if (a.state === 'resolved' && told(a)) mark(run, a, { notified_state: 'resolved' });
  // Suppressed alerts (inhibited, silenced, in maintenance) are neither listed nor told; what they
  // owe (a firing never told, a resolve of a told firing) is told once the suppression ends.
  const visible = owed.filter((a) => !run.suppressed.has(a.id));
  const firing = visible.filter((a) => a.state === 'firing');
  const resolving = visible.filter((a) => a.state === 'resolved');
  const listed = [...firing, ...resolving];
  const news = listed.filter(isNews);

  // First flush: group_wait after the first news. Later: group_interval after the last flush, but
  // never sooner than group_wait after the news, so news in a long-quiet group still gathers.
  let flushAt: number | null = null;
  if (news.length > 0) {
    const gathered = Math.min(...news.map(newsSince)) + timing.groupWaitMs;
    flushAt =
      group.last_flush_at === null ? gathered : Math.max(group.last_flush_at + timing.groupIntervalMs, gathered);
  }
  const reminders = firing.filter((a) => told(a) && a.ack === null && (a.notified_at ?? 0) + repeatMs(run, a) <= now);
  // A due reminder carries any waiting news with it: one message instead of two minutes apart.
  const flushing = (flushAt !== null && flushAt <= now) || reminders.length > 0;
  if (flushing) {
    const kind = news.length > 0 ? 'news' : 'reminder';
    flush(run, group, listed, new Set([...news, ...reminders].map((a) => a.id)), kind);
    group.last_flush_at = now;
  } else if (flushAt !== null) run.due.push(flushAt);

  escalate(run, group, firing);
  const held = owed.filter((a) => run.suppressed.has(a.id));
  scheduleNext(run, firing, held);

  const emptied =
    !alerts.some((a) => a.state === 'firing') && held.length === 0 && (resolving.length === 0 || flushing);
  if (emptied) group.last_flush_at = null;
  return group;
}

/** When this group's told alerts next need a reminder or an escalation, and when held ones may be freed. */
function scheduleNext(run: Run, firing: AlertRecord[], held: AlertRecord[]): void {
  const { timing } = run.settings;
  for (const alert of firing.map((a) => marked(run, a))) {
    if (!told(alert) || alert.ack !== null) continue;
    run.due.push((alert.notified_at ?? run.input.now) + repeatMs(run, alert));
    if (alert.severity === 'critical' && alert.escalated_at === null && alert.started_at !== null)
      run.due.push(alert.started_at + timing.escalateAfterMs);
  }
  for (const alert of held) {
    const until = run.suppressed.get(alert.id)?.until;
    if (until !== undefined && until !== null) run.due.push(until);
  }
}

/** One notification per channel that has news (or a due reminder) among the alerts routed to it. */
function flush(run: Run, group: GroupState, listed: AlertRecord[], changed: Set<string>, kind: 'news' | 'reminder') {
  const { now } = run.input;
  const channels: string[] = [];
  for (const alert of listed) for (const c of run.channelsOf(alert)) if (!channels.includes(c)) channels.push(c);
  const shown = new Set<string>();
  for (const channel of channels) {
    const list = listed.filter((a) => run.channelsOf(a).includes(channel));
    if (!list.some((a) => changed.has(a.id))) continue;
    const anyFiring = list.some((a) => a.state === 'firing');
    const notificationKind: NotificationKind = kind === 'reminder' ? 'reminder' : anyFiring ? 'firing' : 'resolved';
    emit(run, group, channel, notificationKind, list, changed);
    for (const a of list) shown.add(a.id);
  }
  // An alert routed nowhere is still marked as told, or it would be news again on every run.
  for (const alert of listed) {
    if (!changed.has(alert.id) && !shown.has(alert.id)) continue;
    if (alert.state === 'resolved') mark(run, alert, { notified_state: 'resolved', notified_at: now });
    else mark(run, alert, { notified_state: 'firing', notified_severity: alert.severity, notified_at: now });
  }
}

/**
 * Critical, told, unacknowledged for escalate_after since it fired: once, to the escalation channels.
 * Time spent suppressed counts; a suppressed alert escalates only after it has been told.
 */
function escalate(run: Run, group: GroupState, firing: AlertRecord[]): void {
  const { now } = run.input;
  const { timing } = run.settings;
  const current = firing.map((a) => marked(run, a));
  const due = current.filter(
    (a) =>
      a.severity === 'critical' &&
      told(a) &&
      a.ack === null &&
      a.escalated_at === null &&
      a.started_at !== null &&
      a.started_at + timing.escalateAfterMs <= now,
  );
  if (due.length === 0) return;
  const changed = new Set(due.map((a) => a.id));
  for (const channel of run.settings.escalationChannels) emit(run, group, channel, 'escalation', current, changed);
  for (const alert of due) mark(run, alert, { escalated_at: now });
}

function emit(
  run: Run,
  group: GroupState,
  channel: string,
  kind: NotificationKind,
  list: AlertRecord[],
  changed: Set<string>,
): void {
  const firingSeverities = list.filter((a) => a.state === 'firing').map((a) => a.severity);
  const severity = worstSeverity(firingSeverities.length > 0 ? firingSeverities : list.map((a) => a.severity));
  run.notifications.push({
    idempotency_key: run.input.newKey(),
    channel,
    kind,
    client: group.client,
    site: group.site,
    host: group.host,
    agent_id: group.agent_id,
    severity: severity ?? 'warning',
    alerts: list.map((a) => snapshot(a, changed.has(a.id))),
    created_at: run.input.now,
  });
}

/** What a notification carries of an alert (also what the cross-channel test sends). */
export function snapshot(alert: AlertRecord, changed: boolean): NotifiedAlert {
  return {
    id: alert.id,
    rule: alert.rule,
    target: alert.target,
    host: alert.host,
    severity: alert.severity,
    state: alert.state,
    started_at: alert.started_at,
    resolved_at: alert.resolved_at,
    value: alert.value,
    threshold: alert.threshold,
    unit: alert.unit,
    summary: alert.summary,
    forecast: alert.forecast,
    ack: alert.ack,
    changed,
  };
}
