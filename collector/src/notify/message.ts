// Writes a notification for a tired technician at 3 a.m.: which practice, site and host, what is
// wrong since when, value against threshold, the disk forecast, what to check first, and a link.
// One model feeds every channel: email text and HTML, the webhook, Slack blocks, the Teams card.
import { formatBytes, formatPercent } from '@vitals/shared';
import { DateTime } from 'luxon';
import type { NotificationRecord, NotifiedAlert, Severity } from '../alerting/types.js';
import { adviceFor, channelAdvice } from './advice.js';
import { layoutHtml, layoutText } from './message-layout.js';

export interface RenderOptions {
  /** Base URL of the dashboard; the message links `${dashboardUrl}/#/host/${agent_id}` (the dashboard's host page). */
  dashboardUrl?: string;
  /** IANA zone of a site ("America/New_York"); times are shown in UTC when absent or unknown. */
  timeZone?: (client: string, site: string) => string | undefined;
}

/** How a message (or one of its alerts) should look: red, orange, green, neutral. */
export type Tone = 'critical' | 'warning' | 'good' | 'info';

export interface RenderedItem {
  /** "CRITICAL: Disk D: has 4 % free (12 GB of 250 GB), below the critical 5 %" */
  title: string;
  tone: Tone;
  /** Label and value pairs: Since, Value, Forecast, Acknowledged… */
  facts: [string, string][];
  /** What to check first; null for resolved alerts. */
  advice: string | null;
}

export interface RenderedMessage {
  /** Email subject: "[CRITICAL] Smith Family Practice / EMR-SRV01: Disk D: full in about 2 days". */
  subject: string;
  /** One line for a chat headline (Slack, Teams). */
  short: string;
  /** The first line of the body: what kind of notice this is and what to do about it. */
  lead: string;
  tone: Tone;
  /** Practice, site, host (or the channel, for a channel notice). */
  where: [string, string][];
  /** "What is wrong" / "What was wrong": the heading over the items. */
  itemsHeading: string;
  items: RenderedItem[];
  /** The host in the dashboard (or the dashboard), when dashboard_url is configured. */
  link: string | null;
  linkLabel: string;
  footer: string;
  text: string;
  html: string;
}

type Model = Omit<RenderedMessage, 'text' | 'html'>;

const MINUTE = 60_000;

function plural(n: number, unit: string): string {
  return `${n} ${unit}${n === 1 ? '' : 's'}`;
}

/** 2 hours, 1 hour 5 minutes, 3 days 4 hours: the two largest units, spelled out. */
export function humanDuration(ms: number): string {
  const m = Math.max(0, Math.round(ms / MINUTE));
  if (m < 1) return 'less than a minute';
  const parts: [number, string][] = [
    [Math.floor(m / 1440), 'day'],
    [Math.floor((m % 1440) / 60), 'hour'],
    [m % 60, 'minute'],
  ];
  const first = parts.findIndex(([n]) => n > 0);
  return parts
    .slice(first, first + 2)
    .filter(([n]) => n > 0)
    .map(([n, unit]) => plural(n, unit))
    .join(' ');
}

/** "in about 2 days", "in about 20 hours", "within the hour". */
export function fullIn(hoursLeft: number): string {
  if (hoursLeft < 1) return 'within the hour';
  if (hoursLeft < 48) return `in about ${plural(Math.round(hoursLeft), 'hour')}`;
  return `in about ${plural(Math.round(hoursLeft / 24), 'day')}`;
}

function validZone(zone: string | undefined): string {
  return zone && DateTime.now().setZone(zone).isValid ? zone : 'UTC';
}

/** "Tue 3 Mar 2026 02:14 EST" in the site's zone. */
export function formatTime(ms: number, zone: string): string {
  return DateTime.fromMillis(ms, { zone }).toFormat('ccc d LLL yyyy HH:mm ZZZZ');
}

function round(n: number): string {
  return String(Math.round(n * 100) / 100);
}

/** Units as rules report them (the agent's words: percent, bytes, hours…) in words a person reads. */
export function formatValue(value: NotifiedAlert['value'], unit: string | null, zone = 'UTC'): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'string') return !unit || unit === 'state' ? value : `${value} ${unit}`;
  switch (unit) {
    case 'percent':
    case '%':
      return Number.isInteger(value) ? `${value} %` : formatPercent(value);
    case 'bytes':
    case 'B':
      return formatBytes(value);
    case 'seconds':
    case 's':
      return humanDuration(value * 1000);
    case 'minutes':
      return humanDuration(value * MINUTE);
    case 'hours':
      return `${round(value)} ${value === 1 ? 'hour' : 'hours'}`;
    case 'days':
      return `${round(value)} ${value === 1 ? 'day' : 'days'}`;
    case 'celsius':
      return `${round(value)} °C`;
    case 'epoch_ms':
      return formatTime(value, zone);
    case null:
    case '':
    case 'count':
    case 'state':
      return round(value);
    default:
      return `${round(value)} ${unit}`;
  }
}

/** A threshold written as a quantity with its own unit ("2.0 GB", "3 checks in a row"), not a state. */
const QUANTITY = /^\s*[-+]?\d/;

/**
 * Value against threshold, each said by formatValue: "4.2 % (threshold 5 %)", "stopped
 * (expected running)". A numeric threshold shares the value's unit; a threshold written with its
 * own unit ("2.0 GB") is shown as written, never with the value's unit stuck on. Every channel and
 * the dashboard API use this one text (null when there is no value to show).
 */
export function readingText(a: Pick<NotifiedAlert, 'value' | 'threshold' | 'unit'>, zone = 'UTC'): string | null {
  const value = formatValue(a.value, a.unit, zone);
  if (value === null) return null;
  const t = a.threshold;
  if (t === null || t === undefined || t === '') return value;
  if (typeof t === 'number') return `${value} (threshold ${formatValue(t, a.unit, zone)})`;
  // A state is expected ("running"); a quantity is a threshold that was crossed.
  return QUANTITY.test(t) ? `${value} (threshold ${t.trim()})` : `${value} (expected ${t})`;
}

const SEVERITY_RANK: Record<Severity, number> = { critical: 0, warning: 1 };

/**
 * Still-firing alerts first (the ones that caused this notice first, worst first, oldest first),
 * then resolved ones; in a resolved notice, the alerts it is about come first.
 */
function ordered(alerts: NotifiedAlert[], resolvedNotice: boolean): NotifiedAlert[] {
  const open = (a: NotifiedAlert) => (a.state === 'resolved' ? 1 : 0);
  const changed = (a: NotifiedAlert) => (a.changed ? 0 : 1);
  return [...alerts].sort(
    (a, b) =>
      (resolvedNotice ? changed(a) - changed(b) : 0) ||
      open(a) - open(b) ||
      changed(a) - changed(b) ||
      SEVERITY_RANK[a.severity] - SEVERITY_RANK[b.severity] ||
      (a.started_at ?? 0) - (b.started_at ?? 0),
  );
}

function alertTone(a: NotifiedAlert): Tone {
  return a.state === 'resolved' ? 'good' : a.severity;
}

function alertItem(a: NotifiedAlert, n: NotificationRecord, zone: string): RenderedItem {
  const facts: [string, string][] = [];
  if (a.host && a.host !== n.host) facts.push(['Host', a.host]);
  if (a.state === 'resolved' && a.started_at !== null && a.resolved_at !== null) {
    const span = humanDuration(a.resolved_at - a.started_at);
    facts.push(['Lasted', `${formatTime(a.started_at, zone)} to ${formatTime(a.resolved_at, zone)} (${span})`]);
  } else if (a.started_at !== null) {
    facts.push(['Since', `${formatTime(a.started_at, zone)} (for ${humanDuration(n.created_at - a.started_at)})`]);
  }
  const reading = readingText(a, zone);
  if (reading !== null) facts.push([a.state === 'resolved' ? 'Last value' : 'Value', reading]);
  if (a.forecast && a.state !== 'resolved') {
    const what = a.target || 'The disk';
    const at = formatTime(a.forecast.full_at, zone);
    facts.push(['Forecast', `${what} full ${fullIn(a.forecast.hours_left)} at the current rate (around ${at})`]);
  }
  if (a.ack) {
    const comment = a.ack.comment ? `: "${a.ack.comment}"` : '';
    facts.push(['Acknowledged', `by ${a.ack.by} at ${formatTime(a.ack.at, zone)}${comment}`]);
  }
  const label = a.state === 'resolved' ? 'RESOLVED' : a.severity.toUpperCase();
  return {
    title: `${label}: ${a.summary}`,
    tone: alertTone(a),
    facts,
    advice: a.state === 'resolved' ? null : adviceFor(a.rule, a.target),
  };
}

function location(n: NotificationRecord): string {
  return [n.client, n.site, n.host].filter(Boolean).join(' / ');
}

function dashboardLink(base: string | undefined, agentId: string): string | null {
  if (!base) return null;
  const root = base.replace(/\/+$/, '');
  return agentId ? `${root}/#/host/${encodeURIComponent(agentId)}` : root;
}

function footer(n: NotificationRecord, zone: string): string {
  return `Vitals notification ${n.id}, created ${formatTime(n.created_at, zone)}; idempotency key ${n.idempotency_key}`;
}

function alertModel(n: NotificationRecord, opts: RenderOptions, zone: string): Model {
  const alerts = ordered(n.alerts, n.kind === 'resolved');
  const firing = alerts.filter((a) => a.state !== 'resolved');
  const sev = n.severity.toUpperCase();
  const tag = {
    firing: sev,
    resolved: 'RESOLVED',
    reminder: `REMINDER ${sev}`,
    escalation: `ESCALATED ${sev}`,
    channel_failing: sev,
    test: 'TEST',
  }[n.kind];
  const head = alerts[0]?.summary ?? 'no alerts listed';
  const more = alerts.length > 1 ? ` (+${alerts.length - 1} more)` : '';
  const where = `${n.client} / ${n.host || n.site}`;
  const problems = plural(firing.length, 'problem');
  const oldest = Math.min(...firing.map((a) => a.started_at ?? n.created_at), n.created_at);
  let lead: string;
  if (n.kind === 'resolved') {
    const fixed = alerts.length - firing.length;
    lead =
      firing.length === 0
        ? `RESOLVED at ${location(n)}: back to normal.`
        : `RESOLVED at ${location(n)}: ${plural(fixed, 'problem')} fixed; ${problems} still need attention.`;
  } else if (n.kind === 'reminder') {
    lead = `REMINDER at ${location(n)}: still not fixed after ${humanDuration(n.created_at - oldest)} (${problems}).`;
  } else if (n.kind === 'escalation') {
    const unacked = firing.filter((a) => a.changed && !a.ack);
    const since = Math.min(...unacked.map((a) => a.started_at ?? n.created_at), n.created_at);
    lead =
      `ESCALATED at ${location(n)}: ${sev.toLowerCase()} and unacknowledged for ` +
      `${humanDuration(n.created_at - since)}; nobody has taken it yet.`;
  } else {
    lead = `${sev} at ${location(n)}: ${problems} ${firing.length === 1 ? 'needs' : 'need'} attention.`;
  }
  const tone: Tone = n.kind === 'resolved' && firing.length === 0 ? 'good' : n.severity;
  const whereFacts: [string, string][] = [
    ['Practice', n.client],
    ['Site', n.site],
  ];
  if (n.host) whereFacts.push(['Host', n.host]);
  return {
    subject: `[${tag}] ${where}: ${head}${more}`,
    short: `${tag}: ${where}: ${head}${more}`,
    lead,
    tone,
    where: whereFacts,
    itemsHeading: n.kind === 'resolved' && firing.length === 0 ? 'What was wrong' : 'What is wrong',
    items: alerts.map((a) => alertItem(a, n, zone)),
    link: dashboardLink(opts.dashboardUrl, n.agent_id),
    linkLabel: n.host ? `Open ${n.host} in the Vitals dashboard` : 'Open the Vitals dashboard',
    footer: footer(n, zone),
  };
}

function channelModel(n: NotificationRecord, opts: RenderOptions, zone: string): Model {
  const issue = n.channel_issue;
  const channel = issue?.channel ?? '(unknown channel)';
  const link = dashboardLink(opts.dashboardUrl, '');
  const base = { where: [['Channel', channel]] as [string, string][], link, linkLabel: 'Open the Vitals dashboard' };
  if (issue?.recovered_at) {
    const outage = humanDuration(issue.recovered_at - issue.failing_since);
    return {
      ...base,
      subject: `[RESOLVED] Vitals: notifications through "${channel}" work again`,
      short: `RESOLVED: notifications through "${channel}" work again`,
      lead:
        `RESOLVED: the notification channel "${channel}" works again since ` +
        `${formatTime(issue.recovered_at, zone)}, after failing for ${outage}.`,
      tone: 'good',
      itemsHeading: '',
      items: [],
      footer: footer(n, zone),
    };
  }
  const since = issue ? formatTime(issue.failing_since, zone) : 'unknown';
  const failures = issue?.consecutive_failures ?? 0;
  return {
    ...base,
    subject: `[CHANNEL FAILING] Vitals: notifications through "${channel}" are failing`,
    short: `CHANNEL FAILING: notifications through "${channel}" are failing`,
    lead:
      `CHANNEL FAILING: notifications through "${channel}" have failed ${plural(failures, 'time')} in a row ` +
      `since ${since}. Alerts sent only to that channel may reach nobody until it is fixed.`,
    tone: 'critical',
    itemsHeading: 'What is wrong',
    items: [
      {
        title: `"${channel}" cannot deliver notifications`,
        tone: 'critical',
        facts: [
          ['Failing since', issue ? `${since} (for ${humanDuration(n.created_at - issue.failing_since)})` : since],
          ['Failed sends', String(failures)],
          ['Last error', issue?.last_error ?? 'unknown'],
        ],
        advice: channelAdvice(channel),
      },
    ],
    footer: footer(n, zone),
  };
}

function testModel(n: NotificationRecord, opts: RenderOptions, zone: string): Model {
  return {
    subject: `[TEST] Vitals: test notification through "${n.channel}"`,
    short: `TEST: Vitals test notification through "${n.channel}"`,
    lead: `TEST: this is a test notification from Vitals through the channel "${n.channel}". Nothing needs to be done.`,
    tone: 'info',
    where: [['Channel', n.channel]],
    itemsHeading: '',
    items: [],
    link: dashboardLink(opts.dashboardUrl, ''),
    linkLabel: 'Open the Vitals dashboard',
    footer: footer(n, zone),
  };
}

export function renderMessage(n: NotificationRecord, opts: RenderOptions = {}): RenderedMessage {
  const zone = validZone(opts.timeZone?.(n.client, n.site));
  const model =
    n.kind === 'channel_failing'
      ? channelModel(n, opts, zone)
      : n.kind === 'test'
        ? testModel(n, opts, zone)
        : alertModel(n, opts, zone);
  return { ...model, text: layoutText(model), html: layoutHtml(model) };
}
