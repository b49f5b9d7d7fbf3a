// heartbeat: a running agent that has not reported for too long is critical at once. Judged from
// the agent list (last_seen), never from the presence of samples, so a host that stops sending
// anything is still noticed; an agent that said it was stopping is "offline", not an alert. A
// silence that is (or may be) the whole site's stays pending: the site alert is the one page.
import Type from 'typebox';
import type { Observation, RuleTiming } from '../types.js';
import { durationOption, enabledOption, readDuration, readEnabled } from './options.js';
import type { HostRule } from './rule.js';
import { type SiteHold, siteHold } from './site-offline.js';
import { sayClock, sayDuration } from './wording.js';

export interface HeartbeatOptions {
  silentAfterMs: number;
}

const TIMING: RuleTiming = { critical: { forMs: 0, consecutive: 1 }, recoverConsecutive: 1 };
/**
 * Held for the site: pending for as long as the site's verdict covers the silence, then firing at
 * the first evaluation it no longer does. A host back meanwhile cancels it, with nothing told.
 */
const HELD: RuleTiming = { critical: { forMs: Number.POSITIVE_INFINITY, consecutive: 1 }, recoverConsecutive: 1 };

function heldBecause(hold: SiteHold, site: string, now: number): string {
  switch (hold.reason) {
    case 'site_may_be_offline':
      return `; every other agent of site ${site} went quiet with it, so its page waits for the site's verdict at ${sayClock(hold.until, now)}`;
    case 'site_offline':
      return `; site ${site} is offline, and its one site alert speaks for this host`;
    case 'site_returning':
      return `; site ${site} is back since ${sayClock(hold.since, now)}, so its page waits until ${sayClock(hold.until, now)} for this agent to come back too`;
  }
}

export const heartbeatRule: HostRule<HeartbeatOptions> = {
  name: 'heartbeat',
  scope: 'host',
  summary: 'a running agent silent longer than silent_after (10m) → critical; a clean shutdown is not an alert',
  options: Type.Object(
    {
      enabled: enabledOption(),
      silent_after: durationOption('10m', 'a running agent not heard from for longer than this → critical'),
    },
    { additionalProperties: false },
  ),
  kinds: [],
  timeDriven: true,
  parse: (raw) => ({ enabled: readEnabled(raw), silentAfterMs: readDuration(raw, 'silent_after', true) }),
  evaluate(o, { host, now, site }) {
    const silentMs = Math.max(0, now - host.last_seen);
    const ok = (summary: string): Observation[] => [observation('ok', summary)];
    const observation = (level: Observation['level'], summary: string, timing = TIMING): Observation => ({
      rule: 'heartbeat',
      target: '',
      at: now,
      level,
      value: Math.floor(silentMs / 60_000),
      threshold: Math.floor(o.silentAfterMs / 60_000),
      unit: 'minutes',
      summary,
      timing,
    });
    const lastSeen = sayClock(host.last_seen, now);
    if (host.retired) return ok(`${host.host} is retired; its silence is expected`);
    if (host.state === 'stopping')
      return ok(`${host.host} is offline: its agent shut down cleanly at ${lastSeen} (not an alert)`);
    if (silentMs <= o.silentAfterMs) return ok(`${host.host} reports normally (last seen ${lastSeen})`);
    const silent =
      `${host.host} has not reported for ${sayDuration(silentMs)} (last seen ${lastSeen}); ` +
      `a running agent reports at least every ${sayDuration(o.silentAfterMs)}`;
    const hold = site ? siteHold(site, host, now) : null;
    if (!hold) return [observation('critical', silent)];
    return [observation('critical', silent + heldBecause(hold, host.site, now), HELD)];
  },
};
