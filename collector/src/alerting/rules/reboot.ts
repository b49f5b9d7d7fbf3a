// reboot: a host that has waited more than 7 days for a restart (installed updates are not in
// effect) is a warning. Time-driven: the wait is counted on at `now` from the last report.
import Type from 'typebox';
import type { LatestResult, Observation, RuleTiming } from '../types.js';
import { durationOption, enabledOption, readDuration, readEnabled } from './options.js';
import { booleanValue, numberValue } from './readings.js';
import type { HostRule } from './rule.js';
import { sayClock, sayDuration } from './wording.js';

export interface RebootOptions {
  pendingForMs: number;
}

const DAY = 86_400_000;
const TIMING: RuleTiming = { warning: { forMs: 0, consecutive: 1 }, recoverConsecutive: 1 };
const days = (ms: number) => Math.floor((ms / DAY) * 10) / 10;

export const rebootRule: HostRule<RebootOptions> = {
  name: 'reboot',
  scope: 'host',
  summary: 'a reboot pending for more than 7 days → warning',
  options: Type.Object(
    {
      enabled: enabledOption(),
      pending_for: durationOption('7d', 'a reboot pending longer than this → warning'),
    },
    { additionalProperties: false },
  ),
  kinds: ['uptime'],
  timeDriven: true,
  parse: (raw) => ({ enabled: readEnabled(raw), pendingForMs: readDuration(raw, 'pending_for', true) }),
  evaluate(o, ctx) {
    return ctx.latest.filter((r) => r.kind === 'uptime').map((r) => judge(o, r, ctx.host.host, ctx.now));
  },
};

function judge(o: RebootOptions, r: LatestResult, host: string, now: number): Observation {
  const obs: Observation = {
    rule: 'reboot',
    target: r.target,
    at: now,
    level: 'ok',
    value: null,
    threshold: days(o.pendingForMs),
    unit: 'days',
    summary: `${host} has no reboot pending`,
    timing: TIMING,
  };
  // The last known answer stays true while the check is UNKNOWN: a pending reboot does not go away.
  if (!r.known) return { ...obs, level: 'hold', summary: `Whether ${host} waits for a reboot is not known yet` };
  if (booleanValue(r.known.values, 'reboot_pending') !== true) return obs;
  const reportedSeconds = numberValue(r.known.values, 'reboot_pending_seconds');
  if (reportedSeconds === undefined)
    return { ...obs, summary: `${host} has a reboot pending; the agent does not know since when yet` };
  const pendingMs = reportedSeconds * 1000 + Math.max(0, now - r.known.ts);
  const since = `since ${sayClock(now - pendingMs, now)}`;
  if (pendingMs <= o.pendingForMs)
    return {
      ...obs,
      value: days(pendingMs),
      summary: `${host} has had a reboot pending for ${sayDuration(pendingMs)} (${since}); a warning comes after ${sayDuration(o.pendingForMs)}`,
    };
  return {
    ...obs,
    level: 'warning',
    value: days(pendingMs),
    summary:
      `${host} has waited ${sayDuration(pendingMs)} for a reboot (${since}), longer than ${sayDuration(o.pendingForMs)}; ` +
      'restart it at a quiet time so installed updates take effect',
  };
}
