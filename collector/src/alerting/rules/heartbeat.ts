// heartbeat: a running agent that has not reported for too long is critical at once. Judged from
// the agent list (last_seen), never from the presence of samples, so a host that stops sending
// anything is still noticed; an agent that said it was stopping is "offline", not an alert.
import Type from 'typebox';
import type { Observation, RuleTiming } from '../types.js';
import { durationOption, enabledOption, readDuration, readEnabled } from './options.js';
import type { HostRule } from './rule.js';
import { sayClock, sayDuration } from './wording.js';

export interface HeartbeatOptions {
  silentAfterMs: number;
}

const TIMING: RuleTiming = { critical: { forMs: 0, consecutive: 1 }, recoverConsecutive: 1 };

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
  evaluate(o, { host, now }) {
    const silentMs = Math.max(0, now - host.last_seen);
    const ok = (summary: string): Observation[] => [observation('ok', summary)];
    const observation = (level: Observation['level'], summary: string): Observation => ({
      rule: 'heartbeat',
      target: '',
      at: now,
      level,
      value: Math.floor(silentMs / 60_000),
      threshold: Math.floor(o.silentAfterMs / 60_000),
      unit: 'minutes',
      summary,
      timing: TIMING,
    });
    const lastSeen = sayClock(host.last_seen, now);
    if (host.retired) return ok(`${host.host} is retired; its silence is expected`);
    if (host.state === 'stopping')
      return ok(`${host.host} is offline: its agent shut down cleanly at ${lastSeen} (not an alert)`);
    if (silentMs <= o.silentAfterMs) return ok(`${host.host} reports normally (last seen ${lastSeen})`);
    return [
      observation(
        'critical',
        `${host.host} has not reported for ${sayDuration(silentMs)} (last seen ${lastSeen}); ` +
          `a running agent reports at least every ${sayDuration(o.silentAfterMs)}`,
      ),
    ];
  },
};
