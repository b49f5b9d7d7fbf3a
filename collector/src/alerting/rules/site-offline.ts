// site_offline: when every agent of a site is silent at once, the cause is the site (power, the
// internet line), so it is one critical alert about the site rather than one per host. It also
// says when a silent host's own page must wait for the site's verdict (siteHold); muting the
// hosts' alerts while it fires is the router's job.
import Type from 'typebox';
import type { HostView, Observation, RuleTiming, SiteView } from '../types.js';
import {
  countOption,
  durationOption,
  enabledOption,
  RuleOptionError,
  readDuration,
  readEnabled,
  readNumber,
} from './options.js';
import type { SiteRule } from './rule.js';
import { count, sayClock, sayDuration } from './wording.js';

export interface SiteOfflineOptions {
  silentAfterMs: number;
  minHosts: number;
  spreadMs: number;
}

/** The site's alert is looked up this far back for the return wait, so `spread` may not be longer. */
export const MAX_SPREAD_MS = 3600_000;

const TIMING: RuleTiming = { critical: { forMs: 0, consecutive: 1 }, recoverConsecutive: 1 };

/**
 * A site is offline when at least `minHosts` agents are silent (running, not heard from for longer
 * than silent_after) and no agent of the site is still reporting. Agents that shut down cleanly
 * neither count as silent nor keep the site "online": they say nothing about the line now, and a
 * practice that switches its workstations off at night must still get the alert when the server
 * and the NAS go quiet together. Retired agents are ignored.
 */
function siteVerdict(hosts: readonly HostView[], silentAfterMs: number, now: number) {
  const active = hosts.filter((h) => !h.retired);
  const silent = active.filter((h) => h.state === 'running' && now - h.last_seen > silentAfterMs);
  const stopped = active.filter((h) => h.state === 'stopping');
  const reporting = active.length - silent.length - stopped.length;
  return { silent, stopped, reporting };
}

export const siteOfflineRule: SiteRule<SiteOfflineOptions> = {
  name: 'site_offline',
  scope: 'site',
  summary: 'every agent of a site silent (at least min_hosts, 2) → one critical alert for the site',
  options: Type.Object(
    {
      enabled: enabledOption(),
      silent_after: durationOption('10m', 'an agent not heard from for longer than this counts as silent'),
      min_hosts: countOption(2, 'silent agents needed; a one-host site gets only the host alert'),
      spread: durationOption(
        '2m',
        'agents going silent (or coming back) within this of each other are one site outage: their own ' +
          "heartbeat pages wait for the site's verdict; at least the agents' interval + collector.gather",
      ),
    },
    { additionalProperties: false },
  ),
  parse(raw) {
    const silentAfterMs = readDuration(raw, 'silent_after', true);
    const spreadMs = readDuration(raw, 'spread');
    // A live agent has reported within its interval, i.e. long after a host silent for silent_after:
    // a spread that reaches that far would hold the pages of hosts whose site is fine.
    if (spreadMs * 2 > silentAfterMs)
      throw new RuleOptionError('spread', `must be at most half of silent_after (${sayDuration(silentAfterMs)})`);
    if (spreadMs > MAX_SPREAD_MS) throw new RuleOptionError('spread', 'must be at most 1h');
    return { enabled: readEnabled(raw), silentAfterMs, minHosts: readNumber(raw, 'min_hosts'), spreadMs };
  },
  evaluate(o, hosts, now) {
    const first = hosts[0];
    const site = first ? `${first.site} (${first.client})` : '';
    const { silent, stopped, reporting } = siteVerdict(hosts, o.silentAfterMs, now);
    const offline = reporting === 0 && silent.length >= o.minHosts;
    const summary = offline
      ? offlineSummary(site, silent, stopped.length, o.silentAfterMs, now)
      : reporting > 0
        ? `Site ${site} is reachable: ${reporting} of ${hosts.filter((h) => !h.retired).length} agents report`
        : `Site ${site}: ${count(silent.length, 'agent')} silent, ${stopped.length} shut down cleanly; ` +
          `a site alert needs at least ${o.minHosts} silent`;
    const obs: Observation = {
      rule: 'site_offline',
      target: '',
      at: now,
      level: offline ? 'critical' : 'ok',
      value: silent.length,
      threshold: o.minHosts,
      unit: 'silent agents',
      summary,
      timing: TIMING,
    };
    return [obs];
  },
};

function offlineSummary(site: string, silent: HostView[], stopped: number, silentAfterMs: number, now: number) {
  const lastReport = Math.max(...silent.map((h) => h.last_seen));
  const asleep = stopped > 0 ? `; ${stopped} more shut down cleanly` : '';
  return (
    `Site ${site} looks offline: all ${silent.length} running agents have been silent for at least ` +
    `${sayDuration(now - lastReport)} (last report ${sayClock(lastReport, now)}), longer than the allowed ` +
    `${sayDuration(silentAfterMs)}${asleep}`
  );
}

/** Why a silent host's own heartbeat page waits: its silence is (or may be) the site's. */
export type SiteHold =
  /** Every other running agent went quiet within `spread` after it: the site's verdict is due at `until`. */
  | { reason: 'site_may_be_offline'; until: number }
  /** The site is offline: its one alert speaks for every host. */
  | { reason: 'site_offline' }
  /** The site came back at `since`; the host has until `until` to come back with it. */
  | { reason: 'site_returning'; since: number; until: number };

/**
 * Whether a silent host's page must wait for the site: pure, from the site's agents (last_seen,
 * state), site_offline's options and the site's alert. A host of a site whose other agents still
 * report is never held (a live agent reported within its interval, long after this one went quiet),
 * nor one of a site too small for a site alert.
 */
export function siteHold(site: SiteView, host: HostView, now: number): SiteHold | null {
  const alert = site.alert;
  if (alert?.state === 'firing') return { reason: 'site_offline' };
  const o = site.offline;
  if (!o) return null;
  if (alert?.state === 'resolved' && alert.resolved_at !== null) {
    const until = alert.resolved_at + o.spreadMs;
    if (now < until && host.last_seen < alert.resolved_at)
      return { reason: 'site_returning', since: alert.resolved_at, until };
  }
  const running = [
    host,
    ...site.hosts.filter((h) => h.agent_id !== host.agent_id && !h.retired && h.state === 'running'),
  ];
  if (running.length < o.minHosts) return null;
  if (running.some((h) => h.last_seen > host.last_seen + o.spreadMs)) return null;
  return { reason: 'site_may_be_offline', until: Math.max(...running.map((h) => h.last_seen)) + o.silentAfterMs };
}
