// cpu: a server busier than 90 % for 15 minutes is a warning; it resolves only below 80 %, so a
// machine hovering at the limit alerts once, not every few minutes. Workstations are busy by
// nature (a scan, an update), so by default only servers are judged.
import Type from 'typebox';
import type { HostView, LatestResult, Observation, RuleTiming, Severity } from '../types.js';
import { bandAbove } from './levels.js';
import {
  durationOption,
  enabledOption,
  percentOption,
  RuleOptionError,
  readDuration,
  readEnabled,
  readNumber,
} from './options.js';
import { numberValue } from './readings.js';
import type { HostRule } from './rule.js';
import { sayDuration } from './wording.js';

export interface CpuOptions {
  warningPercent: number;
  recoverPercent: number;
  forMs: number;
  onlyServers: boolean;
}

/**
 * Whether a host looks like a server: Linux (practices run Linux only on servers, NAS boxes and
 * appliances), or an OS release naming "Server" (Windows Server, when the agent reports the
 * product name). A Windows server whose agent reports only a build number reads as a workstation:
 * set only_servers: false for it (per host or client).
 */
export function looksLikeServer(host: Pick<HostView, 'platform' | 'os_release'>): boolean {
  return host.platform === 'linux' || /server/i.test(host.os_release);
}

const format = (n: number) => `${Math.round(n * 10) / 10} %`;

export const cpuRule: HostRule<CpuOptions> = {
  name: 'cpu',
  scope: 'host',
  summary: 'CPU above 90 % for 15 min → warning, resolved below 80 % (servers only by default)',
  options: Type.Object(
    {
      enabled: enabledOption(),
      warning_percent: percentOption(90, 'CPU use above this (percent of the whole machine) → warning'),
      recover_percent: percentOption(80, 'a firing alert resolves only when CPU use drops below this'),
      warning_for: durationOption('15m', 'how long CPU use must stay above warning_percent before the alert fires'),
      only_servers: Type.Boolean({
        default: true,
        description: 'judge only hosts that look like servers (Linux, or an OS release naming "Server")',
      }),
    },
    { additionalProperties: false },
  ),
  kinds: ['cpu'],
  timeDriven: false,
  parse(raw) {
    const o = {
      enabled: readEnabled(raw),
      warningPercent: readNumber(raw, 'warning_percent'),
      recoverPercent: readNumber(raw, 'recover_percent'),
      forMs: readDuration(raw, 'warning_for'),
      onlyServers: raw.only_servers === true,
    };
    if (o.recoverPercent > o.warningPercent)
      throw new RuleOptionError('recover_percent', `must not be above warning_percent (${o.warningPercent})`);
    return o;
  },
  evaluate(o, ctx) {
    const skip = o.onlyServers && !looksLikeServer(ctx.host);
    return ctx.latest
      .filter((r) => r.kind === 'cpu')
      .map((r) => judge(o, r, ctx.host.host, skip, ctx.firing(r.target)));
  },
};

function judge(o: CpuOptions, r: LatestResult, host: string, skip: boolean, firing: Severity | undefined): Observation {
  const timing: RuleTiming = { warning: { forMs: o.forMs, consecutive: 1 }, recoverConsecutive: 1 };
  const used = r.status === 'UNKNOWN' ? undefined : numberValue(r.values, 'used_percent');
  const obs: Observation = {
    rule: 'cpu',
    target: r.target,
    at: r.ts,
    level: 'ok',
    value: used ?? null,
    threshold: o.warningPercent,
    unit: 'percent',
    summary: '',
    timing,
  };
  const limit = `${format(o.warningPercent)} limit`;
  if (skip) return { ...obs, summary: `${host} does not look like a server; its CPU use is not judged` };
  if (used === undefined) return { ...obs, level: 'hold', summary: `CPU use on ${host} is not known right now` };
  const band = bandAbove(used, o.warningPercent, o.recoverPercent, firing !== undefined);
  const level: Observation['level'] = band === 'beyond' ? 'warning' : band;
  const summary =
    band === 'beyond'
      ? `CPU on ${host} is ${format(used)} busy, over the ${limit} (alert when it lasts ${sayDuration(o.forMs)})`
      : band === 'hold'
        ? `CPU on ${host} is ${format(used)} busy; the alert resolves below ${format(o.recoverPercent)}`
        : `CPU on ${host} is ${format(used)} busy, under the ${limit}`;
  return { ...obs, level, summary };
}
