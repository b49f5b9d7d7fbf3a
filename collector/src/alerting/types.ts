// The alerting vocabulary shared by every stage of the alert path:
// evaluate (rules → observations) → transition (observation + alert → alert) → route (alerts →
// notifications) → outbox → deliver. Stages are pure functions of (state, data, now).
import type { Measurement, Status } from '@vitals/shared';

export type Severity = 'warning' | 'critical';
export const SEVERITIES: readonly Severity[] = ['warning', 'critical'];

/** Every rule the collector knows; the names are the config keys under `alerting.rules`. */
export const RULE_NAMES = [
  'heartbeat',
  'site_offline',
  'disk_space',
  'disk_forecast',
  'backup',
  'service',
  'process',
  'command',
  'smart',
  'endpoint',
  'cpu',
  'memory',
  'reboot',
  'buffer_lost',
] as const;
export type RuleName = (typeof RULE_NAMES)[number];

/** Where an alert belongs: the tenancy path plus what it is about. `host` is '' for site alerts. */
export interface AlertKey {
  client: string;
  site: string;
  /** Agent id; '' for a site-level alert (site_offline). */
  agent_id: string;
  /** Hostname as enrolled; '' for a site-level alert. */
  host: string;
  rule: RuleName;
  /** Mount point, service name, URL…; '' when the rule has one target per host. */
  target: string;
}

/** A disk's least-squares forecast, stored with the alert so messages and charts can use it. */
export interface Forecast {
  /** Epoch ms when the fitted line reaches zero free bytes. */
  full_at: number;
  hours_left: number;
  /** Negative when filling. */
  slope_bytes_per_hour: number;
  /** The fitted free bytes at the evaluation time. */
  fitted_free_bytes: number;
  window_ms: number;
  /** Span of the data the fit used. */
  data_span_ms: number;
}

/** How long / how often a level must hold before the alert fires at it. */
export interface LevelTiming {
  /** Continuous time at (or above) the level before firing; 0 = at once. */
  forMs: number;
  /** Consecutive fresh samples at (or above) the level before firing; 1 = the first one. */
  consecutive: number;
}

export interface RuleTiming {
  warning?: LevelTiming;
  critical?: LevelTiming;
  /** Consecutive fresh samples at 'ok' before a firing alert resolves (1 = the first one). */
  recoverConsecutive: number;
}

/**
 * What a rule concludes about one target at one moment. The rule applies hysteresis itself: it
 * is told the alert's current severity and reports 'hold' in the band where a firing alert
 * neither resolves nor would have fired (e.g. disk between 5 % and 10 % free after a critical).
 */
export interface Observation {
  rule: RuleName;
  target: string;
  /**
   * The data's time: the result's ts for sample-driven rules, `now` for time-driven ones. The
   * transition counts an observation toward consecutive counters only when `at` is newer than
   * the alert's `last_at`, so a timer re-evaluation of an old result counts nothing.
   */
  at: number;
  level: Severity | 'ok' | 'hold';
  /** The headline value ("4.2" percent free) and the threshold it was compared with. */
  value: number | string | boolean | null;
  threshold: number | string | null;
  unit?: string;
  /** One plain sentence: "Disk C: has 4 % free (12 GB of 250 GB), below the critical 5 %". */
  summary: string;
  forecast?: Forecast;
  timing: RuleTiming;
}

export type AlertState = 'pending' | 'firing' | 'resolved';

export interface Acknowledgement {
  by: string;
  at: number;
  comment: string;
}

/** One alert: (host, rule, target) from pending to resolved; persisted, one open row per key. */
export interface AlertRecord extends AlertKey {
  id: string;
  state: AlertState;
  /** Pending: the level it is pending at; firing: the level it fires at; resolved: the last one. */
  severity: Severity;
  /** When each level's condition began to hold continuously (cleared when it stops). */
  since: Partial<Record<Severity, number>>;
  /** Consecutive fresh samples at each level, and at 'ok' (for recovery). */
  counts: { warning: number; critical: number; ok: number };
  /** `at` of the last observation applied (fresh samples are counted once). */
  last_at: number;
  pending_since: number;
  /** When it started firing (null while pending). */
  started_at: number | null;
  resolved_at: number | null;
  value: number | string | boolean | null;
  threshold: number | string | null;
  unit: string | null;
  summary: string;
  forecast: Forecast | null;
  ack: Acknowledgement | null;
  /** Routing bookkeeping: what the people were last told about this alert, and when. */
  notified_state: 'firing' | 'resolved' | null;
  notified_severity: Severity | null;
  notified_at: number | null;
  escalated_at: number | null;
  updated_at: number;
}

export type TransitionEvent = 'pending' | 'fired' | 'severity_changed' | 'resolved' | 'cancelled';

/** One result as the rules see it (the latest per check/target, plus the last non-UNKNOWN one). */
export interface LatestResult {
  check: string;
  kind: string;
  target: string;
  status: Status;
  values: Record<string, Measurement>;
  message: string;
  ts: number;
  /** The latest result whose status was not UNKNOWN (null if none yet). */
  known: { ts: number; values: Record<string, Measurement> } | null;
}

/** A host as the rules see it. */
export interface HostView {
  agent_id: string;
  client: string;
  site: string;
  host: string;
  platform: string;
  os_release: string;
  enrolled_at: number;
  last_seen: number;
  state: 'running' | 'stopping';
  retired: boolean;
  /** The agent's last buffer replacement (damaged file): when, and unsent results lost (null: unknown). */
  buffer_lost?: { at: number; lost: number | null };
}

/**
 * A host's site as the heartbeat rule sees it, so a silence that is the site's is not paged as the
 * host's (SPEC §7.1 "one outage, one page").
 */
export interface SiteView {
  /** The site's agents, this host among them. */
  hosts: readonly HostView[];
  /** site_offline's options for the site; null where that rule is off. */
  offline: { silentAfterMs: number; minHosts: number; spreadMs: number } | null;
  /** The site's latest site_offline alert (open, or resolved within the last hour); null: none. */
  alert: { state: AlertState; resolved_at: number | null } | null;
}

/** A point of a numeric series (disk free bytes over time), oldest first. */
export interface SeriesPoint {
  ts: number;
  value: number;
}

/** The snapshot of one alert carried by a notification (what the message is written from). */
export interface NotifiedAlert {
  id: string;
  rule: RuleName;
  target: string;
  host: string;
  severity: Severity;
  state: AlertState;
  started_at: number | null;
  resolved_at: number | null;
  value: number | string | boolean | null;
  threshold: number | string | null;
  unit: string | null;
  summary: string;
  forecast: Forecast | null;
  ack: Acknowledgement | null;
  /** Whether this alert is why the notification was sent (new, resolved, escalated). */
  changed: boolean;
}

export type NotificationKind = 'firing' | 'resolved' | 'reminder' | 'escalation' | 'channel_failing' | 'test';

/** What the router writes to the outbox: one row per (notification, channel). */
export interface NewNotification {
  /** Unique per notification and channel; receivers deduplicate on it (webhook header, Message-ID). */
  idempotency_key: string;
  channel: string;
  kind: NotificationKind;
  client: string;
  site: string;
  /** '' for a site-level group. */
  host: string;
  agent_id: string;
  /** The worst severity among the listed alerts still firing (or of the resolved ones). */
  severity: Severity;
  alerts: NotifiedAlert[];
  created_at: number;
  /** Set on kind 'channel_failing' only: which channel fails (or works again), written by the dispatcher. */
  channel_issue?: ChannelIssue | null;
}

/** A notification channel that keeps failing (or has recovered): what a 'channel_failing' notice is about. */
export interface ChannelIssue {
  channel: string;
  /** When the run of consecutive failed sends began. */
  failing_since: number;
  consecutive_failures: number;
  last_error: string | null;
  /** Set on the notice that the channel works again. */
  recovered_at: number | null;
}

export type DeliveryStatus = 'queued' | 'sending' | 'delivered' | 'failed';

export interface NotificationRecord extends NewNotification {
  id: string;
  status: DeliveryStatus;
  attempts: number;
  next_attempt_at: number;
  /** While 'sending': the claim expires then (a crashed sender's row is claimed again). */
  claimed_until: number | null;
  last_error: string | null;
  delivered_at: number | null;
}
