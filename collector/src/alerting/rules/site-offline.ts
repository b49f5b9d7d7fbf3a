// site_offline: when every agent of a site is silent at once, the cause is the site (power, the
// internet line), so it is one critical alert about the site rather than one per host. Muting the
// hosts' own heartbeat alerts while it fires is the router's job.
import Type from 'typebox';
import type { HostView, Observation, RuleTiming } from '../types.js';
import { countOption, durationOption, enabledOption, readDuration, readEnabled, readNumber } from './options.js';
import type { SiteRule } from './rule.js';
import { count, sayClock, sayDuration } from './wording.js';

export interface SiteOfflineOptions {
  silentAfterMs: number;
  minHosts: number;
}

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
    },
    { additionalProperties: false },
  ),
  parse: (raw) => ({
    enabled: readEnabled(raw),
    silentAfterMs: readDuration(raw, 'silent_after', true),
    minHosts: readNumber(raw, 'min_hosts'),
  }),
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
